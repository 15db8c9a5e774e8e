#include "server/api/public_ballot_api.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "labelling/radar_svg.hpp"
#include "server/api/labelling_text.hpp"
#include "server/api/request_body.hpp"
#include "server/api/staff_views.hpp"
#include "voting/phase.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

/// A sealed ballot that cannot be read: broken data is an internal error, the rest an outage.
Response unreadable_ballot(storage::StoreError error, unsigned version) {
    switch (error) {
        case storage::StoreError::not_sealed:
            return fail(Error::not_sealed, version);
        case storage::StoreError::corrupt:
            return fail(Error::internal, version);
        default:
            return fail(Error::storage_unavailable, version);
    }
}

}  // namespace

PublicBallotApi::PublicBallotApi(AppContext& ctx) : ctx_(ctx) {}

void PublicBallotApi::register_routes(http::Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    using v = http::verb;
    router.add(v::get, "/api/v1/initiatives", bind(&PublicBallotApi::initiatives));
    router.add(v::get, "/api/v1/initiatives/{id}/radar.svg", bind(&PublicBallotApi::radar_svg));
    router.add(v::get, "/api/v1/ballot-definition", bind(&PublicBallotApi::ballot_definition));
}

bool PublicBallotApi::vote_opened() const {
    return voting::vote_has_opened(ctx_.stores.campaign.window(), ctx_.clock.now());
}

asio::awaitable<std::variant<PublicBallotApi::BallotList, Response>>
PublicBallotApi::current_ballot(unsigned version) {
    BallotList list;
    if (vote_opened()) {
        auto sealed = co_await ctx_.stores.campaign.sealed_ballot();
        if (!sealed) {
            // Not sealed although the vote has opened: only a clock edge gets here, an outage.
            co_return sealed.error() == storage::StoreError::corrupt
                ? fail(Error::internal, version)
                : fail(Error::storage_unavailable, version);
        }
        list.sealed = *sealed;
        co_return list;
    }
    auto snapshot = co_await ctx_.stores.labelling.snapshot();
    if (!snapshot) co_return fail(Error::storage_unavailable, version);
    list.provisional = storage::labelled_initiatives(*snapshot, ctx_.questionnaire);
    co_return list;
}

asio::awaitable<Response> PublicBallotApi::initiatives(RequestContext& rc) {
    const auto v = rc.request.version();
    auto ballot = co_await current_ballot(v);
    if (auto* refused = std::get_if<Response>(&ballot)) co_return std::move(*refused);
    json::array out;
    for (const auto& b : std::get<BallotList>(ballot).initiatives()) {
        out.push_back(ballot_initiative_json(ctx_, b));
    }
    co_return http::json_response(http::status::ok, out, v);
}

asio::awaitable<Response> PublicBallotApi::radar_svg(RequestContext& rc) {
    const auto v = rc.request.version();
    const auto& id = rc.params["id"];
    auto ballot = co_await current_ballot(v);
    if (auto* refused = std::get_if<Response>(&ballot)) co_return std::move(*refused);
    const auto& list = std::get<BallotList>(ballot).initiatives();
    const auto found =
        std::find_if(list.begin(), list.end(), [&](const auto& b) { return b.id == id; });
    if (found == list.end()) {
        const auto excerpt = safe_excerpt(id, 64);
        co_return fail(Error::unknown_labelled_initiative, v, {excerpt});
    }
    const labelling::MarkerScores radar(found->radar.begin(), found->radar.end());
    labelling::RadarOptions options;
    options.texts = initiative_radar_texts(found->title);
    auto svg = labelling::render_radar_svg(labelling::radar_axes(ctx_.questionnaire), radar,
                                           labelling::RadarOverlays{}, options);
    co_return http::text_response(http::status::ok, std::move(svg), "image/svg+xml; charset=utf-8",
                                  v);
}

asio::awaitable<Response> PublicBallotApi::ballot_definition(RequestContext& rc) {
    const auto v = rc.request.version();
    if (!vote_opened()) {
        co_return fail(Error::not_sealed_yet, v, {ctx_.config.campaign.vote_opens});
    }
    auto sealed = co_await ctx_.stores.campaign.sealed_ballot();
    if (!sealed) co_return unreadable_ballot(sealed.error(), v);
    const auto& b = **sealed;
    // The document is served as the exact string that was hashed and signed: re-serialising an
    // object could change its bytes. Verify with crypto_sign_verify_detached over those bytes.
    json::object out{{"document", b.document},        {"digest", b.digest},
                     {"signature", b.signature},      {"public_key", b.public_key},
                     {"digest_algorithm", "SHA-256"}, {"signature_algorithm", "Ed25519"}};
    co_return http::json_response(http::status::ok, out, v);
}

}  // namespace budget::server::api
