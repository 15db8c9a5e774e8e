#pragma once
// Every route of the public contract (docs/api.md), each group of handlers in its own file, and
// the three that belong to no group: health, campaign, metrics.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "server/api/app_context.hpp"
#include "server/api/applications_api.hpp"
#include "server/api/auth_api.hpp"
#include "server/api/ballot_api.hpp"
#include "server/api/errors.hpp"
#include "server/api/holder_api.hpp"
#include "server/api/holder_notices.hpp"
#include "server/api/labelling_api.hpp"
#include "server/api/log_api.hpp"
#include "server/api/log_service.hpp"
#include "server/api/privacy_api.hpp"
#include "server/api/my_data_api.hpp"
#include "server/api/public_ballot_api.hpp"
#include "server/api/purge_schedule.hpp"
#include "server/api/results_api.hpp"
#include "server/api/staff_guard.hpp"
#include "server/api/staff_session_api.hpp"
#include "server/http/router.hpp"

namespace budget::server::api {

class App {
  public:
    explicit App(AppContext& ctx);

    /// Adds every route to the router.
    void register_routes(http::Router& router);
    /// Background work: the periodic signed tree head of the ballot log, the close, the holders'
    /// status e-mails (their links start with `public_origin`).
    void start(boost::asio::io_context& ioc, const std::string& public_origin);

  private:
    boost::asio::awaitable<Response> health(RequestContext& rc);
    boost::asio::awaitable<Response> campaign(RequestContext& rc);
    boost::asio::awaitable<Response> metrics(RequestContext& rc);

    AppContext& ctx_;
    StaffGuard staff_guard_;  // before the groups that hold a reference to it
    AuthApi auth_;
    BallotApi ballots_;
    StaffSessionApi staff_sessions_;
    LabellingApi labelling_;
    PublicBallotApi public_ballot_;
    ResultsApi results_;
    LogService log_service_;
    LogApi log_;
    HolderApi holders_;             // issue 17: initiative holders
    ApplicationsApi applications_;  // issue 17: the Mission's admissibility
    HolderNotifier notifier_;       // issue 17: an e-mail at each status of a file
    PurgeSchedule purge_schedule_;  // issue 18: the automatic purge after publication
    PrivacyApi privacy_;            // issue 18: the facts of the notice pages
    // issue 18: the resident's report (what the engine holds about their address)
    MyDataApi my_data_;
};

}  // namespace budget::server::api
