#pragma once
// The staff endpoints of API.md (login, initiatives, questionnaire, evaluation, radar, decision,
// audit) and the public ballot endpoints that come out of the labelling (initiatives, radar.svg,
// ballot-definition). Thin handlers: the rules live in labelling/, staff_initiatives.hpp and
// staff_auth.hpp; storage in labelling_store.hpp and campaign_store.hpp.
//
// Every staff route goes through StaffGuard (staff_guard.hpp).

#include <optional>
#include <string>
#include <variant>

#include "server/api/app_context.hpp"
#include "server/storage/audit_log.hpp"
#include "server/storage/labelling_store.hpp"
#include "server/http/router.hpp"
#include "server/api/staff_auth.hpp"
#include "server/api/staff_guard.hpp"

namespace budget::server {

class StaffApi {
  public:
    explicit StaffApi(AppContext& ctx);
    void register_routes(Router& router);

    /// Who may call a route.
    using Access = StaffAccess;

    /// The session of an allowed caller, or the answer refusing the request. Public so that
    /// other groups of staff routes (results, statistics) apply the same checks; they may also
    /// hold their own StaffGuard.
    boost::asio::awaitable<std::variant<StaffSession, Response>> authorize(RequestContext& rc,
                                                                           Access access,
                                                                           bool write) {
        return guard_.authorize(rc, access, write);
    }

  private:
    // Sessions
    boost::asio::awaitable<Response> login(RequestContext& rc);
    boost::asio::awaitable<Response> logout(RequestContext& rc);
    boost::asio::awaitable<Response> me(RequestContext& rc);
    // Labelling
    boost::asio::awaitable<Response> list_initiatives(RequestContext& rc);
    boost::asio::awaitable<Response> import_initiatives(RequestContext& rc);
    boost::asio::awaitable<Response> questionnaire(RequestContext& rc);
    boost::asio::awaitable<Response> get_evaluation(RequestContext& rc);
    boost::asio::awaitable<Response> put_evaluation(RequestContext& rc);
    boost::asio::awaitable<Response> radar(RequestContext& rc);
    boost::asio::awaitable<Response> radar_svg(RequestContext& rc);
    boost::asio::awaitable<Response> decide(RequestContext& rc);
    boost::asio::awaitable<Response> audit(RequestContext& rc);
    // Public (staff_public.cpp)
    boost::asio::awaitable<Response> public_initiatives(RequestContext& rc);
    boost::asio::awaitable<Response> public_radar_svg(RequestContext& rc);
    boost::asio::awaitable<Response> ballot_definition(RequestContext& rc);

    /// Whether the vote has opened (from then on the labelling is frozen).
    bool vote_opened() const;

    AppContext& ctx_;
    StaffGuard guard_;
    LabellingStore store_;
    AuditLog audit_;
    crypto::Key32 login_key_;  ///< keys the rate-limit counters, so no raw address is stored
    redis::Script login_attempt_script_;
    redis::Script login_refund_script_;
    redis::Script open_session_script_;
};

}  // namespace budget::server
