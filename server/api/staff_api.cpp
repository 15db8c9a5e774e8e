#include "server/api/staff_api.hpp"

#include <boost/json.hpp>
#include <chrono>

#include "labelling/radar_svg.hpp"
#include "server/api/errors.hpp"
#include "server/core/blocking.hpp"
#include "server/api/request_body.hpp"
#include "server/core/log.hpp"
#include "server/api/staff_api_detail.hpp"

namespace budget::server {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace staff_detail;

namespace {

/// Counts a login attempt against the username and the client address, in one step.
/// KEYS: username counter, address counter. ARGV: username limit, address limit, window (s).
/// Returns {1, 0} when allowed, {0, seconds to wait} past a limit.
constexpr const char* kLoginAttempt = R"lua(
local wait = 0
for i = 1, 2 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], ARGV[3]) end
  if n > tonumber(ARGV[i]) then wait = math.max(wait, redis.call('TTL', KEYS[i]), 1) end
end
if wait > 0 then return {0, wait} end
return {1, 0}
)lua";

/// A successful login gives its attempt back, so that only failures use up the allowance.
/// KEYS: username counter, address counter.
constexpr const char* kLoginRefund = R"lua(
for i = 1, 2 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1
)lua";

/// KEYS: session. ARGV: username, role, csrf token, created at, ttl (s).
constexpr const char* kOpenSession = R"lua(
redis.call('HSET', KEYS[1], 'username', ARGV[1], 'role', ARGV[2], 'csrf', ARGV[3],
           'created_at', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
)lua";

constexpr std::size_t kMaxJustificationChars = 4000;
constexpr std::size_t kMaxAnswers = 500;

json::object questionnaire_json(const labelling::Questionnaire& q) {
    json::array markers;
    for (const auto& marker : q.markers) {
        json::array questions;
        for (const auto& question : marker.questions) {
            questions.push_back(json::object{
                {"id", question.id},
                {"text", question.text},
                {"scale", json::object{{"min", question.scale.min}, {"max", question.scale.max}}},
                {"weight", question.weight}});
        }
        markers.push_back(json::object{
            {"id", marker.id}, {"label", marker.label}, {"questions", std::move(questions)}});
    }
    json::array categories;
    for (const auto& c : q.categories) {
        categories.push_back(
            json::object{{"id", c.id}, {"label", c.label}, {"cap_eur", c.cap_eur}});
    }
    return {{"markers", std::move(markers)},
            {"categories", std::move(categories)},
            {"gate", json::object{{"min_reviewers", q.gate.min_reviewers},
                                  {"min_marker_score", q.gate.min_marker_score},
                                  {"min_overall_score", q.gate.min_overall_score}}},
            {"digest", labelling::questionnaire_digest(q)}};
}

}  // namespace

StaffApi::StaffApi(AppContext& ctx)
    : ctx_(ctx),
      guard_(ctx),
      store_(ctx),
      audit_(ctx),
      login_key_(crypto::derive_key(ctx.pepper, "staff-login-rate-limit")),
      login_attempt_script_(kLoginAttempt),
      login_refund_script_(kLoginRefund),
      open_session_script_(kOpenSession) {}

void StaffApi::register_routes(Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    using v = http::verb;
    router.add(v::post, "/api/v1/admin/login", bind(&StaffApi::login));
    router.add(v::post, "/api/v1/admin/logout", bind(&StaffApi::logout));
    router.add(v::get, "/api/v1/admin/me", bind(&StaffApi::me));
    router.add(v::get, "/api/v1/admin/initiatives", bind(&StaffApi::list_initiatives));
    router.add(v::post, "/api/v1/admin/initiatives", bind(&StaffApi::import_initiatives));
    router.add(v::get, "/api/v1/admin/questionnaire", bind(&StaffApi::questionnaire));
    router.add(v::get, "/api/v1/admin/initiatives/{id}/evaluation",
               bind(&StaffApi::get_evaluation));
    router.add(v::put, "/api/v1/admin/initiatives/{id}/evaluation",
               bind(&StaffApi::put_evaluation));
    router.add(v::get, "/api/v1/admin/initiatives/{id}/radar", bind(&StaffApi::radar));
    router.add(v::get, "/api/v1/admin/initiatives/{id}/radar.svg", bind(&StaffApi::radar_svg));
    router.add(v::post, "/api/v1/admin/initiatives/{id}/decision", bind(&StaffApi::decide));
    router.add(v::get, "/api/v1/admin/audit", bind(&StaffApi::audit));
    router.add(v::get, "/api/v1/initiatives", bind(&StaffApi::public_initiatives));
    router.add(v::get, "/api/v1/initiatives/{id}/radar.svg", bind(&StaffApi::public_radar_svg));
    router.add(v::get, "/api/v1/ballot-definition", bind(&StaffApi::ballot_definition));
}

bool StaffApi::vote_opened() const { return unix_now() >= ctx_.config.campaign.vote_opens_unix; }

asio::awaitable<Response> StaffApi::login(RequestContext& rc) {
    const auto& req = rc.request;
    const auto v = req.version();
    if (!origin_allowed(header_value(req, "Origin"), header_value(req, "Host"))) {
        co_return origin_refused(v);
    }
    auto body = parse_json_object(req);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    const auto& o = std::get<json::object>(body);
    auto username_field = get_string(o, "username", 200);
    if (auto* rej = std::get_if<Rejection>(&username_field)) co_return rej->to_response(v);
    auto password_field = get_string(o, "password", kMaxPasswordBytes);
    if (auto* rej = std::get_if<Rejection>(&password_field)) co_return rej->to_response(v);
    const auto& raw_username = std::get<std::string>(username_field);
    auto password = std::move(std::get<std::string>(password_field));
    const auto username = normalize_username(raw_username);

    std::vector<std::string> limit_keys{
        login_username_key(login_key_, username ? *username : raw_username),
        login_address_key(login_key_, rc.client_ip)};
    std::vector<std::string> limit_args{std::to_string(kLoginAttemptsPerUsername),
                                        std::to_string(kLoginAttemptsPerAddress),
                                        std::to_string(kLoginWindow.count())};
    auto allowed =
        co_await ctx_.redis.eval(login_attempt_script_, limit_keys, std::move(limit_args));
    if (!allowed || allowed->is_error() || allowed->elements.size() != 2) {
        co_return error_response(ApiError::storage_unavailable, v);
    }
    if (allowed->elements[0].integer == 0) {
        auto res = reject(ApiError::rate_limited, v, "rate_limited",
                          "Trop de tentatives de connexion. Patientez quelques minutes avant de "
                          "réessayer.");
        res.set(http::field::retry_after, std::to_string(allowed->elements[1].integer));
        co_return res;
    }

    std::string stored_hash;
    std::optional<StaffRole> role;
    if (username) {
        std::vector<std::string> cmd{"HGETALL", staff_user_key(*username)};
        auto user = co_await ctx_.redis.command(std::move(cmd));
        if (!user || user->is_error()) co_return error_response(ApiError::storage_unavailable, v);
        for (std::size_t i = 0; i + 1 < user->elements.size(); i += 2) {
            if (user->elements[i].str == "password_hash") stored_hash = user->elements[i + 1].str;
            if (user->elements[i].str == "role") role = parse_staff_role(user->elements[i + 1].str);
        }
    }
    const bool known = !stored_hash.empty() && role.has_value();
    // The verification runs whether or not the account exists, so that both answers take as long.
    // GCC 12 miscompiles a lambda temporary with non-trivial captures inside a co_await
    // expression (its captures are copied bitwise and freed twice): name it first.
    auto verify = [known, stored_hash, password = std::move(password)] {
        const bool ok = verify_password(known ? stored_hash : decoy_password_hash(), password);
        return known && ok;
    };
    const bool verified = co_await run_blocking(ctx_.blocking_pool, std::move(verify));
    if (!verified) {
        AuditEntry entry{known ? *username : "",  "", "login_failed", "",
                         {{"known_user", known}}, ""};
        co_await audit_.append(std::move(entry));
        co_return reject(ApiError::not_authenticated, v, "invalid_credentials",
                         "Identifiant ou mot de passe incorrect.");
    }

    std::vector<std::string> no_args;
    co_await ctx_.redis.eval(login_refund_script_, std::move(limit_keys), std::move(no_args));
    const auto session_id = crypto::random_hex(32);
    const auto csrf_token = crypto::random_hex(32);
    std::vector<std::string> session_keys{staff_session_key(session_id)};
    std::vector<std::string> session_args{*username, std::string(to_string(*role)), csrf_token,
                                          now_rfc3339(), std::to_string(kStaffSessionTtl.count())};
    auto opened = co_await ctx_.redis.eval(open_session_script_, std::move(session_keys),
                                           std::move(session_args));
    if (!opened || opened->is_error()) co_return error_response(ApiError::storage_unavailable, v);
    AuditEntry entry{*username, std::string(to_string(*role)), "login", "", {}, ""};
    co_await audit_.append(std::move(entry));

    json::object out{{"csrf_token", csrf_token},
                     {"role", to_string(*role)},
                     {"username", *username},
                     {"expires_in", kStaffSessionTtl.count()}};
    auto res = json_response(http::status::ok, out, v);
    res.set(http::field::set_cookie,
            session_cookie(guard_.cookies(), session_id, kStaffSessionTtl));
    co_return res;
}

asio::awaitable<Response> StaffApi::logout(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await authorize(rc, Access::any_staff, true);
    if (auto* res = std::get_if<Response>(&auth)) co_return std::move(*res);
    const auto& session = std::get<StaffSession>(auth);
    std::vector<std::string> cmd{"DEL", session.key};
    auto deleted = co_await ctx_.redis.command(std::move(cmd));
    if (!deleted || deleted->is_error()) co_return error_response(ApiError::storage_unavailable, v);
    AuditEntry entry{session.username, std::string(to_string(session.role)), "logout", "", {}, ""};
    co_await audit_.append(std::move(entry));
    Response res{http::status::no_content, v};
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::set_cookie, expired_session_cookie(guard_.cookies()));
    res.prepare_payload();
    co_return res;
}

asio::awaitable<Response> StaffApi::me(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await authorize(rc, Access::any_staff, false);
    if (auto* res = std::get_if<Response>(&auth)) co_return std::move(*res);
    const auto& session = std::get<StaffSession>(auth);
    json::object out{{"username", session.username},
                     {"role", to_string(session.role)},
                     {"csrf_token", session.csrf_token}};
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<Response> StaffApi::list_initiatives(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await authorize(rc, Access::any_staff, false);
    if (auto* res = std::get_if<Response>(&auth)) co_return std::move(*res);
    const auto& session = std::get<StaffSession>(auth);
    auto snapshot = co_await store_.snapshot();
    if (!snapshot) co_return error_response(ApiError::storage_unavailable, v);
    json::array list;
    for (const auto& [id, record] : snapshot->initiatives) {
        const auto review = review_initiative(ctx_.questionnaire, evaluations_of(*snapshot, id));
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
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<Response> StaffApi::import_initiatives(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await authorize(rc, Access::mission, true);
    if (auto* res = std::get_if<Response>(&auth)) co_return std::move(*res);
    const auto& session = std::get<StaffSession>(auth);
    if (vote_opened()) co_return sealed_response(v);
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    const json::value submission(std::move(std::get<json::object>(body)));
    auto batch = validate_initiative_submission(submission, ctx_.communes,
                                                largest_category_cap(ctx_.questionnaire), false);
    if (!batch.shape_error.empty()) co_return invalid_initiatives(v, batch.shape_error, {});
    if (!batch.ok()) co_return invalid_initiatives(v, "", batch.errors);

    json::array ids;
    for (const auto& r : batch.records) ids.emplace_back(r.id);
    AuditEntry entry{session.username,
                     std::string(to_string(session.role)),
                     "import",
                     "",
                     {{"count", batch.records.size()}, {"ids", ids}},
                     ""};
    std::vector<std::string> existing;
    switch (co_await store_.import(batch.records, entry, existing)) {
        case WriteOutcome::ok: {
            json::object out{{"imported", batch.records.size()}, {"ids", std::move(ids)}};
            co_return json_response(http::status::created, out, v);
        }
        case WriteOutcome::conflict:
            co_return invalid_initiatives(v, "", existing_id_errors(batch.records, existing));
        case WriteOutcome::sealed:
            co_return sealed_response(v);
        default:
            co_return error_response(ApiError::storage_unavailable, v);
    }
}

asio::awaitable<Response> StaffApi::questionnaire(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await authorize(rc, Access::committee, false);
    if (auto* res = std::get_if<Response>(&auth)) co_return std::move(*res);
    co_return json_response(http::status::ok, questionnaire_json(ctx_.questionnaire), v);
}

asio::awaitable<Response> StaffApi::get_evaluation(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await authorize(rc, Access::committee, false);
    if (auto* res = std::get_if<Response>(&auth)) co_return std::move(*res);
    const auto& session = std::get<StaffSession>(auth);
    const auto& id = rc.params["id"];
    auto snapshot = co_await store_.snapshot();
    if (!snapshot) co_return error_response(ApiError::storage_unavailable, v);
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
    co_return json_response(http::status::ok, out, v);
}

asio::awaitable<Response> StaffApi::put_evaluation(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await authorize(rc, Access::committee, true);
    if (auto* res = std::get_if<Response>(&auth)) co_return std::move(*res);
    const auto& session = std::get<StaffSession>(auth);
    const auto& id = rc.params["id"];
    if (vote_opened()) co_return sealed_response(v);
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    const auto* answers_value = std::get<json::object>(body).if_contains("answers");
    if (!answers_value || !answers_value->is_object()) {
        co_return reject(ApiError::invalid_field, v, "invalid_field",
                         "Le champ « answers » doit être un objet {\"question\": réponse}.");
    }
    const auto& given = answers_value->as_object();
    if (given.size() > kMaxAnswers) {
        co_return reject(ApiError::invalid_field, v, "invalid_field",
                         "Le champ « answers » contient trop de réponses.");
    }
    auto check = check_answers(ctx_.questionnaire, given);
    if (!check.scores) co_return invalid_answers(v, std::move(check.problems));

    json::object score_details;
    for (const auto& [marker, score] : *check.scores) score_details[marker] = score;
    StoredEvaluation evaluation{session.username, check.answers, now_rfc3339()};
    AuditEntry entry{session.username,
                     std::string(to_string(session.role)),
                     "evaluation",
                     id,
                     {{"scores", std::move(score_details)}},
                     ""};
    switch (co_await store_.put_evaluation(id, evaluation, entry)) {
        case WriteOutcome::ok:
            break;
        case WriteOutcome::sealed:
            co_return sealed_response(v);
        case WriteOutcome::unknown_initiative:
            co_return unknown_initiative(v, id);
        case WriteOutcome::decided:
            co_return reject(ApiError::conflict, v, "already_decided",
                             "Le comité a déjà pris sa décision sur cette initiative : les "
                             "évaluations ne peuvent plus changer.");
        default:
            co_return error_response(ApiError::storage_unavailable, v);
    }
    auto snapshot = co_await store_.snapshot();
    if (!snapshot) co_return error_response(ApiError::storage_unavailable, v);
    co_return json_response(http::status::ok, radar_json(ctx_, *snapshot, id, session.username), v);
}

asio::awaitable<Response> StaffApi::radar(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await authorize(rc, Access::committee, false);
    if (auto* res = std::get_if<Response>(&auth)) co_return std::move(*res);
    const auto& session = std::get<StaffSession>(auth);
    const auto& id = rc.params["id"];
    auto snapshot = co_await store_.snapshot();
    if (!snapshot) co_return error_response(ApiError::storage_unavailable, v);
    if (!snapshot->initiatives.contains(id)) co_return unknown_initiative(v, id);
    co_return json_response(http::status::ok, radar_json(ctx_, *snapshot, id, session.username), v);
}

asio::awaitable<Response> StaffApi::radar_svg(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await authorize(rc, Access::committee, false);
    if (auto* res = std::get_if<Response>(&auth)) co_return std::move(*res);
    const auto& session = std::get<StaffSession>(auth);
    const auto& id = rc.params["id"];
    auto snapshot = co_await store_.snapshot();
    if (!snapshot) co_return error_response(ApiError::storage_unavailable, v);
    const auto found = snapshot->initiatives.find(id);
    if (found == snapshot->initiatives.end()) co_return unknown_initiative(v, id);
    const auto review = review_initiative(ctx_.questionnaire, evaluations_of(*snapshot, id));
    std::vector<labelling::RadarSeries> series;
    if (const auto own = review.reviewer_scores.find(session.username);
        own != review.reviewer_scores.end()) {
        series.push_back({"Votre évaluation", own->second});
    }
    labelling::RadarOptions options;
    options.title = "Radar des marqueurs ESS — " + found->second.title;
    auto svg = labelling::render_radar_svg(labelling::radar_axes(ctx_.questionnaire),
                                           review.aggregate, series, options);
    co_return text_response(http::status::ok, std::move(svg), "image/svg+xml; charset=utf-8", v);
}

asio::awaitable<Response> StaffApi::decide(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await authorize(rc, Access::committee, true);
    if (auto* res = std::get_if<Response>(&auth)) co_return std::move(*res);
    const auto& session = std::get<StaffSession>(auth);
    const auto& id = rc.params["id"];
    if (vote_opened()) co_return sealed_response(v);
    auto body = parse_json_object(rc.request);
    if (auto* rej = std::get_if<Rejection>(&body)) co_return rej->to_response(v);
    const auto& o = std::get<json::object>(body);
    auto decision_field = get_string(o, "decision", 20);
    if (auto* rej = std::get_if<Rejection>(&decision_field)) co_return rej->to_response(v);
    const auto& decision = std::get<std::string>(decision_field);
    if (decision != "label" && decision != "refuse") {
        co_return reject(ApiError::unprocessable, v, "invalid_decision",
                         "La décision doit être « label » (labelliser) ou « refuse » (refuser).");
    }
    auto category_field = get_optional_string(o, "category", 100);
    if (auto* rej = std::get_if<Rejection>(&category_field)) co_return rej->to_response(v);
    const auto category = std::get<std::optional<std::string>>(category_field).value_or("");
    std::string justification;
    if (const auto* j = o.if_contains("justification"); j && !j->is_null()) {
        if (!j->is_string()) {
            co_return reject(ApiError::invalid_field, v, "invalid_field",
                             "Le champ « justification » doit être une chaîne de caractères.");
        }
        justification = trim_text(std::string_view(j->as_string().data(), j->as_string().size()));
        const auto length = clean_text_length(justification, true);
        if (!length || *length > kMaxJustificationChars) {
            co_return reject(ApiError::invalid_field, v, "invalid_field",
                             "La justification doit être un texte valide d'au plus " +
                                 std::to_string(kMaxJustificationChars) + " caractères.");
        }
    }
    if (decision == "label" && !labelling::find_category(ctx_.questionnaire, category)) {
        std::string known;
        for (const auto& c : ctx_.questionnaire.categories) {
            known += (known.empty() ? "« " : ", « ") + c.id + " »";
        }
        co_return reject(ApiError::unprocessable, v, "invalid_category",
                         "Pour labelliser, choisissez une catégorie parmi : " + known + ".");
    }

    // The gate depends on the evaluations: if one lands between our read and our write, the
    // write is refused as stale and the decision is checked again on fresh data.
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto snapshot = co_await store_.snapshot();
        if (!snapshot) co_return error_response(ApiError::storage_unavailable, v);
        if (!snapshot->initiatives.contains(id)) co_return unknown_initiative(v, id);
        const auto review = review_initiative(ctx_.questionnaire, evaluations_of(*snapshot, id));
        const bool against_gate = (decision == "label") != review.gate.passes;
        if (against_gate && justification.empty()) {
            const auto message =
                decision == "label"
                    ? std::string(
                          "Cette initiative ne franchit pas le seuil de labellisation : "
                          "la labelliser exige une justification écrite.")
                    : std::string(
                          "Cette initiative franchit le seuil de labellisation : la "
                          "refuser exige une justification écrite.");
            json::object extra{{"gate", gate_json(review.gate)}};
            co_return detailed_error(ApiError::unprocessable, v, "justification_required", message,
                                     std::move(extra));
        }
        StoredDecision stored{decision,      decision == "label" ? category : "",
                              justification, session.username,
                              now_rfc3339(), review.gate.passes};
        json::object details{
            {"decision", decision},           {"category", stored.category},
            {"gate", gate_json(review.gate)}, {"against_gate", against_gate},
            {"reviewers", review.reviewers},  {"previous", decision_json(*snapshot, id)}};
        AuditEntry entry{session.username,   std::string(to_string(session.role)),
                         "decision",         id,
                         std::move(details), justification};
        switch (co_await store_.put_decision(id, stored, snapshot->version, entry)) {
            case WriteOutcome::ok: {
                json::object out{{"initiative", id},
                                 {"decision", stored_decision_json(stored)},
                                 {"gate", gate_json(review.gate)}};
                co_return json_response(http::status::ok, out, v);
            }
            case WriteOutcome::stale:
                continue;
            case WriteOutcome::sealed:
                co_return sealed_response(v);
            case WriteOutcome::unknown_initiative:
                co_return unknown_initiative(v, id);
            default:
                co_return error_response(ApiError::storage_unavailable, v);
        }
    }
    co_return reject(ApiError::conflict, v, "concurrent_change",
                     "Les évaluations de cette initiative changent en ce moment : rechargez le "
                     "radar et recommencez.");
}

asio::awaitable<Response> StaffApi::audit(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await authorize(rc, Access::any_staff, false);
    if (auto* res = std::get_if<Response>(&auth)) co_return std::move(*res);
    std::size_t count = kAuditDefaultCount;
    if (const auto limit = query_parameter(rc.query, "limit")) {
        try {
            count = std::clamp<std::size_t>(std::stoul(*limit), 1, kAuditMaxCount);
        } catch (const std::exception&) {
            co_return reject(ApiError::malformed_request, v, "invalid_limit",
                             "Le paramètre « limit » doit être un nombre entier.");
        }
    }
    auto entries = co_await audit_.newest(count);
    if (!entries) co_return error_response(ApiError::storage_unavailable, v);
    json::object out{{"entries", std::move(*entries)}};
    co_return json_response(http::status::ok, out, v);
}

}  // namespace budget::server
