#include "server/storage/detail/failures.hpp"

#include "server/core/log.hpp"

namespace budget::server::storage::detail {

namespace {

void log_error_reply(const redis::Error& error, std::string_view operation) {
    // An error answer is a fault (a script bug, memory, a read-only replica): say it loudly.
    if (error == redis::Errc::error_reply) {
        log_event("error", "redis_error_reply",
                  {{"operation", operation}, {"reason", error.message}});
    }
}

}  // namespace

StoreError read_failure(const redis::Error& error, std::string_view operation) {
    log_error_reply(error, operation);
    return StoreError::unavailable;
}

StoreError write_failure(const redis::Error& error, std::string_view operation) {
    log_error_reply(error, operation);
    return error.outcome_unknown() ? StoreError::outcome_unknown : StoreError::unavailable;
}

}  // namespace budget::server::storage::detail
