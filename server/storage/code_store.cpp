#include "server/storage/code_store.hpp"

#include <optional>

#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;

namespace {

/// Stores a new one-time code for an address, within its hourly allowances: one per client
/// network (what one network may ask for somebody's address), and a ceiling for the address
/// high enough that one network cannot reach it (issue 14: no lock-out from elsewhere).
/// KEYS: code (hash mac/tries), per-address counter, tries without a code, per-(address,
///       network) counter
/// ARGV: code mac, code ttl (s), codes allowed per network per window, window (s), codes allowed
///       per address per window
/// Returns {1, 0} when stored, {0, seconds to wait} past an allowance.
constexpr const char* kIssueCode = R"lua(
local mine = redis.call('INCR', KEYS[4])
if mine == 1 then redis.call('EXPIRE', KEYS[4], ARGV[4]) end
if mine > tonumber(ARGV[3]) then
  return {0, redis.call('TTL', KEYS[4])}
end
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
if n > tonumber(ARGV[5]) then
  return {0, redis.call('TTL', KEYS[2])}
end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('HSET', KEYS[1], 'mac', ARGV[1], 'tries', 0)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {1, 0}
)lua";

/// A code given when none is pending (never sent, expired, used or out of tries) is answered as
/// a wrong one, with tries counted per address in their own key: whether a code is pending is
/// nobody's business (issue 14). Out of tries, both say "ask for a new code"; a code dying of
/// its tries leaves that key full, so that the count does not start again.
/// KEYS[3]: tries without a code. ARGV: tries allowed, how long those tries are kept (s).
/// Returns {'wrong', tries left} or {'dead', 0}.
constexpr const char* kMissedTry = R"lua(
local function missed_try(key, allowed, ttl)
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ttl) end
  if n >= allowed then return {'dead', 0} end
  return {'wrong', allowed - n}
end
local function out_of_tries(code_key, key, allowed, ttl)
  redis.call('DEL', code_key)
  redis.call('SET', key, allowed, 'EX', ttl)
end
)lua";

/// Checks a code and binds the address to the identity, or changes nothing but the try count.
/// KEYS: code (hash mac/tries), address binding, tries without a code
/// ARGV: mac of the code given, identity key, tries allowed, binding ttl (s), code ttl (s)
/// Returns {'ok', 0}, {'wrong', tries left}, {'dead', 0} (out of tries, with a code or without)
/// or {'bound', 0} (the address already belongs to another identity; the code stays usable for
/// the right one).
constexpr const char* kCheckCodeBody = R"lua(
local allowed = tonumber(ARGV[3])
local mac = redis.call('HGET', KEYS[1], 'mac')
if not mac then return missed_try(KEYS[3], allowed, ARGV[5]) end
if mac ~= ARGV[1] then
  local tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
  if tries >= allowed then
    out_of_tries(KEYS[1], KEYS[3], allowed, ARGV[5])
    return {'dead', 0}
  end
  return {'wrong', allowed - tries}
end
local bound = redis.call('GET', KEYS[2])
if bound and bound ~= ARGV[2] then return {'bound', 0} end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
return {'ok', 0}
)lua";

/// Checks a code without consuming it when right: the step of the form before the identity.
/// A wrong code, or a code when none is pending, counts exactly as in kCheckCode.
/// KEYS: code (hash mac/tries), address binding, tries without a code
/// ARGV: mac of the code given, tries allowed, code ttl (s)
/// Returns {'ok', tries left, identity the address verified or ''}, {'wrong', tries left, ''}
/// or {'dead', 0, ''}.
constexpr const char* kProbeCodeBody = R"lua(
local allowed = tonumber(ARGV[2])
local mac = redis.call('HGET', KEYS[1], 'mac')
if not mac then
  local missed = missed_try(KEYS[3], allowed, ARGV[3])
  return {missed[1], missed[2], ''}
end
local tries = tonumber(redis.call('HGET', KEYS[1], 'tries') or '0')
if mac ~= ARGV[1] then
  tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
  if tries >= allowed then
    out_of_tries(KEYS[1], KEYS[3], allowed, ARGV[3])
    return {'dead', 0, ''}
  end
  return {'wrong', allowed - tries, ''}
end
return {'ok', allowed - tries, redis.call('GET', KEYS[2]) or ''}
)lua";

/// Checks a code and consumes it when right, binding nothing: the resident's report (issue 18)
/// asks with a code what the address's keys hold. A wrong code, or a code when none is pending,
/// counts exactly as in kCheckCode.
/// KEYS: code (hash mac/tries), address binding, tries without a code, per-address counter
/// ARGV: mac of the code given, tries allowed, code ttl (s)
/// Returns {'ok', 0, identity the address verified or '', its TTL, codes this hour, their TTL,
/// tries without a code, their TTL}, {'wrong', tries left} or {'dead', 0}.
constexpr const char* kConsumeCodeBody = R"lua(
local allowed = tonumber(ARGV[2])
local mac = redis.call('HGET', KEYS[1], 'mac')
if not mac then return missed_try(KEYS[3], allowed, ARGV[3]) end
if mac ~= ARGV[1] then
  local tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
  if tries >= allowed then
    out_of_tries(KEYS[1], KEYS[3], allowed, ARGV[3])
    return {'dead', 0}
  end
  return {'wrong', allowed - tries}
end
redis.call('DEL', KEYS[1])
return {'ok', 0, redis.call('GET', KEYS[2]) or '', redis.call('TTL', KEYS[2]),
        tonumber(redis.call('GET', KEYS[4]) or '0'), redis.call('TTL', KEYS[4]),
        tonumber(redis.call('GET', KEYS[3]) or '0'), redis.call('TTL', KEYS[3])}
)lua";

constexpr int kCodeWindowSeconds = 3600;

/// Where tries without a pending code are counted, in the address's slot.
std::string misses_key(const std::string& campaign, const std::string& email_hash) {
    return keys::email(campaign, email_hash) + ":misses";
}

}  // namespace

CodeStore::CodeStore(redis::Client& redis, std::string campaign, const crypto::Key32& code_key)
    : redis_(redis),
      campaign_(std::move(campaign)),
      code_key_(code_key),
      issue_script_(kIssueCode),
      check_script_(std::string(kMissedTry) + kCheckCodeBody),
      probe_script_(std::string(kMissedTry) + kProbeCodeBody),
      consume_script_(std::string(kMissedTry) + kConsumeCodeBody) {
    redis_.preload(issue_script_);
    redis_.preload(check_script_);
    redis_.preload(probe_script_);
}

std::string CodeStore::code_mac(const std::string& email_hash, const std::string& code) const {
    // Salted with the address's key prefix: one code MACs differently for each address.
    return crypto::hmac_hex(code_key_, keys::email(campaign_, email_hash) + code);
}

asio::awaitable<StoreResult<CodeIssued>> CodeStore::issue(
    const std::string& email_hash, const std::string& network_hash, const std::string& code,
    std::chrono::seconds ttl, int per_network_hour, int per_address_hour) {
    std::vector<std::string> keys{keys::email_code(campaign_, email_hash),
                                  keys::email_counter(campaign_, email_hash),
                                  misses_key(campaign_, email_hash),
                                  keys::email_counter(campaign_, email_hash) + ":" + network_hash};
    std::vector<std::string> args{
        code_mac(email_hash, code), std::to_string(ttl.count()), std::to_string(per_network_hour),
        std::to_string(kCodeWindowSeconds), std::to_string(per_address_hour)};
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

asio::awaitable<StoreResult<CodeChecked>> CodeStore::check(
    const std::string& email_hash, const std::string& code, const std::string& identity_key,
    int max_tries, std::chrono::seconds binding_ttl, std::chrono::seconds code_ttl) {
    std::vector<std::string> keys{keys::email_code(campaign_, email_hash),
                                  keys::email_binding(campaign_, email_hash),
                                  misses_key(campaign_, email_hash)};
    std::vector<std::string> args{code_mac(email_hash, code), identity_key,
                                  std::to_string(max_tries), std::to_string(binding_ttl.count()),
                                  std::to_string(code_ttl.count())};
    auto r = co_await redis_.eval(check_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "check_code");
    if (r->elements.size() != 2) co_return StoreError::corrupt;
    const auto outcome = outcome_named(r->elements[0].str);
    if (!outcome) co_return StoreError::corrupt;
    co_return CodeChecked{*outcome, static_cast<int>(r->elements[1].integer)};
}

asio::awaitable<StoreResult<CodeProbe>> CodeStore::probe(const std::string& email_hash,
                                                         const std::string& code, int max_tries,
                                                         std::chrono::seconds code_ttl) {
    std::vector<std::string> keys{keys::email_code(campaign_, email_hash),
                                  keys::email_binding(campaign_, email_hash),
                                  misses_key(campaign_, email_hash)};
    std::vector<std::string> args{code_mac(email_hash, code), std::to_string(max_tries),
                                  std::to_string(code_ttl.count())};
    auto r = co_await redis_.eval(probe_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "probe_code");
    if (r->elements.size() != 3) co_return StoreError::corrupt;
    const auto outcome = outcome_named(r->elements[0].str);
    if (!outcome || *outcome == CodeCheck::bound) co_return StoreError::corrupt;
    co_return CodeProbe{*outcome, static_cast<int>(r->elements[1].integer), r->elements[2].str};
}

asio::awaitable<StoreResult<CodeConsumed>> CodeStore::consume(const std::string& email_hash,
                                                              const std::string& code,
                                                              int max_tries,
                                                              std::chrono::seconds code_ttl) {
    std::vector<std::string> keys{
        keys::email_code(campaign_, email_hash), keys::email_binding(campaign_, email_hash),
        misses_key(campaign_, email_hash), keys::email_counter(campaign_, email_hash)};
    std::vector<std::string> args{code_mac(email_hash, code), std::to_string(max_tries),
                                  std::to_string(code_ttl.count())};
    auto r = co_await redis_.eval(consume_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::write_failure(r.error(), "consume_code");
    if (r->elements.size() < 2) co_return StoreError::corrupt;
    const auto outcome = outcome_named(r->elements[0].str);
    if (!outcome || *outcome == CodeCheck::bound) co_return StoreError::corrupt;
    CodeConsumed out{*outcome, static_cast<int>(r->elements[1].integer), {}};
    if (*outcome != CodeCheck::ok) co_return out;
    const auto& e = r->elements;
    if (e.size() != 8) co_return StoreError::corrupt;
    out.held = AddressHoldings{e[2].str,     e[3].integer, e[4].integer,
                               e[5].integer, e[6].integer, e[7].integer};
    co_return out;
}

}  // namespace budget::server::storage
