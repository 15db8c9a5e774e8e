#pragma once
// Fixed-window counters that slow down abuse: requests per client address (one-time codes),
// login attempts per username and per address (staff). Counters are keyed by keyed hashes: no
// raw address or username is stored.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "server/redis/client.hpp"
#include "server/storage/store_result.hpp"

namespace budget::server::storage {

/// A counter after one more request: over the limit or not, and when its window ends.
struct Allowance {
    bool allowed = true;
    long long retry_after_s = 0;  ///< seconds until the window resets (at least 1 when refused)
};

class RateLimits {
  public:
    RateLimits(redis::Client& redis, std::string campaign);

    /// Counts a request of a client address (`address_hash`) against `limit` per `window`.
    boost::asio::awaitable<StoreResult<Allowance>> count_address(const std::string& address_hash,
                                                                 int limit,
                                                                 std::chrono::seconds window);

    /// Counts a login attempt against (username, client network) — `user_network_hash` — and
    /// the client address, in one step. After `free_attempts` in `window`, each attempt of that
    /// username from that network waits for a delay, `first_delay` then doubled, at most the
    /// window; other networks are not slowed. The address has `address_limit` per window.
    boost::asio::awaitable<StoreResult<Allowance>> count_login(const std::string& user_network_hash,
                                                               const std::string& address_hash,
                                                               int free_attempts, int address_limit,
                                                               std::chrono::seconds window,
                                                               std::chrono::seconds first_delay);
    /// A successful login: its (username, network) starts afresh and the address gets its
    /// attempt back, so that only failures use up the allowance.
    boost::asio::awaitable<void> refund_login(const std::string& user_network_hash,
                                              const std::string& address_hash);

  private:
    redis::Client& redis_;
    std::string campaign_;
    redis::Script count_script_, login_script_, refund_script_;
};

}  // namespace budget::server::storage
