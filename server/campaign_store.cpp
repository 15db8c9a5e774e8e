#include "server/campaign_store.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <stdexcept>

#include "server/crypto.hpp"
#include "server/redis_keys.hpp"

namespace budget::server {

namespace asio = boost::asio;
namespace json = boost::json;

void throw_exception_from_error(StoreError e, const boost::source_location&) {
    throw std::runtime_error("campaign store error " + std::to_string(static_cast<int>(e)));
}

std::string ballot_key(const std::string& campaign) { return keys::prefix(campaign) + "ballot"; }

const BallotInitiative* SealedBallot::find(std::string_view id) const {
    auto it = std::lower_bound(initiatives.begin(), initiatives.end(), id,
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
                b.radar.emplace(std::string(marker), static_cast<int>(score.to_number<std::int64_t>()));
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

asio::awaitable<boost::system::result<std::shared_ptr<const SealedBallot>, StoreError>>
CampaignStore::sealed_ballot() {
    {
        std::lock_guard lock(mutex_);
        if (cached_) co_return cached_;
    }
    const auto& campaign = ctx_.config.campaign;
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::vector<std::string> cmd{"HMGET", ballot_key(campaign.id), "document", "digest",
                                     "signature", "public_key"};
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

asio::awaitable<boost::system::result<void, StoreError>> CampaignStore::seal() {
    // Implemented with the labelling storage (initiatives, evaluations, decisions).
    co_return StoreError::not_sealed;
}

}  // namespace budget::server
