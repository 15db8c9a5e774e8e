#include "server/campaign_store.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <stdexcept>

#include "config/config.hpp"
#include "config/paris_time.hpp"
#include "server/crypto.hpp"
#include "server/log.hpp"
#include "server/redis_keys.hpp"
#include "server/secrets.hpp"

namespace budget::server {

namespace asio = boost::asio;
namespace json = boost::json;

void throw_exception_from_error(StoreError e, const boost::source_location&) {
    throw std::runtime_error("campaign store error " + std::to_string(static_cast<int>(e)));
}

std::string ballot_key(const std::string& campaign) { return keys::prefix(campaign) + "ballot"; }

const BallotInitiative* SealedBallot::find(std::string_view id) const {
    auto it =
        std::lower_bound(initiatives.begin(), initiatives.end(), id,
                         [](const BallotInitiative& b, std::string_view v) { return b.id < v; });
    return it != initiatives.end() && it->id == id ? &*it : nullptr;
}

boost::system::result<std::shared_ptr<SealedBallot>, StoreError> CampaignStore::parse_ballot(
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

asio::awaitable<boost::system::result<std::shared_ptr<const SealedBallot>, StoreError>>
CampaignStore::sealed_ballot() {
    {
        std::lock_guard lock(mutex_);
        if (cached_) co_return cached_;
    }
    const auto& campaign = ctx_.config.campaign;
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::vector<std::string> cmd{
            "HMGET", ballot_key(campaign.id), "document", "digest", "signature", "public_key"};
        auto reply = co_await ctx_.redis.command(std::move(cmd));
        if (!reply || reply->is_error()) co_return StoreError::unavailable;
        const auto& fields = reply->elements;
        if (fields.size() == 4 && !fields[0].is_nil()) {
            auto parsed = parse_ballot(fields[0].str, fields[1].str, fields[2].str, fields[3].str);
            if (!parsed) co_return parsed.error();
            std::lock_guard lock(mutex_);
            cached_ = std::move(*parsed);
            co_return cached_;
        }
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        if (now < campaign.vote_opens_unix) co_return StoreError::not_sealed;
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
        const auto review = review_initiative(
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

std::string sign_document(const SigningKey& key, std::string_view document) {
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, nullptr,
                         reinterpret_cast<const unsigned char*>(document.data()), document.size(),
                         key.secret_key.data());
    return base64_encode(signature, sizeof signature);
}

asio::awaitable<boost::system::result<void, StoreError>> CampaignStore::seal() {
    const auto& campaign = ctx_.config.campaign;
    const boost::system::result<void, StoreError> done;
    const auto digest_of_questionnaire = labelling::questionnaire_digest(ctx_.questionnaire);
    const auto public_key =
        base64_encode(ctx_.signing_key.public_key.data(), ctx_.signing_key.public_key.size());
    // A write that lands between our read and our seal makes the seal `stale`: read again. Writes
    // are refused from the opening on, so this settles within a round or two.
    for (int attempt = 0; attempt < 5; ++attempt) {
        auto snapshot = co_await labelling_.snapshot();
        if (!snapshot) co_return StoreError::unavailable;
        if (snapshot->sealed) co_return done;
        const auto initiatives = labelled_initiatives(*snapshot, ctx_.questionnaire);
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        const auto document = ballot_document(campaign.id, initiatives, digest_of_questionnaire,
                                              config::format_paris_time(now));
        const auto digest = crypto::sha256_hex(document);
        const auto signature = sign_document(ctx_.signing_key, document);
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
                     {"public_key_fingerprint", key_fingerprint(ctx_.signing_key.public_key)}});
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

}  // namespace budget::server
