#pragma once
// The public side of the labelling (docs/api.md, "Ballot"): `GET /api/v1/initiatives`, their
// radars `GET /api/v1/initiatives/{id}/radar.svg`, and the signed ballot
// `GET /api/v1/ballot-definition`. Before the opening of the vote they show the labelling as it
// stands; from the opening, exactly the sealed ballot (storage::CampaignStore seals it on first
// use).

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <variant>
#include <vector>

#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/http/router.hpp"
#include "server/storage/campaign_store.hpp"

namespace budget::server::api {

class PublicBallotApi {
  public:
    explicit PublicBallotApi(AppContext& ctx);
    void register_routes(http::Router& router);

  private:
    /// The initiatives on the ballot now.
    struct BallotList {
        std::shared_ptr<const storage::SealedBallot> sealed;  ///< from the opening of the vote
        std::vector<storage::BallotInitiative> provisional;   ///< before: labelled so far

        const std::vector<storage::BallotInitiative>& initiatives() const {
            return sealed ? sealed->initiatives : provisional;
        }
    };

    boost::asio::awaitable<Response> initiatives(RequestContext& rc);
    boost::asio::awaitable<Response> radar_svg(RequestContext& rc);
    boost::asio::awaitable<Response> ballot_definition(RequestContext& rc);

    /// The ballot as it stands, or the answer explaining why it cannot be read.
    boost::asio::awaitable<std::variant<BallotList, Response>> current_ballot(unsigned version);
    /// Whether the vote has opened: from then on the sealed ballot is the only truth.
    bool vote_opened() const;

    AppContext& ctx_;
};

}  // namespace budget::server::api
