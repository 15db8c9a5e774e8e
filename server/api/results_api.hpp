#pragma once
// After the vote: tally, publication, the published results (JSON, CSV), the anonymous ballot
// export, receipts with inclusion proofs, and the participation statistics. The work is the
// tally service's; these handlers read the request and word its answer.

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>

#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/api/tally_service.hpp"
#include "server/http/router.hpp"

namespace budget::server::api {

class ResultsApi {
  public:
    /// Refuses the request (401/403/CSRF...) unless a Mission ESS member makes it; nullopt lets
    /// it through. Given by the App, so that these handlers need not know how staff log in.
    using MissionGuard =
        std::function<boost::asio::awaitable<std::optional<Response>>(RequestContext&, bool write)>;

    ResultsApi(AppContext& ctx, MissionGuard mission_guard);
    void register_routes(http::Router& router);

  private:
    boost::asio::awaitable<Response> tally(RequestContext& rc);
    boost::asio::awaitable<Response> publish(RequestContext& rc);
    boost::asio::awaitable<Response> results(RequestContext& rc);
    boost::asio::awaitable<Response> results_csv(RequestContext& rc);
    boost::asio::awaitable<Response> ballots_export(RequestContext& rc);
    boost::asio::awaitable<Response> receipt(RequestContext& rc);
    boost::asio::awaitable<Response> stats(RequestContext& rc);

    AppContext& ctx_;
    MissionGuard guard_;
    TallyService tally_;
};

}  // namespace budget::server::api
