#include "server/api/holder_api.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>

#include "labelling/radar_svg.hpp"
#include "server/api/application_views.hpp"
#include "server/api/auth_api.hpp"
#include "server/api/client_network.hpp"
#include "server/api/initiative_rows.hpp"
#include "server/api/purge_schedule.hpp"
#include "server/api/request_body.hpp"
#include "server/api/staff_auth.hpp"
#include "server/api/staff_views.hpp"
#include "server/api/voter_session.hpp"
#include "server/core/log.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;
using labelling::ApplicationStatus;

namespace {

// Challenges and verifications of one client address are counted per hour.
constexpr std::chrono::seconds kAddressWindow{3600};
// The codes an address may be sent in an hour, in multiples of what one network may ask for it
// (as for residents: one network's requests never lock the holder out).
constexpr int kAddressCeilingFactor = 10;
// The code store binds an address to an identity; a holder's identity is its address's own hash,
// so the binding never refuses anybody. Kept until the purge is due (binding_ttl,
// server/api/purge_schedule.hpp; issue 18): a later sign-in binds it again.
// Attempts at a write that found the application changed under it.
constexpr int kWriteAttempts = 3;

Response store_refusal(storage::StoreError error, unsigned version) {
    return fail(
        error == storage::StoreError::corrupt ? Error::internal : Error::storage_unavailable,
        version);
}

storage::AuditEntry holder_audit(const HolderSession& holder, std::string action,
                                 std::string target, json::object details = {}) {
    return {holder_audit_name(holder.owner),
            "holder",
            std::move(action),
            std::move(target),
            std::move(details),
            ""};
}

Response invalid_application(const json::array& problems, unsigned version) {
    const auto message = invalid_application_message(problems);
    return fail_with(Error::invalid_application, version, {{"problems", problems}}, {message});
}

Response incomplete_application(const json::array& problems, unsigned version) {
    const auto message = incomplete_application_message(problems);
    return fail_with(Error::application_incomplete, version, {{"problems", problems}}, {message});
}

/// A body that may be empty (POST .../applications with nothing typed yet): `{}`.
std::variant<json::object, Rejection> optional_json_object(const Request& req) {
    if (req.body().empty()) return json::object{};
    return parse_json_object(req);
}

/// The email of a challenge or verification body, normalised and plausible; the refusal else.
std::variant<std::string, Response> read_email(const json::object& body, unsigned v) {
    auto field = get_string(body, "email", 254);
    if (auto* rej = std::get_if<Rejection>(&field)) return rej->to_response(v);
    auto email = normalise_email(std::get<std::string>(field));
    if (!plausible_email(email)) return fail(Error::invalid_email, v);
    return email;
}

/// The refusal of the store's answer to a holder's write (std::nullopt for ok and stale).
std::optional<Response> write_refusal(storage::ApplicationWrite outcome, unsigned v) {
    using W = storage::ApplicationWrite;
    switch (outcome) {
        case W::ok:
        case W::stale:
            return std::nullopt;
        case W::unknown:
            return fail(Error::application_not_found, v);
        case W::locked:
            return fail(Error::application_locked, v);
        case W::too_many:
            return fail(Error::too_many_applications, v,
                        {std::to_string(storage::kMaxApplicationsPerHolder)});
        case W::too_many_attachments:
            return fail(Error::too_many_attachments, v,
                        {std::to_string(labelling::kMaxAttachments)});
        case W::initiative_exists:
        case W::sealed:
            break;
    }
    return fail(Error::internal, v);
}

/// The refusal of a write to a file the holder may no longer change (the call is checked
/// before): decided by the Mission.
std::optional<Response> locked_refusal(const storage::StoredApplication& a, unsigned v) {
    if (a.status != ApplicationStatus::brouillon && a.status != ApplicationStatus::deposee)
        return fail(Error::application_locked, v);
    return std::nullopt;
}

}  // namespace

bool is_application_id(std::string_view id) {
    return id.size() == 12 && id.starts_with("d-") &&
           id.substr(2).find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::optional<Response> call_refusal(const config::CampaignConfig& campaign, std::int64_t now,
                                     unsigned version) {
    if (campaign.call_opens_unix == 0) return fail(Error::call_not_scheduled, version);
    if (config::call_open_at(campaign, now)) return std::nullopt;
    const auto period = call_period_text(campaign, now);
    return fail(Error::call_not_open, version, {period});
}

HolderApi::HolderApi(AppContext& ctx)
    : ctx_(ctx),
      guard_(ctx),
      // Purposes of their own: a holder's address and a resident's are counted apart.
      email_key_(crypto::derive_key(ctx.pepper, "holder-email")),
      ip_key_(crypto::derive_key(ctx.pepper, "holder-client-address")),
      delivery_(make_delivery(ctx.config.otp, ctx.blocking_pool)) {}

HolderApi::~HolderApi() = default;

void HolderApi::register_routes(http::Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    using v = http::verb;
    router.add(v::post, "/api/v1/holder/challenge", bind(&HolderApi::challenge));
    router.add(v::post, "/api/v1/holder/verify", bind(&HolderApi::verify));
    router.add(v::get, "/api/v1/holder/me", bind(&HolderApi::me));
    router.add(v::post, "/api/v1/holder/logout", bind(&HolderApi::logout));
    router.add(v::get, "/api/v1/holder/questionnaire", bind(&HolderApi::questionnaire));
    router.add(v::get, "/api/v1/holder/applications", bind(&HolderApi::list));
    router.add(v::post, "/api/v1/holder/applications", bind(&HolderApi::create));
    router.add(v::get, "/api/v1/holder/applications/{id}", bind(&HolderApi::get));
    router.add(v::put, "/api/v1/holder/applications/{id}", bind(&HolderApi::update));
    router.add(v::post, "/api/v1/holder/applications/{id}/submit", bind(&HolderApi::submit));
    // A PDF of 5 MiB takes a while on a phone's uplink: a larger body and more time, here only.
    http::RouteOptions upload;
    upload.body_limit_bytes = labelling::kMaxAttachmentBytes + 1024;
    upload.read_timeout = std::chrono::seconds(120);
    router.add(v::post, "/api/v1/holder/applications/{id}/attachments",
               bind(&HolderApi::add_attachment), upload);
    router.add(v::delete_, "/api/v1/holder/applications/{id}/attachments/{sha256}",
               bind(&HolderApi::remove_attachment));
    router.add(v::get, "/api/v1/holder/applications/{id}/radar.svg", bind(&HolderApi::radar_svg));
}

std::string HolderApi::owner_of(const std::string& email) const {
    return crypto::hmac_hex(email_key_, email).substr(0, 32);
}

asio::awaitable<std::optional<Response>> HolderApi::limit_client(const RequestContext& rc) {
    const auto address = crypto::hmac_hex(ip_key_, rc.client_ip);
    const auto counted = co_await ctx_.stores.limits.count_address(
        address, ctx_.config.holders.max_requests_per_ip_hour, kAddressWindow);
    const auto v = rc.request.version();
    if (!counted) co_return fail(Error::storage_unavailable, v);
    if (!counted->allowed)
        co_return fail_retry_after(Error::address_rate_limited, v, counted->retry_after_s);
    co_return std::nullopt;
}

// ---------------------------------------------------------------- sign-in

asio::awaitable<Response> HolderApi::challenge(RequestContext& rc) {
    const auto& req = rc.request;
    const auto v = req.version();
    // Open whatever the call's state: holders follow their file after the call.
    if (!origin_allowed(http::header_value(req, "Origin"), http::header_value(req, "Host")))
        co_return fail(Error::origin_refused, v);
    auto body = parse_json_object(req);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    auto email = read_email(std::get<json::object>(body), v);
    if (auto* refused = std::get_if<Response>(&email)) co_return std::move(*refused);
    const auto& address = std::get<std::string>(email);
    if (auto limited = co_await limit_client(rc)) co_return std::move(*limited);

    const auto code = new_code();
    const auto& otp = ctx_.config.otp;
    const auto per_network = ctx_.config.holders.max_codes_per_hour;
    const auto network = crypto::hmac_hex(ip_key_, client_network(rc.client_ip));
    const auto owner = owner_of(address);
    const auto issued = co_await ctx_.stores.holder_codes.issue(
        owner, network, code, otp.code_ttl, per_network, per_network * kAddressCeilingFactor);
    if (!issued) co_return fail(Error::storage_unavailable, v);
    if (!issued->issued)
        co_return fail_retry_after(Error::codes_rate_limited, v, issued->retry_after_s);
    if (!co_await delivery_->send(address, code)) co_return fail(Error::delivery_failed, v);
    // The same answer for every address: whether it has files is nobody's business.
    json::object sent{
        {"status", "sent"},
        {"message", "Si l’adresse est valide, un code à 6 chiffres vient d’y être envoyé."},
        {"valid_seconds", otp.code_ttl.count()}};
    co_return http::json_response(http::status::accepted, sent, v);
}

asio::awaitable<Response> HolderApi::verify(RequestContext& rc) {
    const auto& req = rc.request;
    const auto v = req.version();
    if (!origin_allowed(http::header_value(req, "Origin"), http::header_value(req, "Host")))
        co_return fail(Error::origin_refused, v);
    auto body = parse_json_object(req);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    const auto& object = std::get<json::object>(body);
    auto email = read_email(object, v);
    if (auto* refused = std::get_if<Response>(&email)) co_return std::move(*refused);
    const auto& address = std::get<std::string>(email);
    auto code_field = get_string(object, "code", 100);
    if (auto* rej = std::get_if<Rejection>(&code_field)) co_return rej->to_response(v);
    const auto& code = std::get<std::string>(code_field);
    if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string::npos)
        co_return fail(Error::code_format, v);
    if (auto limited = co_await limit_client(rc)) co_return std::move(*limited);

    const auto owner = owner_of(address);
    const auto& otp = ctx_.config.otp;
    // The identity bound is the owner itself: the same address always binds the same value.
    const auto binding = binding_ttl(ctx_.config, ctx_.clock.now(), otp.code_ttl);
    const auto checked = co_await ctx_.stores.holder_codes.check(owner, code, owner, otp.max_tries,
                                                                 binding, otp.code_ttl);
    if (!checked) co_return store_refusal(checked.error(), v);
    switch (checked->outcome) {
        case storage::CodeCheck::ok:
            break;
        case storage::CodeCheck::wrong:
            co_return wrong_code_refusal(checked->tries_left, v);
        case storage::CodeCheck::dead:
        case storage::CodeCheck::bound:
            co_return fail_with(Error::code_dead, v, {{"tries_left", 0}});
    }

    const auto session_id = crypto::random_hex(32);
    const auto csrf_token = crypto::random_hex(32);
    const auto ttl = ctx_.config.holders.session_ttl;
    storage::HolderSessionRecord record{owner, address, csrf_token, now_rfc3339()};
    auto opened =
        co_await ctx_.stores.applications.open_session(session_id, std::move(record), ttl);
    if (!opened) co_return fail(Error::storage_unavailable, v);
    storage::AuditEntry entry{holder_audit_name(owner), "holder", "holder_login", "", {}, ""};
    co_await ctx_.stores.audit.append(std::move(entry));

    json::object out{{"email", address}, {"csrf_token", csrf_token}};
    auto res = http::json_response(http::status::ok, out, v);
    res.set(http::field::set_cookie, holder_cookie(guard_.secure(), session_id, ttl));
    co_return res;
}

asio::awaitable<Response> HolderApi::me(RequestContext& rc) {
    auto auth = co_await guard_.authorize(rc, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& holder = std::get<HolderSession>(auth);
    json::object out{{"email", holder.email}, {"csrf_token", holder.csrf_token}};
    co_return http::json_response(http::status::ok, out, rc.request.version());
}

asio::awaitable<Response> HolderApi::logout(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, true);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& holder = std::get<HolderSession>(auth);
    auto closed = co_await ctx_.stores.applications.close_session(holder.id);
    if (!closed) co_return fail(Error::storage_unavailable, v);
    Response res{http::status::no_content, v};
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::set_cookie, expired_holder_cookie(guard_.secure()));
    res.prepare_payload();
    co_return res;
}

// ---------------------------------------------------------------- reading

asio::awaitable<Response> HolderApi::questionnaire(RequestContext& rc) {
    auto auth = co_await guard_.authorize(rc, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    // The committee's questions, which the holder answers for their own radar.
    co_return http::json_response(http::status::ok, questionnaire_json(ctx_.questionnaire),
                                  rc.request.version());
}

json::object HolderApi::view(const storage::StoredApplication& application,
                             const labelling::CampaignFacts& facts) const {
    ApplicationViewOptions options;
    options.call_open = config::call_open_at(ctx_.config.campaign, ctx_.clock.now());
    return application_json(application, ctx_.questionnaire, ctx_.communes, facts, options);
}

asio::awaitable<Response> HolderApi::application_response(
    const storage::StoredApplication& application, http::status status, unsigned version) {
    labelling::CampaignFacts facts;
    if (application.status == ApplicationStatus::recevable) {
        auto reading = co_await read_campaign_facts(ctx_);
        if (!reading) co_return fail(Error::storage_unavailable, version);
        facts = campaign_facts(*reading, application.id);
    }
    co_return http::json_response(status, view(application, facts), version);
}

asio::awaitable<std::variant<storage::StoredApplication, Response>> HolderApi::owned(
    const HolderSession& holder, const std::string& id, unsigned version) {
    if (!is_application_id(id)) co_return fail(Error::application_not_found, version);
    auto stored = co_await ctx_.stores.applications.get(id);
    if (!stored) co_return store_refusal(stored.error(), version);
    // Another holder's file is answered exactly as a file that does not exist.
    if (!*stored || (*stored)->owner != holder.owner)
        co_return fail(Error::application_not_found, version);
    co_return std::move(**stored);
}

asio::awaitable<Response> HolderApi::list(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& holder = std::get<HolderSession>(auth);
    auto mine = co_await ctx_.stores.applications.of_owner(holder.owner);
    if (!mine) co_return store_refusal(mine.error(), v);
    std::optional<CampaignReading> reading;
    for (const auto& a : *mine) {
        if (a.status == ApplicationStatus::recevable && !reading) {
            reading = co_await read_campaign_facts(ctx_);
            if (!reading) co_return fail(Error::storage_unavailable, v);
        }
    }
    json::array list;
    for (const auto& a : *mine) {
        list.push_back(
            view(a, reading ? campaign_facts(*reading, a.id) : labelling::CampaignFacts{}));
    }
    const auto& q = ctx_.questionnaire;
    const auto now = ctx_.clock.now();
    json::object out{{"applications", std::move(list)},
                     {"call", call_json(ctx_.config.campaign, now)},
                     {"legal_forms", legal_forms_json()},
                     {"categories", categories_json(q)},
                     {"max_requested_eur", largest_category_cap(q)},
                     {"max_applications", storage::kMaxApplicationsPerHolder},
                     {"max_attachments", labelling::kMaxAttachments},
                     {"max_attachment_bytes", labelling::kMaxAttachmentBytes}};
    co_return http::json_response(http::status::ok, out, v);
}

asio::awaitable<Response> HolderApi::get(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    auto read = co_await owned(std::get<HolderSession>(auth), rc.params["id"], v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    co_return co_await application_response(std::get<storage::StoredApplication>(read),
                                            http::status::ok, v);
}

asio::awaitable<Response> HolderApi::radar_svg(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    auto read = co_await owned(std::get<HolderSession>(auth), rc.params["id"], v);
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

// ---------------------------------------------------------------- writing

asio::awaitable<Response> HolderApi::create(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, true);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& holder = std::get<HolderSession>(auth);
    if (auto refused = call_refusal(ctx_.config.campaign, ctx_.clock.now(), v))
        co_return std::move(*refused);
    auto body = optional_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);

    labelling::ApplicationFields fields;
    auto problems = apply_application_body(std::get<json::object>(body), fields);
    if (problems.empty()) {
        problems = problems_json(labelling::draft_errors(fields, ctx_.questionnaire), fields,
                                 ctx_.questionnaire);
    }
    if (!problems.empty()) co_return invalid_application(problems, v);

    const auto now = now_rfc3339();
    storage::StoredApplication application;
    application.id = "d-" + crypto::random_hex(5);
    application.owner = holder.owner;
    application.owner_email = holder.email;
    application.status = ApplicationStatus::brouillon;
    application.fields = std::move(fields);
    application.history.push_back({ApplicationStatus::brouillon, now, ""});
    application.created_at = now;
    application.updated_at = now;
    // (Named values: GCC 12 destroys a temporary passed to a coroutine twice.)
    auto audit = holder_audit(holder, "application_created", application.id);
    auto created = co_await ctx_.stores.applications.create(application, audit);
    if (!created) co_return store_refusal(created.error(), v);
    if (*created != storage::ApplicationWrite::ok) {
        if (auto refused = write_refusal(*created, v)) co_return std::move(*refused);
        co_return fail(Error::application_changed, v);
    }
    co_return http::json_response(http::status::created, view(application, {}), v);
}

asio::awaitable<Response> HolderApi::update(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, true);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& holder = std::get<HolderSession>(auth);
    const auto& id = rc.params["id"];
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
        auto answer = co_await try_update(holder, id, std::get<json::object>(body), v);
        if (answer) co_return std::move(*answer);
    }
    co_return fail(Error::application_changed, v);
}

asio::awaitable<std::optional<Response>> HolderApi::try_update(const HolderSession& holder,
                                                               const std::string& id,
                                                               const json::object& body,
                                                               unsigned v) {
    auto read = co_await owned(holder, id, v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    auto next = std::get<storage::StoredApplication>(std::move(read));
    // Known files only: another holder's file is not told to be closed.
    if (auto refused = call_refusal(ctx_.config.campaign, ctx_.clock.now(), v))
        co_return std::move(*refused);
    if (auto refused = locked_refusal(next, v)) co_return std::move(*refused);

    auto problems = apply_application_body(body, next.fields);
    if (problems.empty()) {
        problems = problems_json(labelling::draft_errors(next.fields, ctx_.questionnaire),
                                 next.fields, ctx_.questionnaire);
    }
    if (!problems.empty()) co_return invalid_application(problems, v);
    const bool submitted = next.status == ApplicationStatus::deposee;
    if (submitted) {
        // A submitted file stays submittable: an edit may not take anything it needs away.
        auto missing = problems_json(
            labelling::submission_problems(
                next.fields, ctx_.questionnaire,
                [this](std::string_view code) { return ctx_.communes.find(code) != nullptr; }),
            next.fields, ctx_.questionnaire);
        if (!missing.empty()) co_return incomplete_application(missing, v);
    }
    const auto read_at = next.updated_at;
    const auto expected = next.status;
    next.updated_at = now_rfc3339();
    // Draft saves (every few seconds as the holder types) are not audited; a submitted file's
    // edits are, naming the fields sent (not their values: the file is the holder's).
    json::array sent;
    for (const auto& [key, value] : body) {
        for (int f = 0; f <= static_cast<int>(labelling::Field::self_assessment); ++f) {
            if (key == labelling::to_string(static_cast<labelling::Field>(f)))
                sent.emplace_back(key);
        }
    }
    auto audit =
        submitted ? holder_audit(holder, "application_updated", id, {{"fields", std::move(sent)}})
                  : storage::AuditEntry{holder_audit_name(holder.owner), "holder", "", id, {}, ""};
    auto written = co_await ctx_.stores.applications.replace(next, expected, read_at, audit);
    if (!written) co_return store_refusal(written.error(), v);
    if (*written == storage::ApplicationWrite::stale) co_return std::nullopt;
    if (auto refused = write_refusal(*written, v)) co_return std::move(*refused);
    co_return http::json_response(http::status::ok, view(next, {}), v);
}

asio::awaitable<Response> HolderApi::submit(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, true);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& holder = std::get<HolderSession>(auth);
    for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
        auto answer = co_await try_submit(holder, rc.params["id"], v);
        if (answer) co_return std::move(*answer);
    }
    co_return fail(Error::application_changed, v);
}

asio::awaitable<std::optional<Response>> HolderApi::try_submit(const HolderSession& holder,
                                                               const std::string& id, unsigned v) {
    auto read = co_await owned(holder, id, v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    auto next = std::get<storage::StoredApplication>(std::move(read));
    if (auto refused = call_refusal(ctx_.config.campaign, ctx_.clock.now(), v))
        co_return std::move(*refused);
    if (next.status == ApplicationStatus::deposee) co_return fail(Error::already_submitted, v);
    if (auto refused = locked_refusal(next, v)) co_return std::move(*refused);
    auto missing = problems_json(
        labelling::submission_problems(
            next.fields, ctx_.questionnaire,
            [this](std::string_view code) { return ctx_.communes.find(code) != nullptr; }),
        next.fields, ctx_.questionnaire);
    if (!missing.empty()) co_return incomplete_application(missing, v);

    const auto read_at = next.updated_at;
    const auto now = now_rfc3339();
    next.status = ApplicationStatus::deposee;
    next.history.push_back({ApplicationStatus::deposee, now, ""});
    next.updated_at = now;
    auto audit = holder_audit(holder, "application_submitted", id);
    auto written = co_await ctx_.stores.applications.replace(next, ApplicationStatus::brouillon,
                                                             read_at, audit);
    if (!written) co_return store_refusal(written.error(), v);
    if (*written == storage::ApplicationWrite::stale) co_return std::nullopt;
    if (auto refused = write_refusal(*written, v)) co_return std::move(*refused);
    co_return http::json_response(http::status::ok, view(next, {}), v);
}

// ---------------------------------------------------------------- attachments

asio::awaitable<Response> HolderApi::add_attachment(RequestContext& rc) {
    const auto& req = rc.request;
    const auto v = req.version();
    auto auth = co_await guard_.authorize(rc, true);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& holder = std::get<HolderSession>(auth);
    // The declared type first (415), then the size (413), then the content itself (422): the
    // declared type alone proves nothing.
    auto type = http::header_value(req, "Content-Type");
    type = type.substr(0, type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    if (!boost::iequals(type, "application/pdf")) co_return fail(Error::attachment_wrong_type, v);
    const auto& bytes = req.body();
    if (bytes.size() > labelling::kMaxAttachmentBytes)
        co_return fail(Error::attachment_too_large, v,
                       {std::to_string(labelling::kMaxAttachmentBytes / (1024 * 1024))});
    if (!labelling::looks_like_pdf(bytes)) co_return fail(Error::attachment_not_pdf, v);
    const auto name =
        labelling::clean_attachment_name(http::query_parameter(rc.query, "name").value_or(""));
    const auto sha256 = crypto::sha256_hex(bytes);
    bool file_written = false;
    for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
        auto answer = co_await try_add_attachment(holder, rc.params["id"], bytes, sha256, name,
                                                  file_written, v);
        if (answer) co_return std::move(*answer);
    }
    co_return fail(Error::application_changed, v);
}

asio::awaitable<std::optional<Response>> HolderApi::try_add_attachment(
    const HolderSession& holder, const std::string& id, const std::string& bytes,
    const std::string& sha256, const std::string& name, bool& file_written, unsigned v) {
    auto read = co_await owned(holder, id, v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    auto next = std::get<storage::StoredApplication>(std::move(read));
    if (auto refused = call_refusal(ctx_.config.campaign, ctx_.clock.now(), v))
        co_return std::move(*refused);
    if (auto refused = locked_refusal(next, v)) co_return std::move(*refused);
    // The same bytes again (a second tap, a retried upload): the one already attached.
    for (const auto& a : next.attachments) {
        if (a.sha256 == sha256) {
            json::object out{{"attachment", attachment_json(a)}, {"application", view(next, {})}};
            co_return http::json_response(http::status::ok, out, v);
        }
    }
    if (next.attachments.size() >= static_cast<std::size_t>(labelling::kMaxAttachments))
        co_return fail(Error::too_many_attachments, v,
                       {std::to_string(labelling::kMaxAttachments)});
    // The file first, then the record that names it: a record never names a missing file (a
    // file no record names is harmless, content-addressed).
    if (!file_written) {
        auto written = co_await ctx_.stores.applications.write_attachment(bytes);
        if (!written) co_return store_refusal(written.error(), v);
        if (*written != sha256) co_return fail(Error::internal, v);
        file_written = true;
    }
    const auto read_at = next.updated_at;
    const auto expected = next.status;
    const auto now = now_rfc3339();
    storage::AttachmentMeta meta{sha256, name, static_cast<std::int64_t>(bytes.size()), now};
    next.attachments.push_back(meta);
    next.updated_at = now;
    auto audit = holder_audit(holder, "attachment_added", id,
                              {{"sha256", sha256}, {"name", name}, {"size", bytes.size()}});
    auto replaced = co_await ctx_.stores.applications.replace(next, expected, read_at, audit);
    if (!replaced) co_return store_refusal(replaced.error(), v);
    if (*replaced == storage::ApplicationWrite::stale) co_return std::nullopt;
    if (auto refused = write_refusal(*replaced, v)) co_return std::move(*refused);
    json::object out{{"attachment", attachment_json(meta)}, {"application", view(next, {})}};
    co_return http::json_response(http::status::created, out, v);
}

asio::awaitable<Response> HolderApi::remove_attachment(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, true);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& holder = std::get<HolderSession>(auth);
    for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
        auto answer =
            co_await try_remove_attachment(holder, rc.params["id"], rc.params["sha256"], v);
        if (answer) co_return std::move(*answer);
    }
    co_return fail(Error::application_changed, v);
}

asio::awaitable<std::optional<Response>> HolderApi::try_remove_attachment(
    const HolderSession& holder, const std::string& id, const std::string& sha256, unsigned v) {
    auto read = co_await owned(holder, id, v);
    if (auto* refused = std::get_if<Response>(&read)) co_return std::move(*refused);
    auto next = std::get<storage::StoredApplication>(std::move(read));
    if (auto refused = call_refusal(ctx_.config.campaign, ctx_.clock.now(), v))
        co_return std::move(*refused);
    if (auto refused = locked_refusal(next, v)) co_return std::move(*refused);
    const auto found = std::find_if(next.attachments.begin(), next.attachments.end(),
                                    [&](const auto& a) { return a.sha256 == sha256; });
    if (found == next.attachments.end()) co_return fail(Error::attachment_not_found, v);
    json::object details{{"sha256", found->sha256}, {"name", found->name}};
    next.attachments.erase(found);
    const auto read_at = next.updated_at;
    const auto expected = next.status;
    next.updated_at = now_rfc3339();
    auto audit = holder_audit(holder, "attachment_removed", id, std::move(details));
    auto replaced = co_await ctx_.stores.applications.replace(next, expected, read_at, audit);
    if (!replaced) co_return store_refusal(replaced.error(), v);
    if (*replaced == storage::ApplicationWrite::stale) co_return std::nullopt;
    if (auto refused = write_refusal(*replaced, v)) co_return std::move(*refused);
    co_return http::json_response(http::status::ok, view(next, {}), v);
}

}  // namespace budget::server::api
