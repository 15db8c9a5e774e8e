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

#include "labelling/review.hpp"
#include "server/redis/client.hpp"
#include "server/storage/audit_log.hpp"
#include "server/storage/initiative_record.hpp"

namespace budget::server::storage {

using StoredEvaluation = labelling::ReviewerEvaluation;

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

enum class WriteOutcome {
    ok,
    sealed,              ///< the ballot is sealed: nothing changes any more
    unknown_initiative,  ///< no initiative of that id
    decided,             ///< an evaluation after the decision
    stale,               ///< what the write was based on changed meanwhile: read again
    conflict,            ///< import: some ids exist already (see existing_ids)
    unavailable,         ///< Redis unreachable or timed out
};


class LabellingStore {
  public:
    LabellingStore(redis::Client& redis, std::string campaign);

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

    redis::Client& redis_;
    std::string campaign_;
    redis::Script snapshot_script_;
    redis::Script import_script_;
    redis::Script evaluation_script_;
    redis::Script decision_script_;
    redis::Script seal_script_;
};

}  // namespace budget::server::storage
