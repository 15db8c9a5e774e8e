#pragma once
// Lua scripts of the resident path. Each runs atomically in Redis and touches keys of one hash
// slot only (their names share a hash tag), so they run unchanged on Redis Cluster.

namespace budget::server::scripts {

/// Accepts a ballot or refuses a second one from the same identity, in one step.
/// KEYS: voted marker, ballot log (list), receipts (hash ballot id -> log index), stats (hash),
///       and optionally the retry key of the request (its Idempotency-Key, bound to the identity)
/// ARGV: canonical ballot bytes, ballot id, day (YYYY-MM-DD, Paris), territory id, and with the
///       retry key: the receipt's JSON and how long it is kept (s)
/// Returns the ballot's index in the log; -1 when this identity has voted already; or, when the
/// same request is sent again after an answer was lost, the receipt it was given (a string).
/// The voted marker holds "1", never the ballot: nothing links a person to their choices. The
/// retry key is a keyed hash of the identity and a random key only the resident's browser holds.
inline constexpr const char* kCastBallot = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  if KEYS[5] then
    local earlier = redis.call('GET', KEYS[5])
    if earlier then
      -- A write, so that a WAIT behind this call also waits for the ballot's replication.
      redis.call('EXPIRE', KEYS[5], ARGV[6])
      return earlier
    end
  end
  return -1
end
redis.call('SET', KEYS[1], '1')
local length = redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[2], length - 1)
redis.call('HINCRBY', KEYS[4], 'total', 1)
redis.call('HINCRBY', KEYS[4], 'day:' .. ARGV[3], 1)
redis.call('HINCRBY', KEYS[4], 'territory:' .. ARGV[4], 1)
if KEYS[5] then redis.call('SET', KEYS[5], ARGV[5], 'EX', ARGV[6]) end
return length - 1
)lua";

/// Stores a new one-time code for an address, within its hourly allowance.
/// KEYS: code (hash mac/tries), per-address counter
/// ARGV: code mac, code ttl (s), codes allowed per window, window (s)
/// Returns {1, 0} when stored, {0, seconds to wait} past the allowance.
inline constexpr const char* kIssueCode = R"lua(
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
/// Returns 'ok', 'wrong', 'dead' (no code, expired, or out of tries) or 'bound' (the address
/// already belongs to another identity; the code stays usable for the right one).
inline constexpr const char* kCheckCode = R"lua(
local mac = redis.call('HGET', KEYS[1], 'mac')
if not mac then return 'dead' end
if mac ~= ARGV[1] then
  local tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
  if tries >= tonumber(ARGV[3]) then
    redis.call('DEL', KEYS[1])
    return 'dead'
  end
  return 'wrong'
end
local bound = redis.call('GET', KEYS[2])
if bound and bound ~= ARGV[2] then return 'bound' end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
return 'ok'
)lua";

/// A fixed-window counter. KEYS: counter. ARGV: limit, window (s).
/// Returns {count, seconds left in the window}.
inline constexpr const char* kRateCount = R"lua(
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return {n, redis.call('TTL', KEYS[1])}
)lua";

/// The campaign's ballot shard count: set by the first caller, read by the others.
/// KEYS: the count. ARGV: this process's count. Returns the campaign's count.
inline constexpr const char* kAgreeShards = R"lua(
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
)lua";

}  // namespace budget::server::scripts
