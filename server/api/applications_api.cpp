#include "server/api/applications_api.hpp"

#include <boost/json.hpp>
#include <map>

#include "labelling/radar_svg.hpp"
#include "server/api/application_views.hpp"
#include "server/api/holder_api.hpp"
#include "server/api/initiative_rows.hpp"
#include "server/api/request_body.hpp"
#include "server/core/log.hpp"
#include "voting/phase.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;
using labelling::ApplicationStatus;

namespace {

Response store_refusal(storage::StoreError error, unsigned version) {
    return fail(
        error == storage::StoreError::corrupt ? Error::internal : Error::storage_unavailable,
        version);
}

/// An admissibility request, checked whole before anything is read.
struct AdmissibilityRequest {
    bool admissible = false;
    std::string reason;  ///< trimmed; may be empty when admissible
};

std::variant<AdmissibilityRequest, Response> read_admissibility(const json::object& body,
                                                                unsigned v) {
    AdmissibilityRequest request;
    const auto* admissible = body.if_contains("admissible");
    if (!admissible) return fail(Error::field_missing, v, {"admissible"});
    if (!admissible->is_bool()) return fail(Error::field_not_boolean, v, {"admissible"});
    request.admissible = admissible->as_bool();
    if (const auto* reason = body.if_contains("reason"); reason && !reason->is_null()) {
        if (!reason->is_string()) return fail(Error::field_not_string, v, {"reason"});
        request.reason =
            trim_text(std::string_view(reason->as_string().data(), reason->as_string().size()));
        const auto length = clean_text_length(request.reason, true);
        if (!length || *length > labelling::kMaxReasonChars)
            return fail(Error::reason_too_long, v, {std::to_string(labelling::kMaxReasonChars)});
    }
    const auto length = clean_text_length(request.reason, true).value_or(0);
    if (!request.admissible && length < labelling::kMinReasonChars)
        return fail(Error::reason_required, v, {std::to_string(labelling::kMinReasonChars)});
    return request;
}

bool matches(const json::object& application, const ApplicationFilters& filters) {
    const auto field_is = [&application](const char* key, const std::string& wanted) {
        if (wanted.empty()) return true;
        const auto* value = application.if_contains(key);
        return value && value->is_string() && value->as_string() == wanted;
    };
    return field_is("territory", filters.territory) && field_is("status", filters.status) &&
           field_is("proposed_category", filters.category);
}

}  // namespace

bool staff_may_read(StaffRole role, ApplicationStatus status) {
    if (status == ApplicationStatus::brouillon) return false;
    if (role == StaffRole::mission) return true;
    return status == ApplicationStatus::recevable;
}

std::string attachment_disposition(std::string_view name) {
    std::string fallback, encoded;
    constexpr std::string_view attr_chars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~";
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (const char ch : name) {
        const auto byte = static_cast<unsigned char>(ch);
        fallback += (byte >= 0x20 && byte < 0x7f && ch != '"' && ch != '\\') ? ch : '_';
        if (attr_chars.find(ch) != std::string_view::npos) {
            encoded += ch;
        } else {
            encoded += '%';
            encoded += kHex[byte >> 4];
            encoded += kHex[byte & 0x0f];
        }
    }
    return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

ApplicationsApi::ApplicationsApi(AppContext& ctx, StaffGuard& guard) : ctx_(ctx), guard_(guard) {}

void ApplicationsApi::register_routes(http::Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    using v = http::verb;
    router.add(v::get, "/api/v1/admin/applications", bind(&ApplicationsApi::list));
    router.add(v::get, "/api/v1/admin/applications/{id}", bind(&ApplicationsApi::get));
    router.add(v::post, "/api/v1/admin/applications/{id}/admissibility",
               bind(&ApplicationsApi::admissibility));
    router.add(v::get, "/api/v1/admin/applications/{id}/attachments/{sha256}",
               bind(&ApplicationsApi::attachment));
    router.add(v::get, "/api/v1/admin/applications/{id}/radar.svg",
               bind(&ApplicationsApi::radar_svg));
}

asio::awaitable<std::variant<storage::StoredApplication, Response>> ApplicationsApi::readable(
    const StaffSession& session, const std::string& id, unsigned version) {
    if (!is_application_id(id)) co_return fail(Error::application_not_found, version);
    auto stored = co_await ctx_.stores.applications.get(id);
    if (!stored) co_return store_refusal(stored.error(), version);
    if (!*stored || !staff_may_read(session.role, (*stored)->status))
        co_return fail(Error::application_not_found, version);
    co_return std::move(**stored);
}

asio::awaitable<Response> ApplicationsApi::list(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::mission, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    ApplicationFilters filters{http::query_parameter(rc.query, "territory").value_or(""),
                               http::query_parameter(rc.query, "status").value_or(""),
                               http::query_parameter(rc.query, "category").value_or("")};
    auto all = co_await ctx_.stores.applications.all();
    if (!all) co_return store_refusal(all.error(), v);
    auto reading = co_await read_campaign_facts(ctx_);
    if (!reading) co_return fail(Error::storage_unavailable, v);
    ApplicationViewOptions options;
    options.call_open = config::call_open_at(ctx_.config.campaign, ctx_.clock.now());
    options.staff = true;
    options.with_description = false;
    json::array list;
    std::map<std::string, int> counts;
    for (const auto& a : *all) {
        // A draft is the holder's own work in progress: the Mission sees submitted files only.
        if (a.status == ApplicationStatus::brouillon) continue;
        auto item = application_json(a, ctx_.questionnaire, ctx_.communes,
                                     campaign_facts(*reading, a.id), options);
        ++counts[std::string(item.at("status").as_string())];
        if (matches(item, filters)) list.push_back(std::move(item));
    }
    json::object count_json;
    for (const auto& [status, n] : counts) count_json[status] = n;
    json::object out{{"applications", std::move(list)},
                     {"counts", std::move(count_json)},
                     {"categories", categories_json(ctx_.questionnaire)}};
    co_return http::json_response(http::status::ok, out, v);
}

asio::awaitable<Response> ApplicationsApi::get(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::any_staff, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    auto read = co_await readable(std::get<StaffSession>(auth), rc.params["id"], v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    const auto& a = std::get<storage::StoredApplication>(read);
    auto reading = co_await read_campaign_facts(ctx_);
    if (!reading) co_return fail(Error::storage_unavailable, v);
    ApplicationViewOptions options;
    options.call_open = config::call_open_at(ctx_.config.campaign, ctx_.clock.now());
    options.staff = true;
    co_return http::json_response(http::status::ok,
                                  application_json(a, ctx_.questionnaire, ctx_.communes,
                                                   campaign_facts(*reading, a.id), options),
                                  v);
}

asio::awaitable<Response> ApplicationsApi::admissibility(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::mission, true);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& session = std::get<StaffSession>(auth);
    const auto& id = rc.params["id"];
    // From the opening of the vote the initiatives are sealed: no new one can join them.
    if (voting::vote_has_opened(ctx_.stores.campaign.window(), ctx_.clock.now()))
        co_return fail(Error::ballot_sealed, v);
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    auto request = read_admissibility(std::get<json::object>(body), v);
    if (auto* refused = std::get_if<Response>(&request)) co_return std::move(*refused);
    const auto& decision = std::get<AdmissibilityRequest>(request);

    auto read = co_await readable(session, id, v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    const auto& a = std::get<storage::StoredApplication>(read);
    if (a.status != ApplicationStatus::deposee) co_return fail(Error::application_not_submitted, v);
    std::optional<storage::InitiativeRecord> initiative;
    if (decision.admissible) {
        initiative = initiative_of(a, ctx_.communes);
        // Submitted with a known commune: the directory changed under the file.
        if (!initiative) co_return fail(Error::internal, v);
    }
    const auto status =
        decision.admissible ? ApplicationStatus::recevable : ApplicationStatus::irrecevable;
    labelling::StatusEvent event{status, now_rfc3339(), decision.reason};
    json::object details{{"status", labelling::to_string(status)}};
    if (initiative) details["initiative"] = initiative->id;
    storage::AuditEntry audit{
        session.username,
        std::string(to_string(session.role)),
        decision.admissible ? "application_admissible" : "application_inadmissible",
        id,
        std::move(details),
        decision.reason};
    auto decided = co_await ctx_.stores.applications.decide_admissibility(id, decision.admissible,
                                                                          event, initiative, audit);
    if (!decided) co_return store_refusal(decided.error(), v);
    using W = storage::ApplicationWrite;
    switch (*decided) {
        case W::ok:
            break;
        case W::unknown:
            co_return fail(Error::application_not_found, v);
        case W::locked:
        case W::stale:
            co_return fail(Error::application_not_submitted, v);
        case W::initiative_exists:
            co_return fail(Error::initiative_exists, v, {id});
        case W::sealed:
            co_return fail(Error::ballot_sealed, v);
        case W::too_many:
        case W::too_many_attachments:
            co_return fail(Error::internal, v);
    }
    auto after = co_await ctx_.stores.applications.get(id);
    if (!after || !*after) co_return fail(Error::storage_unavailable, v);
    auto reading = co_await read_campaign_facts(ctx_);
    if (!reading) co_return fail(Error::storage_unavailable, v);
    ApplicationViewOptions options;
    options.call_open = config::call_open_at(ctx_.config.campaign, ctx_.clock.now());
    options.staff = true;
    co_return http::json_response(http::status::ok,
                                  application_json(**after, ctx_.questionnaire, ctx_.communes,
                                                   campaign_facts(*reading, id), options),
                                  v);
}

asio::awaitable<Response> ApplicationsApi::attachment(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::any_staff, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    auto read = co_await readable(std::get<StaffSession>(auth), rc.params["id"], v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    const auto& a = std::get<storage::StoredApplication>(read);
    const auto& sha256 = rc.params["sha256"];
    // Only a file this application names: the store's directory is no public index.
    const auto found = std::find_if(a.attachments.begin(), a.attachments.end(),
                                    [&](const auto& m) { return m.sha256 == sha256; });
    if (found == a.attachments.end()) co_return fail(Error::attachment_not_found, v);
    auto bytes = co_await ctx_.stores.applications.read_attachment(sha256);
    if (!bytes) co_return store_refusal(bytes.error(), v);
    if (!*bytes) co_return fail(Error::attachment_not_found, v);
    auto res = http::text_response(http::status::ok, std::move(**bytes), "application/pdf", v);
    // Downloaded, never rendered in our origin: a hostile PDF runs nothing here.
    res.set(http::field::content_disposition, attachment_disposition(found->name));
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Content-Security-Policy", "sandbox");
    res.set(http::field::cache_control, "no-store");
    co_return res;
}

asio::awaitable<Response> ApplicationsApi::radar_svg(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::any_staff, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    auto read = co_await readable(std::get<StaffSession>(auth), rc.params["id"], v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    const auto& a = std::get<storage::StoredApplication>(read);
    labelling::RadarOptions options;
    options.id_prefix = "self-radar";
    options.texts = self_radar_texts(a.fields.title);
    auto svg = labelling::render_radar_svg(labelling::radar_axes(ctx_.questionnaire),
                                           self_radar(ctx_.questionnaire, a), {}, options);
    co_return http::text_response(http::status::ok, std::move(svg), "image/svg+xml; charset=utf-8",
                                  v);
}

}  // namespace budget::server::api
