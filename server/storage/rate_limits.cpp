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

/// Counts a login attempt against the username and the client address, in one step.
/// KEYS: username counter, address counter. ARGV: username limit, address limit, window (s).
/// Returns {1, 0} when allowed, {0, seconds to wait} past a limit.
constexpr const char* kLoginAttempt = R"lua(
local wait = 0
for i = 1, 2 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], ARGV[3]) end
  if n > tonumber(ARGV[i]) then wait = math.max(wait, redis.call('TTL', KEYS[i]), 1) end
end
if wait > 0 then return {0, wait} end
return {1, 0}
)lua";

/// KEYS: username counter, address counter.
constexpr const char* kLoginRefund = R"lua(
for i = 1, 2 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
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

asio::awaitable<StoreResult<Allowance>> RateLimits::count_login(const std::string& username_hash,
                                                                const std::string& address_hash,
                                                                int username_limit,
                                                                int address_limit,
                                                                std::chrono::seconds window) {
    std::vector<std::string> keys{keys::login_user(username_hash),
                                  keys::login_address(address_hash)};
    std::vector<std::string> args{std::to_string(username_limit), std::to_string(address_limit),
                                  std::to_string(window.count())};
    auto r = co_await redis_.eval(login_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "count_login");
    if (r->elements.size() != 2) co_return StoreError::unavailable;
    co_return Allowance{r->elements[0].integer == 1, r->elements[1].integer};
}

asio::awaitable<void> RateLimits::refund_login(const std::string& username_hash,
                                               const std::string& address_hash) {
    std::vector<std::string> keys{keys::login_user(username_hash),
                                  keys::login_address(address_hash)};
    std::vector<std::string> none;
    // Best effort: a refund that fails only leaves one attempt counted.
    co_await redis_.eval(refund_script_, std::move(keys), std::move(none));
}

}  // namespace budget::server::storage
