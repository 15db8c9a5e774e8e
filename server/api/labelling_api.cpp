#include "server/api/labelling_api.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "labelling/radar_svg.hpp"
#include "labelling/review.hpp"
#include "server/api/initiative_rows.hpp"
#include "server/api/labelling_text.hpp"
#include "server/api/request_body.hpp"
#include "server/api/staff_views.hpp"
#include "server/core/log.hpp"
#include "voting/phase.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxJustificationChars = 4000;
constexpr std::size_t kMaxAnswers = 500;

/// The answers of an evaluation body, checked against the questionnaire; the refusal otherwise.
std::variant<AnswerCheck, Response> read_answers(const Request& req,
                                                 const labelling::Questionnaire& questionnaire) {
    const auto v = req.version();
    auto body = parse_json_object(req);
    if (auto* rej = std::get_if<Rejection>(&body)) return rej->to_response(v);
    const auto* answers = std::get<json::object>(body).if_contains("answers");
    if (!answers || !answers->is_object()) return fail(Error::answers_not_object, v);
    if (answers->as_object().size() > kMaxAnswers) return fail(Error::too_many_answers, v);
    auto check = check_answers(questionnaire, answers->as_object());
    if (!check.scores) return invalid_answers(v, std::move(check.problems));
    return check;
}

/// The answer to a decision the rule refuses (labelling::check_decision).
Response decision_refused(labelling::DecisionError error,
                          const labelling::Questionnaire& questionnaire,
                          const labelling::GateVerdict& gate, unsigned version) {
    switch (error) {
        case labelling::DecisionError::unknown_category: {
            std::string known;
            for (const auto& c : questionnaire.categories) {
                known += (known.empty() ? "«\u00a0" : ", «\u00a0") + c.id + "\u00a0»";
            }
            return fail(Error::invalid_category, version, {known});
        }
        case labelling::DecisionError::justification_to_label:
        case labelling::DecisionError::justification_to_refuse:
            break;
    }
    json::object extra{{"gate", gate_json(gate)}};
    return fail_with(error == labelling::DecisionError::justification_to_label
                         ? Error::justification_to_label
                         : Error::justification_to_refuse,
                     version, std::move(extra));
}

storage::AuditEntry staff_audit(const StaffSession& session, std::string action, std::string target,
                                json::object details, std::string justification = {}) {
    return {session.username,   std::string(to_string(session.role)),
            std::move(action),  std::move(target),
            std::move(details), std::move(justification)};
}

}  // namespace

LabellingApi::LabellingApi(AppContext& ctx, StaffGuard& guard) : ctx_(ctx), guard_(guard) {}

void LabellingApi::register_routes(http::Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    using v = http::verb;
    router.add(v::get, "/api/v1/admin/initiatives", bind(&LabellingApi::list_initiatives));
    router.add(v::post, "/api/v1/admin/initiatives", bind(&LabellingApi::import_initiatives));
    router.add(v::get, "/api/v1/admin/questionnaire", bind(&LabellingApi::questionnaire));
    // The questionnaire is public (the markers, their questions, the categories and their caps):
    // holders answer it as a self-assessment (issue 17), and anyone may read how the committee
    // scores. Two addresses, one answer.
    router.add(v::get, "/api/v1/questionnaire", bind(&LabellingApi::public_questionnaire));
    router.add(v::get, "/api/v1/holder/questionnaire", bind(&LabellingApi::public_questionnaire));
    router.add(v::get, "/api/v1/admin/initiatives/{id}/evaluation",
               bind(&LabellingApi::get_evaluation));
    router.add(v::put, "/api/v1/admin/initiatives/{id}/evaluation",
               bind(&LabellingApi::put_evaluation));
    router.add(v::get, "/api/v1/admin/initiatives/{id}/radar", bind(&LabellingApi::radar));
    router.add(v::get, "/api/v1/admin/initiatives/{id}/radar.svg", bind(&LabellingApi::radar_svg));
    router.add(v::post, "/api/v1/admin/initiatives/{id}/decision", bind(&LabellingApi::decide));
    router.add(v::get, "/api/v1/admin/audit", bind(&LabellingApi::audit));
}

bool LabellingApi::vote_opened() const {
    return voting::vote_has_opened(ctx_.stores.campaign.window(), ctx_.clock.now());
}

asio::awaitable<Response> LabellingApi::list_initiatives(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::any_staff, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& session = std::get<StaffSession>(auth);
    auto snapshot = co_await ctx_.stores.labelling.snapshot();
    if (!snapshot) co_return fail(Error::storage_unavailable, v);
    json::array list;
    for (const auto& [id, record] : snapshot->initiatives) {
        const auto review =
            labelling::review_initiative(ctx_.questionnaire, evaluations_of(*snapshot, id));
        auto item = initiative_json(ctx_, record);
        item["reviewers"] = review.reviewers;
        item["own_evaluation"] = snapshot->evaluation_of(id, session.username) != nullptr;
        item["gate_passes"] = review.gate.passes;
        item["proposed_category"] =
            review.proposal ? json::value(review.proposal->category_id) : json::value(nullptr);
        item["decision"] = decision_json(*snapshot, id);
        list.push_back(std::move(item));
    }
    json::object out{{"initiatives", std::move(list)},
                     {"sealed", snapshot->sealed},
                     {"vote_opened", vote_opened()}};
    co_return http::json_response(http::status::ok, out, v);
}

asio::awaitable<Response> LabellingApi::import_initiatives(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::mission, true);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& session = std::get<StaffSession>(auth);
    if (vote_opened()) co_return fail(Error::ballot_sealed, v);
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    const json::value submission(std::move(std::get<json::object>(body)));
    const auto batch = validate_initiative_submission(
        submission, ctx_.communes, largest_category_cap(ctx_.questionnaire), false);
    if (!batch.shape_error.empty()) co_return invalid_initiatives_shape(v, batch.shape_error);
    if (!batch.ok()) co_return invalid_initiatives(v, batch.errors);

    json::array ids;
    for (const auto& r : batch.records) ids.emplace_back(r.id);
    const auto entry =
        staff_audit(session, "import", "", {{"count", batch.records.size()}, {"ids", ids}});
    std::vector<std::string> existing;
    switch (co_await ctx_.stores.labelling.import(batch.records, entry, existing)) {
        case storage::WriteOutcome::ok: {
            json::object out{{"imported", batch.records.size()}, {"ids", std::move(ids)}};
            co_return http::json_response(http::status::created, out, v);
        }
        case storage::WriteOutcome::conflict:
            co_return invalid_initiatives(v, existing_id_errors(batch.records, existing));
        case storage::WriteOutcome::sealed:
            co_return fail(Error::ballot_sealed, v);
        default:
            co_return fail(Error::storage_unavailable, v);
    }
}

asio::awaitable<Response> LabellingApi::questionnaire(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::committee, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    co_return http::json_response(http::status::ok, questionnaire_json(ctx_.questionnaire), v);
}

asio::awaitable<Response> LabellingApi::public_questionnaire(RequestContext& rc) {
    co_return http::json_response(http::status::ok, questionnaire_json(ctx_.questionnaire),
                                  rc.request.version());
}

asio::awaitable<Response> LabellingApi::get_evaluation(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::committee, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& session = std::get<StaffSession>(auth);
    const auto& id = rc.params["id"];
    auto snapshot = co_await ctx_.stores.labelling.snapshot();
    if (!snapshot) co_return fail(Error::storage_unavailable, v);
    if (!snapshot->initiatives.contains(id)) co_return unknown_initiative(v, id);
    const auto* own = snapshot->evaluation_of(id, session.username);
    json::value answers = nullptr;
    if (own) {
        json::object a;
        for (const auto& [question, value] : own->answers) a[question] = value;
        answers = std::move(a);
    }
    const bool decided = snapshot->decisions.contains(id);
    json::object out{{"initiative", id},
                     {"answers", std::move(answers)},
                     {"at", own ? json::value(own->at) : json::value(nullptr)},
                     {"editable", !decided && !snapshot->sealed && !vote_opened()}};
    co_return http::json_response(http::status::ok, out, v);
}

asio::awaitable<Response> LabellingApi::put_evaluation(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::committee, true);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& session = std::get<StaffSession>(auth);
    const auto& id = rc.params["id"];
    if (vote_opened()) co_return fail(Error::ballot_sealed, v);
    auto read = read_answers(rc.request, ctx_.questionnaire);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    auto& check = std::get<AnswerCheck>(read);

    json::object scores;
    for (const auto& [marker, score] : *check.scores) scores[marker] = score;
    const storage::StoredEvaluation evaluation{session.username, std::move(check.answers),
                                               now_rfc3339()};
    const auto entry = staff_audit(session, "evaluation", id, {{"scores", std::move(scores)}});
    switch (co_await ctx_.stores.labelling.put_evaluation(id, evaluation, entry)) {
        case storage::WriteOutcome::ok:
            break;
        case storage::WriteOutcome::sealed:
            co_return fail(Error::ballot_sealed, v);
        case storage::WriteOutcome::unknown_initiative:
            co_return unknown_initiative(v, id);
        case storage::WriteOutcome::decided:
            co_return fail(Error::already_decided, v);
        default:
            co_return fail(Error::storage_unavailable, v);
    }
    auto snapshot = co_await ctx_.stores.labelling.snapshot();
    if (!snapshot) co_return fail(Error::storage_unavailable, v);
    co_return http::json_response(http::status::ok,
                                  radar_json(ctx_, *snapshot, id, session.username), v);
}

asio::awaitable<Response> LabellingApi::radar(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::committee, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& session = std::get<StaffSession>(auth);
    const auto& id = rc.params["id"];
    auto snapshot = co_await ctx_.stores.labelling.snapshot();
    if (!snapshot) co_return fail(Error::storage_unavailable, v);
    if (!snapshot->initiatives.contains(id)) co_return unknown_initiative(v, id);
    co_return http::json_response(http::status::ok,
                                  radar_json(ctx_, *snapshot, id, session.username), v);
}

asio::awaitable<Response> LabellingApi::radar_svg(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::committee, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& session = std::get<StaffSession>(auth);
    const auto& id = rc.params["id"];
    auto snapshot = co_await ctx_.stores.labelling.snapshot();
    if (!snapshot) co_return fail(Error::storage_unavailable, v);
    const auto found = snapshot->initiatives.find(id);
    if (found == snapshot->initiatives.end()) co_return unknown_initiative(v, id);
    const auto review =
        labelling::review_initiative(ctx_.questionnaire, evaluations_of(*snapshot, id));
    labelling::RadarOptions options;
    options.texts = initiative_radar_texts(found->second.title);
    auto svg = labelling::render_radar_svg(
        labelling::radar_axes(ctx_.questionnaire), review.aggregate,
        committee_overlays(ctx_.questionnaire, review, session.username), options);
    co_return http::text_response(http::status::ok, std::move(svg), "image/svg+xml; charset=utf-8",
                                  v);
}

std::variant<LabellingApi::DecisionRequest, Response> LabellingApi::read_decision(
    const json::object& body, const labelling::Questionnaire& questionnaire, unsigned v) {
    auto decision_field = get_string(body, "decision", 20);
    if (auto* rej = std::get_if<Rejection>(&decision_field)) return rej->to_response(v);
    const auto decision = labelling::parse_decision(std::get<std::string>(decision_field));
    if (!decision) return fail(Error::invalid_decision, v);
    auto category_field = get_optional_string(body, "category", 100);
    if (auto* rej = std::get_if<Rejection>(&category_field)) return rej->to_response(v);
    DecisionRequest request{*decision,
                            std::get<std::optional<std::string>>(category_field).value_or(""), ""};
    if (const auto* j = body.if_contains("justification"); j && !j->is_null()) {
        if (!j->is_string()) return fail(Error::justification_not_text, v);
        request.justification =
            trim_text(std::string_view(j->as_string().data(), j->as_string().size()));
        const auto length = clean_text_length(request.justification, true);
        if (!length || *length > kMaxJustificationChars) {
            return fail(Error::justification_too_long, v, {std::to_string(kMaxJustificationChars)});
        }
    }
    // The category does not depend on the evaluations: refused before anything is read.
    if (auto checked = labelling::check_category(questionnaire, request.decision, request.category);
        !checked) {
        return decision_refused(checked.error(), questionnaire, {}, v);
    }
    return request;
}

asio::awaitable<Response> LabellingApi::decide(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::committee, true);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& session = std::get<StaffSession>(auth);
    const auto& id = rc.params["id"];
    if (vote_opened()) co_return fail(Error::ballot_sealed, v);
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    auto read = read_decision(std::get<json::object>(body), ctx_.questionnaire, v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    const auto& request = std::get<DecisionRequest>(read);

    // The gate depends on the evaluations: if one lands between our read and our write, the
    // write is refused as stale and the decision is checked again on fresh data.
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto answer = co_await try_decision(session, id, request, v);
        if (answer) co_return std::move(*answer);
    }
    co_return fail(Error::concurrent_change, v);
}

asio::awaitable<std::optional<Response>> LabellingApi::try_decision(const StaffSession& session,
                                                                    const std::string& id,
                                                                    const DecisionRequest& request,
                                                                    unsigned v) {
    auto snapshot = co_await ctx_.stores.labelling.snapshot();
    if (!snapshot) co_return fail(Error::storage_unavailable, v);
    if (!snapshot->initiatives.contains(id)) co_return unknown_initiative(v, id);
    const auto& q = ctx_.questionnaire;
    const auto review = labelling::review_initiative(q, evaluations_of(*snapshot, id));
    if (auto checked = labelling::check_decision(q, request.decision, request.category, review.gate,
                                                 request.justification);
        !checked) {
        co_return decision_refused(checked.error(), q, review.gate, v);
    }
    const bool label = request.decision == labelling::Decision::label;
    const storage::StoredDecision stored{std::string(to_string(request.decision)),
                                         label ? request.category : "",
                                         request.justification,
                                         session.username,
                                         now_rfc3339(),
                                         review.gate.passes};
    json::object details{{"decision", stored.decision},
                         {"category", stored.category},
                         {"gate", gate_json(review.gate)},
                         {"against_gate", labelling::against_gate(request.decision, review.gate)},
                         {"reviewers", review.reviewers},
                         {"previous", decision_json(*snapshot, id)}};
    const auto entry =
        staff_audit(session, "decision", id, std::move(details), stored.justification);
    switch (co_await ctx_.stores.labelling.put_decision(id, stored, snapshot->version, entry)) {
        case storage::WriteOutcome::ok: {
            json::object out{{"initiative", id},
                             {"decision", stored_decision_json(stored)},
                             {"gate", gate_json(review.gate)}};
            co_return http::json_response(http::status::ok, out, v);
        }
        case storage::WriteOutcome::stale:
            co_return std::nullopt;
        case storage::WriteOutcome::sealed:
            co_return fail(Error::ballot_sealed, v);
        case storage::WriteOutcome::unknown_initiative:
            co_return unknown_initiative(v, id);
        default:
            co_return fail(Error::storage_unavailable, v);
    }
}

asio::awaitable<Response> LabellingApi::audit(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::any_staff, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    std::size_t count = storage::kAuditDefaultCount;
    if (const auto limit = http::query_parameter(rc.query, "limit")) {
        try {
            count = std::clamp<std::size_t>(std::stoul(*limit), 1, storage::kAuditMaxCount);
        } catch (const std::exception&) {
            co_return fail(Error::invalid_limit, v);
        }
    }
    auto entries = co_await ctx_.stores.audit.newest(count);
    if (!entries) co_return fail(Error::storage_unavailable, v);
    json::object out{{"entries", std::move(*entries)}};
    co_return http::json_response(http::status::ok, out, v);
}

}  // namespace budget::server::api
