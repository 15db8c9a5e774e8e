#include "server/labelling_store.hpp"

#include <boost/json.hpp>

#include "server/log.hpp"

namespace budget::server {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Same key as ballot_key() in campaign_store.hpp, which includes this header.
std::string ballot_hash(const std::string& campaign) { return keys::prefix(campaign) + "ballot"; }

json::object parse_object(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return {};
    return std::move(v.as_object());
}

std::string string_field(const json::object& o, const char* name) {
    const auto* v = o.if_contains(name);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

void append_audit(std::vector<std::string>& args, const AuditEntry& audit) {
    for (auto& f : audit_fields(audit, now_rfc3339())) args.push_back(std::move(f));
}

}  // namespace

const StoredEvaluation* LabellingSnapshot::evaluation_of(std::string_view initiative,
                                                         std::string_view username) const {
    const auto it = evaluations.find(initiative);
    if (it == evaluations.end()) return nullptr;
    for (const auto& e : it->second) {
        if (e.username == username) return &e;
    }
    return nullptr;
}

std::optional<LabellingSnapshot> snapshot_from_reply(const redis::Reply& reply) {
    using T = redis::Reply::Type;
    if (reply.type != T::array || reply.elements.size() != 5) return std::nullopt;
    const auto& e = reply.elements;
    LabellingSnapshot snap;
    try {
        snap.version = std::stoll(e[0].str);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    snap.sealed = e[1].integer == 1;
    for (std::size_t i = 0; i + 1 < e[2].elements.size(); i += 2) {
        if (auto record = record_from_stored_json(e[2].elements[i + 1].str)) {
            snap.initiatives.emplace(record->id, std::move(*record));
        } else {
            log_event("error", "initiative_unreadable", {{"id", e[2].elements[i].str}});
        }
    }
    for (std::size_t i = 0; i + 1 < e[3].elements.size(); i += 2) {
        const auto& field = e[3].elements[i].str;
        const auto slash = field.find('/');
        if (slash == std::string::npos) continue;
        const auto o = parse_object(e[3].elements[i + 1].str);
        StoredEvaluation evaluation;
        evaluation.username = field.substr(slash + 1);
        evaluation.at = string_field(o, "at");
        if (const auto* answers = o.if_contains("answers"); answers && answers->is_object()) {
            for (const auto& [question, value] : answers->as_object()) {
                if (value.is_int64()) {
                    evaluation.answers.emplace(std::string(question),
                                               static_cast<int>(value.as_int64()));
                }
            }
        }
        snap.evaluations[field.substr(0, slash)].push_back(std::move(evaluation));
    }
    for (auto& [id, list] : snap.evaluations) {
        std::sort(list.begin(), list.end(),
                  [](const auto& a, const auto& b) { return a.username < b.username; });
    }
    for (std::size_t i = 0; i + 1 < e[4].elements.size(); i += 2) {
        const auto o = parse_object(e[4].elements[i + 1].str);
        StoredDecision d;
        d.decision = string_field(o, "decision");
        d.category = string_field(o, "category");
        d.justification = string_field(o, "justification");
        d.by = string_field(o, "by");
        d.at = string_field(o, "at");
        const auto* passes = o.if_contains("gate_passes");
        d.gate_passes = passes && passes->is_bool() && passes->as_bool();
        snap.decisions.emplace(e[4].elements[i].str, std::move(d));
    }
    return snap;
}

std::string to_stored_json(const StoredEvaluation& evaluation) {
    json::object answers;
    for (const auto& [question, value] : evaluation.answers) answers[question] = value;
    json::object o{{"answers", std::move(answers)}, {"at", evaluation.at}};
    return json::serialize(o);
}

std::string to_stored_json(const StoredDecision& d) {
    json::object o{{"decision", d.decision},
                   {"category", d.category},
                   {"justification", d.justification},
                   {"by", d.by},
                   {"at", d.at},
                   {"gate_passes", d.gate_passes}};
    return json::serialize(o);
}

InitiativeReview review_initiative(const labelling::Questionnaire& questionnaire,
                                   const std::vector<StoredEvaluation>& evaluations) {
    InitiativeReview review;
    std::vector<labelling::MarkerScores> all;
    for (const auto& evaluation : evaluations) {
        auto scores = labelling::score_evaluation(questionnaire, {evaluation.answers});
        if (!scores) {
            ++review.stale_evaluations;
            continue;
        }
        all.push_back(*scores);
        review.reviewer_scores.emplace(evaluation.username, std::move(*scores));
    }
    review.reviewers = static_cast<int>(all.size());
    review.aggregate = labelling::aggregate(all);
    review.gate = labelling::evaluate_gate(questionnaire, review.aggregate, review.reviewers);
    if (review.reviewers > 0)
        review.proposal = labelling::propose_category(questionnaire, review.aggregate);
    return review;
}

ScriptCall import_call(const std::string& campaign, const std::vector<InitiativeRecord>& records,
                       const AuditEntry& audit, const std::string& at) {
    ScriptCall call;
    call.keys = {keys::initiatives(campaign), ballot_hash(campaign),
                 keys::labelling_version(campaign), audit_key(campaign)};
    call.args.push_back(std::to_string(records.size()));
    for (const auto& r : records) {
        call.args.push_back(r.id);
        call.args.push_back(to_stored_json(r));
    }
    for (auto& f : audit_fields(audit, at)) call.args.push_back(std::move(f));
    return call;
}

WriteOutcome import_outcome(const redis::Reply& reply, std::vector<std::string>& existing_ids) {
    if (reply.type != redis::Reply::Type::array || reply.elements.empty()) {
        return WriteOutcome::unavailable;
    }
    const auto& tag = reply.elements[0].str;
    if (tag == "ok") return WriteOutcome::ok;
    if (tag == "sealed") return WriteOutcome::sealed;
    if (tag == "exists") {
        for (std::size_t i = 1; i < reply.elements.size(); ++i) {
            existing_ids.push_back(reply.elements[i].str);
        }
        return WriteOutcome::conflict;
    }
    return WriteOutcome::unavailable;
}

LabellingStore::LabellingStore(AppContext& ctx)
    : ctx_(ctx),
      snapshot_script_(scripts::kLabellingSnapshot),
      import_script_(scripts::kImportInitiatives),
      evaluation_script_(scripts::kPutEvaluation),
      decision_script_(scripts::kPutDecision),
      seal_script_(scripts::kSealBallot) {}

asio::awaitable<std::optional<LabellingSnapshot>> LabellingStore::snapshot() {
    const auto& c = ctx_.config.campaign.id;
    std::vector<std::string> keys{keys::initiatives(c), keys::evaluations(c), keys::decisions(c),
                                  keys::labelling_version(c), ballot_hash(c)};
    std::vector<std::string> args;
    auto reply = co_await ctx_.redis.eval(snapshot_script_, std::move(keys), std::move(args));
    if (!reply || reply->is_error()) {
        if (reply) log_event("error", "labelling_snapshot_failed", {{"reason", reply->str}});
        co_return std::nullopt;
    }
    co_return snapshot_from_reply(*reply);
}

asio::awaitable<WriteOutcome> LabellingStore::run_write(const redis::Script& script,
                                                        std::vector<std::string> keys,
                                                        std::vector<std::string> args) {
    auto reply = co_await ctx_.redis.eval(script, std::move(keys), std::move(args));
    if (!reply || reply->is_error()) {
        if (reply) log_event("error", "labelling_write_failed", {{"reason", reply->str}});
        co_return WriteOutcome::unavailable;
    }
    const auto& s = reply->str;
    if (s == "ok") co_return WriteOutcome::ok;
    if (s == "sealed") co_return WriteOutcome::sealed;
    if (s == "exists") co_return WriteOutcome::sealed;
    if (s == "unknown") co_return WriteOutcome::unknown_initiative;
    if (s == "decided") co_return WriteOutcome::decided;
    if (s == "stale") co_return WriteOutcome::stale;
    co_return WriteOutcome::unavailable;
}

asio::awaitable<WriteOutcome> LabellingStore::import(const std::vector<InitiativeRecord>& records,
                                                     const AuditEntry& audit,
                                                     std::vector<std::string>& existing_ids) {
    auto call = import_call(ctx_.config.campaign.id, records, audit, now_rfc3339());
    auto reply =
        co_await ctx_.redis.eval(import_script_, std::move(call.keys), std::move(call.args));
    if (!reply || reply->is_error()) {
        if (reply) log_event("error", "import_failed", {{"reason", reply->str}});
        co_return WriteOutcome::unavailable;
    }
    co_return import_outcome(*reply, existing_ids);
}

asio::awaitable<WriteOutcome> LabellingStore::put_evaluation(const std::string& initiative,
                                                             const StoredEvaluation& evaluation,
                                                             const AuditEntry& audit) {
    const auto& c = ctx_.config.campaign.id;
    std::vector<std::string> keys{keys::initiatives(c),       keys::evaluations(c),
                                  keys::decisions(c),         ballot_hash(c),
                                  keys::labelling_version(c), audit_key(c)};
    std::vector<std::string> args{initiative, initiative + "/" + evaluation.username,
                                  to_stored_json(evaluation)};
    append_audit(args, audit);
    co_return co_await run_write(evaluation_script_, std::move(keys), std::move(args));
}

asio::awaitable<WriteOutcome> LabellingStore::put_decision(const std::string& initiative,
                                                           const StoredDecision& decision,
                                                           std::int64_t version_read,
                                                           const AuditEntry& audit) {
    const auto& c = ctx_.config.campaign.id;
    std::vector<std::string> keys{keys::initiatives(c), keys::decisions(c), ballot_hash(c),
                                  keys::labelling_version(c), audit_key(c)};
    std::vector<std::string> args{initiative, to_stored_json(decision),
                                  std::to_string(version_read)};
    append_audit(args, audit);
    co_return co_await run_write(decision_script_, std::move(keys), std::move(args));
}

asio::awaitable<WriteOutcome> LabellingStore::store_ballot(
    const std::string& document, const std::string& digest, const std::string& signature,
    const std::string& public_key, std::int64_t version_read, const AuditEntry& audit) {
    const auto& c = ctx_.config.campaign.id;
    std::vector<std::string> keys{ballot_hash(c), keys::labelling_version(c), audit_key(c)};
    std::vector<std::string> args{document, digest, signature, public_key,
                                  std::to_string(version_read)};
    append_audit(args, audit);
    co_return co_await run_write(seal_script_, std::move(keys), std::move(args));
}

}  // namespace budget::server
