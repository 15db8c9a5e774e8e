#pragma once
// Retention rules known in advance (issue 18): the TTL of an address's binding, and the
// automatic purge, which budgetd runs itself once the delays of [privacy] have passed.
//
// The automatic purge looks at start, then every kPurgeCheckInterval: once
// published_at + purge_after_days has passed and the residents' stage has not run, it claims
// the purge in Redis (so that of several budgetd processes one runs it) and runs the same
// storage::PurgeStore::purge as `budgetctl purge`; the same for the holders' stage at
// published_at + holders_retention_days. Nothing runs with [privacy] automatic_purge = false.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>

#include "config/config.hpp"
#include "server/api/app_context.hpp"

namespace budget::server::api {

/// How often budgetd looks whether a purge is due (it also looks at start).
inline constexpr std::chrono::minutes kPurgeCheckInterval{5};
/// How soon it looks again when Redis did not answer (at start, before the connection is up).
inline constexpr std::chrono::seconds kPurgeRetryInterval{5};
/// How long a claim holds: longer than any purge, short enough that a budgetd dying in the
/// middle leaves it to another one later.
inline constexpr std::chrono::hours kPurgeClaimTtl{1};
/// No key lives longer than this (about 13 months, as the bindings did before issue 18).
inline constexpr std::chrono::seconds kMaxBindingTtl{400 * 24 * 3600};

/// The TTL of an address's binding (residents' and holders') written at `now` (unix seconds):
/// until the vote's close + purge_after_days, when the purge removes it anyway; at least
/// `code_ttl` (a binding outlives the code that made it), at most kMaxBindingTtl.
///
/// Voted markers and claims sets get no TTL, on purpose: should the vote be extended (a later
/// vote_closes) or the results be published late, an expired marker would let the same person
/// vote twice. They go with the purge, after publication, and only then.
std::chrono::seconds binding_ttl(const config::Config& config, std::int64_t now,
                                 std::chrono::seconds code_ttl);

class PurgeSchedule {
  public:
    explicit PurgeSchedule(AppContext& ctx) : ctx_(ctx) {}

    /// Looks at once, then every kPurgeCheckInterval, on its own strand, for the life of the
    /// process; nothing when [privacy] automatic_purge is false.
    void start(boost::asio::io_context& ioc);

    /// One look: runs each stage that is due and has not run. False when Redis did not answer
    /// (then the next look comes after kPurgeRetryInterval).
    boost::asio::awaitable<bool> check();

  private:
    boost::asio::awaitable<void> run();

    AppContext& ctx_;
};

}  // namespace budget::server::api
