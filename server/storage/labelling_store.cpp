#include "server/storage/labelling_store.hpp"

#include <boost/json.hpp>

#include "server/core/log.hpp"
#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {


/// KEYS: initiatives, evaluations, decisions, labelling_version, ballot.
/// Returns {version, sealed (0/1), HGETALL initiatives, HGETALL evaluations, HGETALL decisions}.
constexpr const char* kLabellingSnapshot = R"lua(
return {redis.call('GET', KEYS[4]) or '0', redis.call('HEXISTS', KEYS[5], 'document'),
        redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]),
        redis.call('HGETALL', KEYS[3])}
)lua";

/// All-or-nothing import. KEYS: initiatives, ballot, labelling_version, audit.
/// ARGV: n, then n pairs (id, initiative JSON), then the audit entry's field/value pairs.
/// Returns {'ok'}, {'sealed'} or {'exists', id...} (nothing written in the last two cases).
constexpr const char* kImportInitiatives = R"lua(
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
constexpr const char* kPutEvaluation = R"lua(
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
constexpr const char* kPutDecision = R"lua(
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
constexpr const char* kSealBallot = R"lua(
if redis.call('HEXISTS', KEYS[1], 'document') == 1 then return 'exists' end
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[5] then return 'stale' end
redis.call('HSET', KEYS[1], 'document', ARGV[1], 'digest', ARGV[2], 'signature', ARGV[3],
           'public_key', ARGV[4])
redis.call('XADD', KEYS[3], '*', unpack(ARGV, 6))
return 'ok'
)lua";




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

namespace {

// Reads the import script's reply: ok, sealed or conflict (with the existing ids).
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

}  // namespace

LabellingStore::LabellingStore(redis::Client& redis, std::string campaign)
    : redis_(redis),
      campaign_(std::move(campaign)),
      snapshot_script_(kLabellingSnapshot),
      import_script_(kImportInitiatives),
      evaluation_script_(kPutEvaluation),
      decision_script_(kPutDecision),
      seal_script_(kSealBallot) {}

asio::awaitable<std::optional<LabellingSnapshot>> LabellingStore::snapshot() {
    const auto& c = campaign_;
    std::vector<std::string> keys{keys::initiatives(c), keys::evaluations(c), keys::decisions(c),
                                  keys::labelling_version(c), keys::sealed_ballot(c)};
    std::vector<std::string> args;
    auto reply = co_await redis_.eval(snapshot_script_, std::move(keys), std::move(args));
    if (!reply) {
        detail::read_failure(reply.error(), "labelling_snapshot");
        co_return std::nullopt;
    }
    co_return snapshot_from_reply(*reply);
}

asio::awaitable<WriteOutcome> LabellingStore::run_write(const redis::Script& script,
                                                        std::vector<std::string> keys,
                                                        std::vector<std::string> args) {
    auto reply = co_await redis_.eval(script, std::move(keys), std::move(args));
    if (!reply) {
        detail::write_failure(reply.error(), "labelling_write");
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
    const auto& c = campaign_;
    std::vector<std::string> keys{keys::initiatives(c), keys::sealed_ballot(c),
                                  keys::labelling_version(c), keys::audit(c)};
    std::vector<std::string> args;
    args.push_back(std::to_string(records.size()));
    for (const auto& r : records) {
        args.push_back(r.id);
        args.push_back(to_stored_json(r));
    }
    append_audit(args, audit);
    auto reply = co_await redis_.eval(import_script_, std::move(keys), std::move(args));
    if (!reply) {
        detail::write_failure(reply.error(), "import_initiatives");
        co_return WriteOutcome::unavailable;
    }
    co_return import_outcome(*reply, existing_ids);
}

asio::awaitable<WriteOutcome> LabellingStore::put_evaluation(const std::string& initiative,
                                                             const StoredEvaluation& evaluation,
                                                             const AuditEntry& audit) {
    const auto& c = campaign_;
    std::vector<std::string> keys{keys::initiatives(c),       keys::evaluations(c),
                                  keys::decisions(c),         keys::sealed_ballot(c),
                                  keys::labelling_version(c), keys::audit(c)};
    std::vector<std::string> args{initiative, initiative + "/" + evaluation.username,
                                  to_stored_json(evaluation)};
    append_audit(args, audit);
    co_return co_await run_write(evaluation_script_, std::move(keys), std::move(args));
}

asio::awaitable<WriteOutcome> LabellingStore::put_decision(const std::string& initiative,
                                                           const StoredDecision& decision,
                                                           std::int64_t version_read,
                                                           const AuditEntry& audit) {
    const auto& c = campaign_;
    std::vector<std::string> keys{keys::initiatives(c), keys::decisions(c),
                                  keys::sealed_ballot(c), keys::labelling_version(c),
                                  keys::audit(c)};
    std::vector<std::string> args{initiative, to_stored_json(decision),
                                  std::to_string(version_read)};
    append_audit(args, audit);
    co_return co_await run_write(decision_script_, std::move(keys), std::move(args));
}

asio::awaitable<WriteOutcome> LabellingStore::store_ballot(
    const std::string& document, const std::string& digest, const std::string& signature,
    const std::string& public_key, std::int64_t version_read, const AuditEntry& audit) {
    const auto& c = campaign_;
    std::vector<std::string> keys{keys::sealed_ballot(c), keys::labelling_version(c),
                                  keys::audit(c)};
    std::vector<std::string> args{document, digest, signature, public_key,
                                  std::to_string(version_read)};
    append_audit(args, audit);
    co_return co_await run_write(seal_script_, std::move(keys), std::move(args));
}

}  // namespace budget::server::storage
