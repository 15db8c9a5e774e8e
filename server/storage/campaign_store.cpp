#include "server/storage/campaign_store.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <stdexcept>

#include "config/config.hpp"
#include "config/paris_time.hpp"
#include "labelling/review.hpp"
#include "server/core/crypto.hpp"
#include "server/core/log.hpp"
#include "server/storage/detail/failures.hpp"
#include "server/storage/keys.hpp"

namespace budget::server::storage {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

/// The campaign's close, recorded once with its audit entry.
/// KEYS: the closed key, the audit stream. ARGV: the instant (unix seconds), the audit fields.
/// Returns 1 when this call closed the vote, 0 when it was closed already.
constexpr const char* kRecordClose = R"lua(
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
return 1
)lua";

}  // namespace

CampaignStore::CampaignStore(redis::Client& redis, const config::CampaignConfig& campaign,
                             const labelling::Questionnaire& questionnaire,
                             const SigningKey& signing_key, const Clock& clock)
    : redis_(redis),
      campaign_(campaign),
      questionnaire_(questionnaire),
      signing_key_(signing_key),
      clock_(clock),
      labelling_(redis, campaign.id),
      close_script_(kRecordClose) {}

voting::VoteWindow CampaignStore::window() const {
    return {campaign_.vote_opens_unix, campaign_.vote_closes_unix};
}

asio::awaitable<StoreResult<bool>> CampaignStore::published() {
    std::vector<std::string> exists{"EXISTS", keys::published(campaign_.id)};
    auto reply = co_await redis_.command(std::move(exists));
    if (!reply) co_return detail::read_failure(reply.error(), "published");
    co_return reply->integer == 1;
}

asio::awaitable<StoreResult<bool>> CampaignStore::closed() {
    std::vector<std::string> exists{"EXISTS", keys::closed(campaign_.id)};
    auto reply = co_await redis_.command(std::move(exists));
    if (!reply) co_return detail::read_failure(reply.error(), "closed");
    co_return reply->integer == 1;
}

asio::awaitable<StoreResult<bool>> CampaignStore::record_close(int shards, AuditEntry audit) {
    const auto at = std::to_string(clock_.now());
    // The shards first: once the campaign's key says closed (and the tally may read the log),
    // every shard's script refuses already. HSETNX keeps the first instant.
    for (int k = 0; k < shards; ++k) {
        std::vector<std::string> mark{"HSETNX", keys::ballot_stats(campaign_.id, k),
                                      keys::kClosedField, at};
        auto r = co_await redis_.command(std::move(mark));
        if (!r) co_return detail::read_failure(r.error(), "record_close");
    }
    std::vector<std::string> ks{keys::closed(campaign_.id), keys::audit(campaign_.id)};
    std::vector<std::string> args{at};
    for (auto& f : audit_fields(audit, config::format_paris_time(clock_.now())))
        args.push_back(std::move(f));
    auto r = co_await redis_.eval(close_script_, std::move(ks), std::move(args));
    if (!r) co_return detail::read_failure(r.error(), "record_close");
    if (r->integer == 1) log_event("info", "vote_closed", {{"by", audit.username}});
    co_return r->integer == 1;
}

asio::awaitable<StoreResult<bool>> CampaignStore::close_when_due(int shards) {
    auto recorded = co_await closed();
    if (!recorded || *recorded) co_return recorded;
    if (voting::phase_at(window(), clock_.now()) != voting::Phase::closed) co_return false;
    AuditEntry audit{"budgetd", "system", "close", campaign_.id, json::object{{"reason", "window"}},
                     ""};
    auto done = co_await record_close(shards, std::move(audit));
    if (!done) co_return done.error();
    co_return true;
}

asio::awaitable<StoreResult<voting::Phase>> CampaignStore::phase() {
    const auto now = clock_.now();
    voting::RecordedPhase recorded;
    // The recorded state first: a close recorded by another process (or early, by budgetctl)
    // holds whatever this process's clock says.
    auto closed_now = co_await closed();
    if (!closed_now) co_return closed_now.error();
    recorded.closed = *closed_now;
    if (recorded.closed || voting::phase_at(window(), now) == voting::Phase::closed) {
        auto published_now = co_await published();
        if (!published_now) co_return published_now.error();
        recorded.published = *published_now;
    }
    co_return voting::phase_at(window(), now, recorded);
}

const BallotInitiative* SealedBallot::find(std::string_view id) const {
    auto it =
        std::lower_bound(initiatives.begin(), initiatives.end(), id,
                         [](const BallotInitiative& b, std::string_view v) { return b.id < v; });
    return it != initiatives.end() && it->id == id ? &*it : nullptr;
}

StoreResult<std::shared_ptr<SealedBallot>> CampaignStore::parse_ballot(
    std::string document, std::string digest, std::string signature, std::string public_key) {
    if (crypto::sha256_hex(document) != digest) return StoreError::corrupt;
    boost::system::error_code ec;
    const auto doc = json::parse(document, ec);
    if (ec || !doc.is_object()) return StoreError::corrupt;
    auto ballot = std::make_shared<SealedBallot>();
    try {
        for (const auto& item : doc.at("initiatives").as_array()) {
            const auto& o = item.as_object();
            BallotInitiative b;
            b.id = json::value_to<std::string>(o.at("id"));
            b.title = json::value_to<std::string>(o.at("title"));
            b.summary = json::value_to<std::string>(o.at("summary"));
            b.holder = json::value_to<std::string>(o.at("holder"));
            b.commune = json::value_to<std::string>(o.at("commune"));
            b.territory = json::value_to<std::string>(o.at("territory"));
            b.category = json::value_to<std::string>(o.at("category"));
            b.requested_eur = o.at("requested_eur").to_number<std::int64_t>();
            b.amount_eur = o.at("amount_eur").to_number<std::int64_t>();
            for (const auto& [marker, score] : o.at("radar").as_object()) {
                b.radar.emplace(std::string(marker),
                                static_cast<int>(score.to_number<std::int64_t>()));
            }
            ballot->initiatives.push_back(std::move(b));
        }
    } catch (const std::exception&) {
        return StoreError::corrupt;
    }
    std::sort(ballot->initiatives.begin(), ballot->initiatives.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    ballot->document = std::move(document);
    ballot->digest = std::move(digest);
    ballot->signature = std::move(signature);
    ballot->public_key = std::move(public_key);
    return ballot;
}

std::shared_ptr<const SealedBallot> CampaignStore::cached_ballot() {
    std::lock_guard lock(mutex_);
    return cached_;
}

asio::awaitable<StoreResult<std::shared_ptr<const SealedBallot>>> CampaignStore::sealed_ballot() {
    {
        std::lock_guard lock(mutex_);
        if (cached_) co_return cached_;
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::vector<std::string> cmd{"HMGET", keys::sealed_ballot(campaign_.id), "document",
                                     "digest", "signature", "public_key"};
        auto reply = co_await redis_.command(std::move(cmd));
        if (!reply) co_return detail::read_failure(reply.error(), "sealed_ballot");
        const auto& fields = reply->elements;
        if (fields.size() == 4 && !fields[0].is_nil()) {
            auto parsed = parse_ballot(fields[0].str, fields[1].str, fields[2].str, fields[3].str);
            if (!parsed) co_return parsed.error();
            std::lock_guard lock(mutex_);
            cached_ = std::move(*parsed);
            co_return cached_;
        }
        if (!voting::vote_has_opened(window(), clock_.now())) co_return StoreError::not_sealed;
        auto sealed = co_await seal();
        if (!sealed) co_return sealed.error();
    }
    co_return StoreError::unavailable;
}

std::vector<BallotInitiative> labelled_initiatives(const LabellingSnapshot& snapshot,
                                                   const labelling::Questionnaire& questionnaire) {
    static const std::vector<StoredEvaluation> kNone;
    std::vector<BallotInitiative> out;
    for (const auto& [id, decision] : snapshot.decisions) {
        if (decision.decision != "label") continue;
        const auto found = snapshot.initiatives.find(id);
        if (found == snapshot.initiatives.end()) continue;
        const auto& record = found->second;
        const auto evaluations = snapshot.evaluations.find(id);
        const auto review = labelling::review_initiative(
            questionnaire, evaluations == snapshot.evaluations.end() ? kNone : evaluations->second);
        BallotInitiative b;
        b.id = record.id;
        b.title = record.title;
        b.summary = record.summary;
        b.holder = record.holder;
        b.commune = record.commune;
        b.territory = record.territory;
        b.category = decision.category;
        b.requested_eur = record.requested_eur;
        b.amount_eur = record.requested_eur;
        if (const auto* category = labelling::find_category(questionnaire, decision.category)) {
            b.amount_eur = std::min(record.requested_eur, category->cap_eur);
        } else {
            // Only a questionnaire changed under a running campaign gets here: keep the
            // initiative on the ballot (the committee labelled it) and say so loudly.
            log_event("warn", "labelled_category_unknown",
                      {{"initiative", id}, {"category", decision.category}});
        }
        b.radar.insert(review.aggregate.begin(), review.aggregate.end());
        out.push_back(std::move(b));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

std::string ballot_document(const std::string& campaign,
                            const std::vector<BallotInitiative>& initiatives,
                            const std::string& questionnaire_digest, const std::string& sealed_at) {
    // boost::json keeps insertion order: every object is built with its keys in sorted order.
    json::array list;
    for (const auto& b : initiatives) {
        json::object radar;
        for (const auto& [marker, score] : b.radar) radar[marker] = score;
        list.push_back(json::object{{"amount_eur", b.amount_eur},
                                    {"category", b.category},
                                    {"commune", b.commune},
                                    {"holder", b.holder},
                                    {"id", b.id},
                                    {"radar", std::move(radar)},
                                    {"requested_eur", b.requested_eur},
                                    {"summary", b.summary},
                                    {"territory", b.territory},
                                    {"title", b.title}});
    }
    json::object doc{{"campaign", campaign},
                     {"initiatives", std::move(list)},
                     {"questionnaire_digest", questionnaire_digest},
                     {"sealed_at", sealed_at}};
    return json::serialize(doc);
}

asio::awaitable<StoreResult<bool>> CampaignStore::seal_document(std::string document,
                                                                 std::string operator_name) {
    auto snapshot = co_await labelling_.snapshot();
    if (!snapshot) co_return StoreError::unavailable;
    if (snapshot->sealed) co_return false;
    const auto digest = crypto::sha256_hex(document);
    const auto signature = sign_base64(signing_key_, document);
    AuditEntry audit{std::move(operator_name), "operator", "seal", campaign_.id,
                     {{"digest", digest}, {"source", "document given whole"}}, ""};
    const auto outcome = co_await labelling_.store_ballot(
        document, digest, signature, public_key_base64(signing_key_), snapshot->version, audit);
    if (outcome == WriteOutcome::ok) {
        std::lock_guard lock(mutex_);
        cached_.reset();
        co_return true;
    }
    if (outcome == WriteOutcome::sealed) co_return false;
    co_return StoreError::unavailable;
}

asio::awaitable<StoreResult<void>> CampaignStore::seal() {
    const auto& campaign = campaign_;
    const StoreResult<void> done;
    const auto digest_of_questionnaire = labelling::questionnaire_digest(questionnaire_);
    const auto public_key = public_key_base64(signing_key_);
    // A write that lands between our read and our seal makes the seal `stale`: read again. Writes
    // are refused from the opening on, so this settles within a round or two.
    for (int attempt = 0; attempt < 5; ++attempt) {
        auto snapshot = co_await labelling_.snapshot();
        if (!snapshot) co_return StoreError::unavailable;
        if (snapshot->sealed) co_return done;
        const auto initiatives = labelled_initiatives(*snapshot, questionnaire_);
        const auto document = ballot_document(campaign.id, initiatives, digest_of_questionnaire,
                                              config::format_paris_time(clock_.now()));
        const auto digest = crypto::sha256_hex(document);
        const auto signature = sign_base64(signing_key_, document);
        AuditEntry audit{"budgetd",
                         "system",
                         "seal",
                         campaign.id,
                         {{"digest", digest},
                          {"initiatives", initiatives.size()},
                          {"questionnaire_digest", digest_of_questionnaire}},
                         ""};
        const auto outcome = co_await labelling_.store_ballot(document, digest, signature,
                                                              public_key, snapshot->version, audit);
        switch (outcome) {
            case WriteOutcome::ok:
                log_event(
                    "info", "ballot_sealed",
                    {{"campaign", campaign.id},
                     {"digest", digest},
                     {"initiatives", initiatives.size()},
                     {"public_key_fingerprint", key_fingerprint(signing_key_.public_key)}});
                co_return done;
            case WriteOutcome::sealed:  // another process sealed first: its ballot stands
                co_return done;
            case WriteOutcome::stale:
                continue;
            default:
                co_return StoreError::unavailable;
        }
    }
    co_return StoreError::unavailable;
}

}  // namespace budget::server::storage
