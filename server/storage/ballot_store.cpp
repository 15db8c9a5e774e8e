#include "server/storage/ballot_store.hpp"

#include <algorithm>
#include <stdexcept>

#include "server/core/log.hpp"
#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;

namespace {

/// Accepts a ballot or refuses a second one from the same person, in one step.
/// KEYS: voted marker (of the primary claim), ballot log (list), receipts (hash ballot id -> log
///       index), stats (hash), claims (set: every claim of the shard's ballots), and optionally
///       the retry key of the request (its Idempotency-Key, bound to the identity)
/// ARGV: canonical ballot bytes, ballot id, day (YYYY-MM-DD, Paris), territory id; the receipt's
///       JSON, how long it is kept (s) and the keyed hash of the request's choices (fixed
///       length), all three "" without a retry key; how the person signed in ("email",
///       "franceconnect", "unknown"); then the person's claims (primary first).
/// Returns the ballot's index in the log; -1 when this person has voted already (the primary's
/// marker, or any of their claims, is there: the same person declared another way); -2 when
/// the retry key was used with other choices; -3 when the vote is recorded closed
/// (keys::kClosedField in the shard's stats); or, when the same request is sent again after an
/// answer was lost, the receipt it was given (a string).
/// The voted marker holds the sign-in method and the day ("email 2026-09-14": what the resident's
/// report tells them; the day is the statistics' own, no finer), never the ballot, and the
/// claims set only keyed hashes: nothing links a person to their choices. One voted marker per
/// ballot (the load test's ledger counts them); the claims are members of one set per shard rather
/// than keys of their own, which keeps the key space (and SCANs) to one key per ballot. The retry
/// key is a keyed hash of the identity and a random key only the resident's browser holds; it keeps
/// the choices' hash before the receipt, so that a key reused for other choices is told apart from
/// a retry without another round trip.
constexpr const char* kCastBallot = R"lua(
local claims = {}
for i = 9, #ARGV do claims[#claims + 1] = ARGV[i] end
local marked = redis.call('EXISTS', KEYS[1]) == 1
if not marked and #claims > 0 then
  for _, member in ipairs(redis.call('SMISMEMBER', KEYS[5], unpack(claims))) do
    if member == 1 then marked = true break end
  end
end
if marked then
  if KEYS[6] then
    local earlier = redis.call('GET', KEYS[6])
    if earlier then
      local n = #ARGV[7]
      -- A receipt kept before choices were hashed starts with its JSON: a retry all the same.
      if string.sub(earlier, 1, 1) ~= '{' then
        if string.sub(earlier, 1, n) ~= ARGV[7] then return -2 end
        earlier = string.sub(earlier, n + 1)
      end
      -- A write, so that a WAIT behind this call also waits for the ballot's replication.
      redis.call('EXPIRE', KEYS[6], ARGV[6])
      return earlier
    end
  end
  return -1
end
-- Closed (issue 14): the mark recorded in this shard's stats, whatever the caller's clock says.
if redis.call('HEXISTS', KEYS[4], 'closed') == 1 then return -3 end
redis.call('SET', KEYS[1], ARGV[8] .. ' ' .. ARGV[3])
if #claims > 0 then redis.call('SADD', KEYS[5], unpack(claims)) end
local length = redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[2], length - 1)
redis.call('HINCRBY', KEYS[4], 'total', 1)
redis.call('HINCRBY', KEYS[4], 'day:' .. ARGV[3], 1)
redis.call('HINCRBY', KEYS[4], 'territory:' .. ARGV[4], 1)
if KEYS[6] then redis.call('SET', KEYS[6], ARGV[7] .. ARGV[5], 'EX', ARGV[6]) end
return length - 1
)lua";

/// Whether a person has voted: their primary's voted marker, or any of their claims.
/// KEYS: voted marker, claims (set). ARGV: the claims. Returns 1 or 0.
constexpr const char* kHasVoted = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
if #ARGV == 0 then return 0 end
for _, member in ipairs(redis.call('SMISMEMBER', KEYS[2], unpack(ARGV))) do
  if member == 1 then return 1 end
end
return 0
)lua";

/// What is held about a person's vote: their primary's voted marker, else whether any of their
/// claims is in the shard's set. KEYS: voted marker, claims (set). ARGV: the claims.
/// Returns {'marker', its value}, {'claim', ''} or {'none', ''}.
constexpr const char* kVotedRecord = R"lua(
local marker = redis.call('GET', KEYS[1])
if marker then return {'marker', marker} end
if #ARGV > 0 then
  for _, member in ipairs(redis.call('SMISMEMBER', KEYS[2], unpack(ARGV))) do
    if member == 1 then return {'claim', ''} end
  end
end
return {'none', ''}
)lua";

/// The campaign's ballot shard count: set by the first caller, read by the others.
/// KEYS: the count. ARGV: this process's count. Returns the campaign's count.
constexpr const char* kAgreeShards = R"lua(
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
)lua";

/// A shard's ledger, counted on the node that serves the shard (the script runs in its slot).
/// KEYS: log, stats. ARGV: the voted markers' pattern.
/// Returns {log length, stats total, voted markers}.
constexpr const char* kShardLedger = R"lua(
local markers = 0
local cursor = '0'
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 10000)
  cursor = page[1]
  markers = markers + #page[2]
until cursor == '0'
return {redis.call('LLEN', KEYS[1]), tonumber(redis.call('HGET', KEYS[2], 'total') or '0'),
        markers}
)lua";

/// How long the receipt of a request sent with an Idempotency-Key is kept: long enough for any
/// retry, never linked to the ballot outside the script's keys.
constexpr const char* kRetryTtlSeconds = "86400";

}  // namespace

BallotStore::BallotStore(redis::Client& redis, const config::Config& config)
    : redis_(redis),
      campaign_(config.campaign.id),
      shards_(config.redis.ballot_shards),
      wait_replicas_(config.redis.wait_replicas),
      wait_timeout_(config.redis.wait_timeout),
      production_(config.server.production),
      cast_script_(kCastBallot),
      agree_shards_script_(kAgreeShards),
      ledger_script_(kShardLedger),
      has_voted_script_(kHasVoted),
      voted_record_script_(kVotedRecord) {
    redis_.preload(cast_script_);
}

std::string_view BallotStore::cast_script_source() { return kCastBallot; }

std::string_view to_string(VoteMethod method) {
    switch (method) {
        case VoteMethod::email:
            return "email";
        case VoteMethod::franceconnect:
            return "franceconnect";
        case VoteMethod::unknown:
            break;
    }
    return "unknown";
}

namespace {

bool civil_day(std::string_view d) {
    // YYYY-MM-DD, digits where digits go: what config::format_paris_time's first 10 characters
    // are. (The marker is the engine's own writing; this only refuses what it never writes.)
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (i == 4 || i == 7) continue;
        if (d[i] < '0' || d[i] > '9') return false;
    }
    return true;
}

}  // namespace

VotedMarker parse_voted_marker(std::string_view value) {
    const auto space = value.find(' ');
    if (space == std::string_view::npos) return {};
    const auto word = value.substr(0, space);
    const auto day = value.substr(space + 1);
    if (!civil_day(day)) return {};
    VoteMethod method;
    if (word == "email")
        method = VoteMethod::email;
    else if (word == "franceconnect")
        method = VoteMethod::franceconnect;
    else if (word == "unknown")
        method = VoteMethod::unknown;
    else
        return {};
    return {true, method, std::string(day)};
}

CastOutcome BallotStore::outcome_of(const redis::Result& r) {
    if (!r) {
        // Sent but unanswered: the script may have run. "Nothing was saved" could be false.
        if (r.error().outcome_unknown()) return {CastStatus::outcome_unknown, {}};
        if (r.error() == redis::Errc::error_reply)
            log_event("error", "ballot_script_failed", {{"reason", r.error().message}});
        return {CastStatus::not_stored, {}};
    }
    // A string is the receipt of the same request, recorded earlier: the one the resident lost.
    if (r->type == redis::Reply::Type::string) return {CastStatus::replayed, r->str};
    if (r->type == redis::Reply::Type::integer) {
        if (r->integer == -2) return {CastStatus::idempotency_key_reused, {}};
        if (r->integer == -3) return {CastStatus::vote_closed, {}};
        return {r->integer >= 0 ? CastStatus::recorded : CastStatus::already_voted, {}};
    }
    log_event("error", "ballot_script_failed", {{"reason", "unexpected reply"}});
    return {CastStatus::not_stored, {}};
}

// The ballot path is cut into a synchronous preparation and small coroutines around the one
// wait: a coroutine's frame holds every local of its body and is allocated on every call, so the
// keys and arguments are built here and moved into the client's own frame.
asio::awaitable<CastOutcome> BallotStore::cast(CastRequest request) {
    auto k = keys::ballot_keys(campaign_, shards_, request.identity_key);
    std::vector<std::string> keys;
    keys.reserve(6);
    keys.push_back(std::move(k.voted));
    keys.push_back(std::move(k.log));
    keys.push_back(std::move(k.receipts));
    keys.push_back(std::move(k.stats));
    keys.push_back(std::move(k.claims));
    std::vector<std::string> args;
    args.reserve(8 + std::max<std::size_t>(request.claims.size(), 1));
    args.push_back(std::move(request.canonical));
    args.push_back(std::move(request.ballot_id));
    args.push_back(std::move(request.day));
    args.push_back(std::move(request.territory));
    if (!request.retry_hash.empty()) {
        keys.push_back(k.retry(request.retry_hash));
        args.push_back(std::move(request.receipt));
        args.emplace_back(kRetryTtlSeconds);
        args.push_back(std::move(request.choices_hash));
    } else {
        args.resize(7);
    }
    // A literal of at most 13 characters: no allocation on the ballot path (short strings).
    args.emplace_back(to_string(request.method));
    if (request.claims.empty()) {
        args.push_back(std::move(request.identity_key));
    } else {
        for (auto& claim : request.claims) args.push_back(std::move(claim));
    }
    if (wait_replicas_ == 0)
        return settle_cast(redis_.eval(cast_script_, std::move(keys), std::move(args)));
    // WAIT right behind the script on its connection: WAIT counts that connection's writes.
    return settle_replicated_cast(
        redis_.eval_and_wait(cast_script_, std::move(keys), std::move(args), wait_replicas_,
                             wait_timeout_),
        wait_replicas_);
}

asio::awaitable<CastOutcome> BallotStore::settle_cast(asio::awaitable<redis::Result> sent) {
    co_return outcome_of(co_await std::move(sent));
}

asio::awaitable<CastOutcome> BallotStore::settle_replicated_cast(
    asio::awaitable<std::pair<redis::Result, redis::Result>> sent, int replicas) {
    const auto replies = co_await std::move(sent);
    auto outcome = outcome_of(replies.first);
    if (outcome.status != CastStatus::recorded && outcome.status != CastStatus::replayed)
        co_return outcome;
    const auto& acked = replies.second;
    if (!acked || acked->type != redis::Reply::Type::integer || acked->integer < replicas) {
        // Stored on the primary but not yet on enough replicas: no receipt is promised.
        log_event("warn", "ballot_wait_unsatisfied");
        co_return CastOutcome{CastStatus::outcome_unknown, {}};
    }
    co_return outcome;
}

asio::awaitable<StoreResult<bool>> BallotStore::agree_shards() {
    const auto mine = std::to_string(shards_);
    std::vector<std::string> key(1, keys::ballot_shards(campaign_));
    std::vector<std::string> arg(1, mine);  // not braced lists: GCC 12 coroutines
    auto r = co_await redis_.eval(agree_shards_script_, std::move(key), std::move(arg));
    if (!r) co_return detail::read_failure(r.error(), "agree_shards");
    if (r->type != redis::Reply::Type::string) co_return StoreError::unavailable;
    if (r->str != mine) {
        log_event("error", "ballot_shards_mismatch",
                  {{"configured", shards_}, {"campaign", r->str}});
        co_return false;
    }
    shards_agreed_ = true;
    co_return true;
}

asio::awaitable<StoreResult<std::optional<int>>> BallotStore::campaign_shards() {
    std::vector<std::string> cmd{"GET", keys::ballot_shards(campaign_)};
    auto r = co_await redis_.command(std::move(cmd));
    if (!r) co_return detail::read_failure(r.error(), "campaign_shards");
    if (r->is_nil()) co_return std::optional<int>();
    try {
        co_return std::optional<int>(std::stoi(r->str));
    } catch (const std::exception&) {
        co_return StoreError::corrupt;
    }
}

std::optional<bool> BallotStore::known_durable(std::int64_t now) const {
    if (!production_ || wait_replicas_ > 0) return true;
    // Re-read Redis's settings every few seconds (every second while not durable, so that the
    // vote reopens promptly once an operator fixes the persistence).
    if (now - durability_checked_at_.load() < (durable_.load() ? 5 : 1)) return durable_.load();
    return std::nullopt;
}

asio::awaitable<bool> BallotStore::check_durable(std::int64_t now) {
    if (const auto known = known_durable(now)) co_return *known;
    // Every master holds ballots (Redis Cluster spreads the shards): each must persist them.
    std::vector<std::string> cmd{"CONFIG", "GET", "append*"};
    const auto replies = co_await redis_.command_on_masters(std::move(cmd));
    bool ok = !replies.empty();
    for (const auto& r : replies) {
        if (!r) co_return false;
        const auto* aof = r->field("appendonly");
        const auto* fsync = r->field("appendfsync");
        ok = ok && aof && aof->str == "yes" && fsync && fsync->str == "always";
    }
    if (!ok && durable_.load()) log_event("error", "storage_not_durable");
    durable_ = ok;
    durability_checked_at_ = now;
    co_return ok;
}

asio::awaitable<StoreResult<std::vector<std::string>>> BallotStore::log_page(int shard,
                                                                             std::uint64_t start,
                                                                             std::uint64_t count) {
    std::vector<std::string> cmd{"LRANGE", keys::ballot_log(campaign_, shard),
                                 std::to_string(start), std::to_string(start + count - 1)};
    auto page = co_await redis_.command(std::move(cmd));
    if (!page) co_return detail::read_failure(page.error(), "log_page");
    std::vector<std::string> out;
    out.reserve(page->elements.size());
    for (auto& entry : page->elements) out.push_back(std::move(entry.str));
    co_return out;
}

asio::awaitable<StoreResult<std::optional<ReceiptLocation>>> BallotStore::find_receipt(
    std::string ballot_id) {
    // The ballot's shard comes from the identity key, which the asker does not know: ask each
    // shard's receipts until one knows the ballot.
    for (int k = 0; k < shards_; ++k) {
        std::vector<std::string> cmd{"HGET", keys::receipts(campaign_, k), ballot_id};
        auto r = co_await redis_.command(std::move(cmd));
        if (!r) co_return detail::read_failure(r.error(), "find_receipt");
        if (r->is_nil()) continue;
        try {
            co_return std::optional<ReceiptLocation>(ReceiptLocation{k, std::stoull(r->str)});
        } catch (const std::exception&) {
            co_return StoreError::corrupt;
        }
    }
    co_return std::optional<ReceiptLocation>();
}

asio::awaitable<StoreResult<bool>> BallotStore::has_voted(std::vector<std::string> claims) {
    if (claims.empty()) co_return false;
    auto k = keys::ballot_keys(campaign_, shards_, claims.front());
    std::vector<std::string> keys{std::move(k.voted), std::move(k.claims)};
    auto r = co_await redis_.eval(has_voted_script_, std::move(keys), std::move(claims));
    if (!r) co_return detail::read_failure(r.error(), "has_voted");
    if (r->type != redis::Reply::Type::integer) co_return StoreError::corrupt;
    co_return r->integer == 1;
}

asio::awaitable<StoreResult<VotedRecord>> BallotStore::voted_record(
    std::vector<std::string> claims) {
    if (claims.empty()) co_return VotedRecord{};
    std::vector<std::string> keys;
    try {
        // The primary comes from a binding read back from Redis: not hex is a corrupt value.
        auto k = keys::ballot_keys(campaign_, shards_, claims.front());
        keys = {std::move(k.voted), std::move(k.claims)};
    } catch (const std::invalid_argument&) {
        co_return StoreError::corrupt;
    }
    auto r = co_await redis_.eval(voted_record_script_, std::move(keys), std::move(claims));
    if (!r) co_return detail::read_failure(r.error(), "voted_record");
    if (r->elements.size() != 2) co_return StoreError::corrupt;
    const auto& kind = r->elements[0].str;
    if (kind == "marker")
        co_return VotedRecord{VotedRecord::State::voted, parse_voted_marker(r->elements[1].str)};
    if (kind == "claim") co_return VotedRecord{VotedRecord::State::other_declaration, {}};
    if (kind == "none") co_return VotedRecord{};
    co_return StoreError::corrupt;
}

asio::awaitable<StoreResult<std::map<std::string, long long>>> BallotStore::participation() {
    std::map<std::string, long long> totals;
    for (int k = 0; k < shards_; ++k) {
        std::vector<std::string> cmd{"HGETALL", keys::ballot_stats(campaign_, k)};
        auto r = co_await redis_.command(std::move(cmd));
        if (!r) co_return detail::read_failure(r.error(), "participation");
        for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
            try {
                totals[r->elements[i].str] += std::stoll(r->elements[i + 1].str);
            } catch (const std::exception&) {
                co_return StoreError::corrupt;
            }
        }
    }
    co_return totals;
}

asio::awaitable<StoreResult<ShardLedger>> BallotStore::ledger(int shard) {
    std::vector<std::string> keys{keys::ballot_log(campaign_, shard),
                                  keys::ballot_stats(campaign_, shard)};
    std::vector<std::string> args{keys::voted_pattern(campaign_, shard)};
    auto r = co_await redis_.eval(ledger_script_, std::move(keys), std::move(args));
    if (!r) co_return detail::read_failure(r.error(), "ledger");
    if (r->elements.size() != 3) co_return StoreError::corrupt;
    co_return ShardLedger{r->elements[0].integer, r->elements[2].integer, r->elements[1].integer};
}

}  // namespace budget::server::storage
