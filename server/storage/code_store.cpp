#include "server/storage/code_store.hpp"

#include <optional>

#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;

namespace {

/// Stores a new one-time code for an address, within its hourly allowance.
/// KEYS: code (hash mac/tries), per-address counter
/// ARGV: code mac, code ttl (s), codes allowed per window, window (s)
/// Returns {1, 0} when stored, {0, seconds to wait} past the allowance.
constexpr const char* kIssueCode = R"lua(
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
if n > tonumber(ARGV[3]) then
  return {0, redis.call('TTL', KEYS[2])}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'mac', ARGV[1], 'tries', 0)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {1, 0}
)lua";

/// Checks a code and binds the address to the identity, or changes nothing but the try count.
/// KEYS: code (hash mac/tries), address binding
/// ARGV: mac of the code given, identity key, tries allowed, binding ttl (s)
/// Returns {'ok', 0}, {'wrong', tries left}, {'dead', 0} (no code, expired, used, or out of
/// tries) or {'bound', 0} (the address already belongs to another identity; the code stays
/// usable for the right one).
constexpr const char* kCheckCode = R"lua(
local mac = redis.call('HGET', KEYS[1], 'mac')
if not mac then return {'dead', 0} end
if mac ~= ARGV[1] then
  local tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
  if tries >= tonumber(ARGV[3]) then
    redis.call('DEL', KEYS[1])
    return {'dead', 0}
  end
  return {'wrong', tonumber(ARGV[3]) - tries}
end
local bound = redis.call('GET', KEYS[2])
if bound and bound ~= ARGV[2] then return {'bound', 0} end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
return {'ok', 0}
)lua";

/// Checks a code without consuming it when right: the step of the form before the identity.
/// A wrong code counts exactly as in kCheckCode.
/// KEYS: code (hash mac/tries), address binding
/// ARGV: mac of the code given, tries allowed
/// Returns {'ok', tries left, identity the address verified or ''}, {'wrong', tries left, ''}
/// or {'dead', 0, ''}.
constexpr const char* kProbeCode = R"lua(
local mac = redis.call('HGET', KEYS[1], 'mac')
if not mac then return {'dead', 0, ''} end
local tries = tonumber(redis.call('HGET', KEYS[1], 'tries') or '0')
if mac ~= ARGV[1] then
  tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
  if tries >= tonumber(ARGV[2]) then
    redis.call('DEL', KEYS[1])
    return {'dead', 0, ''}
  end
  return {'wrong', tonumber(ARGV[2]) - tries, ''}
end
return {'ok', tonumber(ARGV[2]) - tries, redis.call('GET', KEYS[2]) or ''}
)lua";

constexpr int kCodeWindowSeconds = 3600;

}  // namespace

CodeStore::CodeStore(redis::Client& redis, std::string campaign, const crypto::Key32& code_key)
    : redis_(redis),
      campaign_(std::move(campaign)),
      code_key_(code_key),
      issue_script_(kIssueCode),
      check_script_(kCheckCode),
      probe_script_(kProbeCode) {
    redis_.preload(issue_script_);
    redis_.preload(check_script_);
    redis_.preload(probe_script_);
}

std::string CodeStore::code_mac(const std::string& email_hash, const std::string& code) const {
    // Salted with the address's key prefix: one code MACs differently for each address.
    return crypto::hmac_hex(code_key_, keys::email(campaign_, email_hash) + code);
}

asio::awaitable<StoreResult<CodeIssued>> CodeStore::issue(const std::string& email_hash,
                                                          const std::string& code,
                                                          std::chrono::seconds ttl, int per_hour) {
    std::vector<std::string> keys{keys::email_code(campaign_, email_hash),
                                  keys::email_counter(campaign_, email_hash)};
    std::vector<std::string> args{code_mac(email_hash, code), std::to_string(ttl.count()),
                                  std::to_string(per_hour), std::to_string(kCodeWindowSeconds)};
    auto r = co_await redis_.eval(issue_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "issue_code");
    if (r->elements.size() != 2) co_return StoreError::unavailable;
    co_return CodeIssued{r->elements[0].integer == 1, std::max(1LL, r->elements[1].integer)};
}

namespace {

std::optional<CodeCheck> outcome_named(const std::string& name) {
    if (name == "ok") return CodeCheck::ok;
    if (name == "wrong") return CodeCheck::wrong;
    if (name == "dead") return CodeCheck::dead;
    if (name == "bound") return CodeCheck::bound;
    return std::nullopt;
}

}  // namespace

asio::awaitable<StoreResult<CodeChecked>> CodeStore::check(const std::string& email_hash,
                                                           const std::string& code,
                                                           const std::string& identity_key,
                                                           int max_tries,
                                                           std::chrono::seconds binding_ttl) {
    std::vector<std::string> keys{keys::email_code(campaign_, email_hash),
                                  keys::email_binding(campaign_, email_hash)};
    std::vector<std::string> args{code_mac(email_hash, code), identity_key,
                                  std::to_string(max_tries), std::to_string(binding_ttl.count())};
    auto r = co_await redis_.eval(check_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "check_code");
    if (r->elements.size() != 2) co_return StoreError::corrupt;
    const auto outcome = outcome_named(r->elements[0].str);
    if (!outcome) co_return StoreError::corrupt;
    co_return CodeChecked{*outcome, static_cast<int>(r->elements[1].integer)};
}

asio::awaitable<StoreResult<CodeProbe>> CodeStore::probe(const std::string& email_hash,
                                                         const std::string& code, int max_tries) {
    std::vector<std::string> keys{keys::email_code(campaign_, email_hash),
                                  keys::email_binding(campaign_, email_hash)};
    std::vector<std::string> args{code_mac(email_hash, code), std::to_string(max_tries)};
    auto r = co_await redis_.eval(probe_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "probe_code");
    if (r->elements.size() != 3) co_return StoreError::corrupt;
    const auto outcome = outcome_named(r->elements[0].str);
    if (!outcome || *outcome == CodeCheck::bound) co_return StoreError::corrupt;
    co_return CodeProbe{*outcome, static_cast<int>(r->elements[1].integer), r->elements[2].str};
}

}  // namespace budget::server::storage
