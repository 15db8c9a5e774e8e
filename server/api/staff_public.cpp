// The public side of the labelling: the ballot's initiatives, their radars and the sealed ballot
// definition. Before the opening of the vote they show the labelling as it stands; from the
// opening, exactly the sealed ballot.
#include <boost/json.hpp>

#include "labelling/radar_svg.hpp"
#include "server/storage/campaign_store.hpp"
#include "server/api/staff_api.hpp"
#include "server/api/staff_api_detail.hpp"

namespace budget::server {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace staff_detail;

namespace {

/// The initiatives on the ballot now, or the answer explaining why they cannot be read.
struct BallotList {
    std::shared_ptr<const SealedBallot> sealed;  ///< from the opening of the vote
    std::vector<BallotInitiative> provisional;   ///< before: labelled so far

    const std::vector<BallotInitiative>& initiatives() const {
        return sealed ? sealed->initiatives : provisional;
    }
};

}  // namespace

namespace {

asio::awaitable<std::variant<BallotList, Response>> current_ballot(AppContext& ctx,
                                                                   LabellingStore& store,
                                                                   bool vote_opened,
                                                                   unsigned version) {
    BallotList list;
    if (vote_opened) {
        auto sealed = co_await ctx.campaign_store->sealed_ballot();
        if (!sealed) {
            auto res = sealed.error() == StoreError::corrupt
                           ? error_response(ApiError::internal, version)
                           : error_response(ApiError::storage_unavailable, version);
            co_return res;
        }
        list.sealed = *sealed;
        co_return list;
    }
    auto snapshot = co_await store.snapshot();
    if (!snapshot) co_return error_response(ApiError::storage_unavailable, version);
    list.provisional = labelled_initiatives(*snapshot, ctx.questionnaire);
    co_return list;
}

}  // namespace

asio::awaitable<Response> StaffApi::public_initiatives(RequestContext& rc) {
    const auto v = rc.request.version();
    auto ballot = co_await current_ballot(ctx_, store_, vote_opened(), v);
    if (auto* res = std::get_if<Response>(&ballot)) co_return std::move(*res);
    json::array out;
    for (const auto& b : std::get<BallotList>(ballot).initiatives()) {
        out.push_back(ballot_initiative_json(ctx_, b));
    }
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<Response> StaffApi::public_radar_svg(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto& id = rc.params["id"];
    auto ballot = co_await current_ballot(ctx_, store_, vote_opened(), v);
    if (auto* res = std::get_if<Response>(&ballot)) co_return std::move(*res);
    const auto& list = std::get<BallotList>(ballot).initiatives();
    const auto found =
        std::find_if(list.begin(), list.end(), [&](const auto& b) { return b.id == id; });
    if (found == list.end()) {
        co_return reject(
            ApiError::not_found, v, "unknown_initiative",
            "Aucune initiative labellisée n'a l'identifiant « " + id.substr(0, 64) + " ».");
    }
    labelling::MarkerScores radar(found->radar.begin(), found->radar.end());
    labelling::RadarOptions options;
    options.title = "Radar des marqueurs ESS — " + found->title;
    auto svg =
        labelling::render_radar_svg(labelling::radar_axes(ctx_.questionnaire), radar, {}, options);
    co_return text_response(http::status::ok, std::move(svg), "image/svg+xml; charset=utf-8", v);
}

asio::awaitable<Response> StaffApi::ballot_definition(RequestContext& rc) {
    const auto v = rc.request.version();
    if (!vote_opened()) {
        co_return reject(ApiError::not_found, v, "not_sealed",
                         "Le bulletin est scellé à l'ouverture du vote (" +
                             ctx_.config.campaign.vote_opens + ") : il n'existe pas encore.");
    }
    auto sealed = co_await ctx_.campaign_store->sealed_ballot();
    if (!sealed) {
        switch (sealed.error()) {
            case StoreError::not_sealed:
                co_return reject(ApiError::not_found, v, "not_sealed",
                                 "Le bulletin n'est pas encore scellé.");
            case StoreError::corrupt:
                co_return error_response(ApiError::internal, v);
            default:
                co_return error_response(ApiError::storage_unavailable, v);
        }
    }
    const auto& b = **sealed;
    // The document is served as the exact string that was hashed and signed: re-serialising an
    // object could change its bytes. Verify with crypto_sign_verify_detached over those bytes.
    json::object out{{"document", b.document},        {"digest", b.digest},
                     {"signature", b.signature},      {"public_key", b.public_key},
                     {"digest_algorithm", "SHA-256"}, {"signature_algorithm", "Ed25519"}};
    co_return json_response(http::status::ok, out, v);
}

}  // namespace budget::server
