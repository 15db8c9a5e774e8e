#include "server/storage/rate_limits.hpp"

#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;

namespace {

/// A fixed-window counter. KEYS: counter. ARGV: limit, window (s).
/// Returns {count, seconds left in the window}.
constexpr const char* kRateCount = R"lua(
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return {n, redis.call('TTL', KEYS[1])}
)lua";

/// Counts a login attempt against (username, client network) and the client address, in one
/// step. A username is slowed per network with growing delays, never locked for everyone: the
/// victim on another network logs in while an attacker waits (issue 14).
/// KEYS: failures of the (username, network), its delay, address counter.
/// ARGV: attempts before any delay, window (s), address limit, first delay (s).
/// Returns {1, 0} when allowed, {0, seconds to wait} otherwise. From the `free`th attempt on,
/// each one sets a delay before the next: first delay, then doubled, at most the window.
constexpr const char* kLoginAttempt = R"lua(
local wait = redis.call('TTL', KEYS[2])
if wait > 0 then return {0, wait} end
local window = tonumber(ARGV[2])
local n = redis.call('INCR', KEYS[3])
if n == 1 then redis.call('EXPIRE', KEYS[3], window) end
if n > tonumber(ARGV[3]) then return {0, math.max(redis.call('TTL', KEYS[3]), 1)} end
local failures = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], window)
local free = tonumber(ARGV[1])
if failures >= free then
  local delay = math.min(tonumber(ARGV[4]) * 2 ^ (failures - free), window)
  redis.call('SET', KEYS[2], '1', 'EX', math.floor(delay))
end
return {1, 0}
)lua";

/// A successful login: its (username, network) starts afresh, its address gets the attempt
/// back. KEYS: failures of the (username, network), its delay, address counter.
constexpr const char* kLoginRefund = R"lua(
redis.call('DEL', KEYS[1], KEYS[2])
if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then redis.call('DECR', KEYS[3]) end
return 1
)lua";

}  // namespace

RateLimits::RateLimits(redis::Client& redis, std::string campaign)
    : redis_(redis),
      campaign_(std::move(campaign)),
      count_script_(kRateCount),
      login_script_(kLoginAttempt),
      refund_script_(kLoginRefund) {
    redis_.preload(count_script_);
}

asio::awaitable<StoreResult<Allowance>> RateLimits::count_address(const std::string& address_hash,
                                                                  int limit,
                                                                  std::chrono::seconds window) {
    std::vector<std::string> keys{keys::address_counter(campaign_, address_hash)};
    std::vector<std::string> args{std::to_string(limit), std::to_string(window.count())};
    auto r = co_await redis_.eval(count_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "count_address");
    if (r->elements.size() != 2) co_return StoreError::unavailable;
    co_return Allowance{r->elements[0].integer <= limit, std::max(1LL, r->elements[1].integer)};
}

asio::awaitable<StoreResult<Allowance>> RateLimits::count_login(
    const std::string& user_network_hash, const std::string& address_hash, int free_attempts,
    int address_limit, std::chrono::seconds window, std::chrono::seconds first_delay) {
    const auto user = keys::login_user(user_network_hash);
    std::vector<std::string> keys{user, user + ":delay", keys::login_address(address_hash)};
    std::vector<std::string> args{std::to_string(free_attempts), std::to_string(window.count()),
                                  std::to_string(address_limit),
                                  std::to_string(first_delay.count())};
    auto r = co_await redis_.eval(login_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "count_login");
    if (r->elements.size() != 2) co_return StoreError::unavailable;
    co_return Allowance{r->elements[0].integer == 1, r->elements[1].integer};
}

asio::awaitable<void> RateLimits::refund_login(const std::string& user_network_hash,
                                               const std::string& address_hash) {
    const auto user = keys::login_user(user_network_hash);
    std::vector<std::string> keys{user, user + ":delay", keys::login_address(address_hash)};
    std::vector<std::string> none;
    // Best effort: a refund that fails only leaves one attempt counted.
    co_await redis_.eval(refund_script_, std::move(keys), std::move(none));
}

}  // namespace budget::server::storage
