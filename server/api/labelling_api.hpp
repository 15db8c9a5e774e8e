#pragma once
// The labelling, for the committee and the Mission ESS (docs/api.md, "Staff"): the Mission
// imports initiatives, each committee member answers the questionnaire per initiative, the radar
// shows the committee's median against the gate, and the committee decides. Every write leaves an
// audit entry; from the opening of the vote nothing changes any more.
//
// Thin handlers: the rules live in labelling/ (scoring, review, decision) and initiative_rows.hpp,
// the storage in storage::LabellingStore and storage::AuditLog, the JSON in staff_views.hpp.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <variant>

#include "labelling/decision.hpp"
#include "server/api/app_context.hpp"
#include "server/api/staff_guard.hpp"
#include "server/http/router.hpp"

namespace budget::server::api {

class LabellingApi {
  public:
    /// `guard` is shared with the other staff routes and must outlive this object.
    LabellingApi(AppContext& ctx, StaffGuard& guard);
    void register_routes(http::Router& router);

  private:
    /// A committee decision as requested, checked for everything that does not depend on the
    /// evaluations (the gate is checked against the labelling as it stands when it is recorded).
    struct DecisionRequest {
        labelling::Decision decision = labelling::Decision::refuse;
        std::string category;       ///< empty when none was given
        std::string justification;  ///< trimmed; empty when none was given
    };

    boost::asio::awaitable<Response> list_initiatives(RequestContext& rc);
    boost::asio::awaitable<Response> import_initiatives(RequestContext& rc);
    boost::asio::awaitable<Response> questionnaire(RequestContext& rc);
    boost::asio::awaitable<Response> public_questionnaire(RequestContext& rc);
    boost::asio::awaitable<Response> get_evaluation(RequestContext& rc);
    boost::asio::awaitable<Response> put_evaluation(RequestContext& rc);
    boost::asio::awaitable<Response> radar(RequestContext& rc);
    boost::asio::awaitable<Response> radar_svg(RequestContext& rc);
    boost::asio::awaitable<Response> decide(RequestContext& rc);
    boost::asio::awaitable<Response> audit(RequestContext& rc);

    /// Reads a decision body; the answer refusing it when it is malformed, when the decision is
    /// neither label nor refuse, or when a label names no category of the questionnaire.
    static std::variant<DecisionRequest, Response> read_decision(
        const boost::json::object& body, const labelling::Questionnaire& questionnaire,
        unsigned version);
    /// One attempt at recording a decision over the labelling as it stands; std::nullopt when
    /// the evaluations changed between the read and the write (try again on fresh data).
    boost::asio::awaitable<std::optional<Response>> try_decision(const StaffSession& session,
                                                                 const std::string& id,
                                                                 const DecisionRequest& request,
                                                                 unsigned version);

    /// Whether the vote has opened: from then on the labelling is frozen.
    bool vote_opened() const;

    AppContext& ctx_;
    StaffGuard& guard_;
};

}  // namespace budget::server::api
