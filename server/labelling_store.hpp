#pragma once
// The labelling data of a campaign in Redis: initiatives, evaluations, decisions.
//
// Keys (all under the campaign's hash tag, so every script stays in one slot):
//   budget:{c<campaign>}:initiatives        hash  id -> initiative JSON (staff_initiatives.hpp)
//   budget:{c<campaign>}:evaluations        hash  "<initiative id>/<username>" ->
//                                                 {"answers":{question:int},"at"}
//   budget:{c<campaign>}:decisions          hash  id -> {"decision":"label"|"refuse","category",
//                                                 "justification","by","at","gate_passes"}
//   budget:{c<campaign>}:labelling_version  counter, +1 at every write above
//   budget:{c<campaign>}:ballot             the sealed ballot (campaign_store.hpp)
//   budget:{c<campaign>}:audit              stream (audit_log.hpp)
//
// Every write is one Lua script that refuses once the ballot is sealed, bumps the version and
// appends its audit entry in the same step: nothing is written without its audit entry, and
// nothing after the seal. Readers take one consistent snapshot with a script; writers whose
// decision depends on what they read (a decision depends on the evaluations, the seal on
// everything) pass the version they read and are refused as `stale` if anything changed since.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "labelling/scoring.hpp"
#include "server/app_context.hpp"
#include "server/audit_log.hpp"
#include "server/redis_client.hpp"
#include "server/redis_keys.hpp"
#include "server/staff_initiatives.hpp"

namespace budget::server {

namespace keys {
inline std::string initiatives(const std::string& c) { return prefix(c) + "initiatives"; }
inline std::string evaluations(const std::string& c) { return prefix(c) + "evaluations"; }
inline std::string decisions(const std::string& c) { return prefix(c) + "decisions"; }
inline std::string labelling_version(const std::string& c) {
    return prefix(c) + "labelling_version";
}
}  // namespace keys

struct StoredEvaluation {
    std::string username;
    labelling::Answers answers;
    std::string at;
};

struct StoredDecision {
    std::string decision;  ///< "label" or "refuse"
    std::string category;  ///< empty for a refusal
    std::string justification;
    std::string by;
    std::string at;
    bool gate_passes = false;  ///< the gate when the decision was taken
};

/// Everything of the labelling at one instant.
struct LabellingSnapshot {
    std::int64_t version = 0;
    bool sealed = false;
    std::map<std::string, InitiativeRecord, std::less<>> initiatives;
    std::map<std::string, std::vector<StoredEvaluation>, std::less<>> evaluations;  ///< by id
    std::map<std::string, StoredDecision, std::less<>> decisions;

    const StoredEvaluation* evaluation_of(std::string_view initiative,
                                          std::string_view username) const;
};

/// Reads the reply of the snapshot script; std::nullopt when it is not of the expected shape.
std::optional<LabellingSnapshot> snapshot_from_reply(const redis::Reply& reply);

std::string to_stored_json(const StoredEvaluation& evaluation);
std::string to_stored_json(const StoredDecision& decision);

/// What the committee sees of one initiative: each reviewer's scores, their median, the gate.
struct InitiativeReview {
    std::map<std::string, labelling::MarkerScores, std::less<>> reviewer_scores;  ///< by username
    labelling::MarkerScores aggregate;
    int reviewers = 0;
    /// Evaluations that no longer score against the questionnaire in force (it changed since).
    int stale_evaluations = 0;
    labelling::GateVerdict gate;
    std::optional<labelling::CategoryProposal> proposal;  ///< none without any evaluation
};

InitiativeReview review_initiative(const labelling::Questionnaire& questionnaire,
                                   const std::vector<StoredEvaluation>& evaluations);

enum class WriteOutcome {
    ok,
    sealed,              ///< the ballot is sealed: nothing changes any more
    unknown_initiative,  ///< no initiative of that id
    decided,             ///< an evaluation after the decision
    stale,               ///< what the write was based on changed meanwhile: read again
    conflict,            ///< import: some ids exist already (see existing_ids)
    unavailable,         ///< Redis unreachable or timed out
};

namespace scripts {

/// KEYS: initiatives, evaluations, decisions, labelling_version, ballot.
/// Returns {version, sealed (0/1), HGETALL initiatives, HGETALL evaluations, HGETALL decisions}.
inline constexpr const char* kLabellingSnapshot = R"lua(
return {redis.call('GET', KEYS[4]) or '0', redis.call('HEXISTS', KEYS[5], 'document'),
        redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]),
        redis.call('HGETALL', KEYS[3])}
)lua";

/// All-or-nothing import. KEYS: initiatives, ballot, labelling_version, audit.
/// ARGV: n, then n pairs (id, initiative JSON), then the audit entry's field/value pairs.
/// Returns {'ok'}, {'sealed'} or {'exists', id...} (nothing written in the last two cases).
inline constexpr const char* kImportInitiatives = R"lua(
if redis.call('HEXISTS', KEYS[2], 'document') == 1 then return {'sealed'} end
local n = tonumber(ARGV[1])
local existing = {'exists'}
for i = 0, n - 1 do
  if redis.call('HEXISTS', KEYS[1], ARGV[2 + 2 * i]) == 1 then
    existing[#existing + 1] = ARGV[2 + 2 * i]
  end
end
if #existing > 1 then return existing end
for i = 0, n - 1 do
  redis.call('HSET', KEYS[1], ARGV[2 + 2 * i], ARGV[3 + 2 * i])
end
redis.call('INCR', KEYS[3])
redis.call('XADD', KEYS[4], '*', unpack(ARGV, 2 + 2 * n))
return {'ok'}
)lua";

/// KEYS: initiatives, evaluations, decisions, ballot, labelling_version, audit.
/// ARGV: initiative id, evaluation field, evaluation JSON, audit field/value pairs.
/// Returns 'ok', 'sealed', 'unknown' or 'decided'.
inline constexpr const char* kPutEvaluation = R"lua(
if redis.call('HEXISTS', KEYS[4], 'document') == 1 then return 'sealed' end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 'unknown' end
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return 'decided' end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('INCR', KEYS[5])
redis.call('XADD', KEYS[6], '*', unpack(ARGV, 4))
return 'ok'
)lua";

/// KEYS: initiatives, decisions, ballot, labelling_version, audit.
/// ARGV: initiative id, decision JSON, version read, audit field/value pairs.
/// Returns 'ok', 'sealed', 'unknown' or 'stale'.
inline constexpr const char* kPutDecision = R"lua(
if redis.call('HEXISTS', KEYS[3], 'document') == 1 then return 'sealed' end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 'unknown' end
if (redis.call('GET', KEYS[4]) or '0') ~= ARGV[3] then return 'stale' end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[4])
redis.call('XADD', KEYS[5], '*', unpack(ARGV, 4))
return 'ok'
)lua";

/// Writes the sealed ballot once. KEYS: ballot, labelling_version, audit.
/// ARGV: document, digest, signature, public key, version read, audit field/value pairs.
/// Returns 'ok', 'exists' (someone sealed first: keep theirs) or 'stale'.
inline constexpr const char* kSealBallot = R"lua(
if redis.call('HEXISTS', KEYS[1], 'document') == 1 then return 'exists' end
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[5] then return 'stale' end
redis.call('HSET', KEYS[1], 'document', ARGV[1], 'digest', ARGV[2], 'signature', ARGV[3],
           'public_key', ARGV[4])
redis.call('XADD', KEYS[3], '*', unpack(ARGV, 6))
return 'ok'
)lua";

}  // namespace scripts

/// Keys and arguments of the import script (shared with budgetctl, which runs it synchronously).
struct ScriptCall {
    std::vector<std::string> keys;
    std::vector<std::string> args;
};
ScriptCall import_call(const std::string& campaign, const std::vector<InitiativeRecord>& records,
                       const AuditEntry& audit, const std::string& at);

/// Reads the import script's reply: ok, sealed or conflict (with the existing ids).
WriteOutcome import_outcome(const redis::Reply& reply, std::vector<std::string>& existing_ids);

class LabellingStore {
  public:
    explicit LabellingStore(AppContext& ctx);

    /// One consistent view of the labelling; std::nullopt when Redis is unavailable.
    boost::asio::awaitable<std::optional<LabellingSnapshot>> snapshot();

    boost::asio::awaitable<WriteOutcome> import(const std::vector<InitiativeRecord>& records,
                                                const AuditEntry& audit,
                                                std::vector<std::string>& existing_ids);

    boost::asio::awaitable<WriteOutcome> put_evaluation(const std::string& initiative,
                                                        const StoredEvaluation& evaluation,
                                                        const AuditEntry& audit);

    boost::asio::awaitable<WriteOutcome> put_decision(const std::string& initiative,
                                                      const StoredDecision& decision,
                                                      std::int64_t version_read,
                                                      const AuditEntry& audit);

    /// Stores the sealed ballot unless one exists (`sealed`) or the labelling changed since
    /// `version_read` (`stale`).
    boost::asio::awaitable<WriteOutcome> store_ballot(
        const std::string& document, const std::string& digest, const std::string& signature,
        const std::string& public_key, std::int64_t version_read, const AuditEntry& audit);

  private:
    boost::asio::awaitable<WriteOutcome> run_write(const redis::Script& script,
                                                   std::vector<std::string> keys,
                                                   std::vector<std::string> args);

    AppContext& ctx_;
    redis::Script snapshot_script_;
    redis::Script import_script_;
    redis::Script evaluation_script_;
    redis::Script decision_script_;
    redis::Script seal_script_;
};

}  // namespace budget::server
