#pragma once
// How the stores turn a failed Redis command into a StoreError, and log it once.

#include <string_view>

#include "server/redis/reply.hpp"
#include "server/storage/store_result.hpp"

namespace budget::server::storage::detail {

/// A read (or a write known not to have run) that failed: `unavailable`. Error replies are
/// logged with Redis's text under `operation`.
StoreError read_failure(const redis::Error& error, std::string_view operation);

/// A write that failed: `outcome_unknown` when it was sent and its answer lost (it may have
/// been applied), else `unavailable`.
StoreError write_failure(const redis::Error& error, std::string_view operation);

}  // namespace budget::server::storage::detail
