#include "server/api/staff_session_api.hpp"

#include <boost/json.hpp>
#include <utility>
#include <variant>

#include "server/api/client_network.hpp"
#include "server/api/request_body.hpp"
#include "server/core/blocking.hpp"
#include "server/core/log.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The delay after the last free attempt of a username from one network; doubled at each
// attempt after it (1, 2, 4, 8 minutes, then the window's 15).
constexpr std::chrono::seconds kLoginFirstDelay{60};

/// The login body, from this site only.
std::variant<json::object, Response> login_body(const Request& req) {
    const auto v = req.version();
    if (!origin_allowed(http::header_value(req, "Origin"), http::header_value(req, "Host"))) {
        return fail(Error::origin_refused, v);
    }
    auto body = parse_json_object(req);
    if (auto* rej = std::get_if<Rejection>(&body)) return rej->to_response(v);
    return std::move(std::get<json::object>(body));
}

}  // namespace

StaffSessionApi::StaffSessionApi(AppContext& ctx, StaffGuard& guard)
    : ctx_(ctx),
      guard_(guard),
      login_key_(crypto::derive_key(ctx.pepper, "staff-login-rate-limit")) {}

void StaffSessionApi::register_routes(http::Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    using v = http::verb;
    router.add(v::post, "/api/v1/admin/login", bind(&StaffSessionApi::login));
    router.add(v::post, "/api/v1/admin/logout", bind(&StaffSessionApi::logout));
    router.add(v::get, "/api/v1/admin/me", bind(&StaffSessionApi::me));
}

asio::awaitable<Response> StaffSessionApi::login(RequestContext& rc) {
    const auto v = rc.request.version();
    auto body = login_body(rc.request);
    if (auto* refused = std::get_if<Response>(&body)) co_return std::move(*refused);
    const auto& o = std::get<json::object>(body);
    auto username_field = get_string(o, "username", 200);
    if (auto* rej = std::get_if<Rejection>(&username_field)) co_return rej->to_response(v);
    auto password_field = get_string(o, "password", kMaxPasswordBytes);
    if (auto* rej = std::get_if<Rejection>(&password_field)) co_return rej->to_response(v);
    Credentials credentials{std::move(std::get<std::string>(username_field)), std::nullopt,
                            std::move(std::get<std::string>(password_field))};
    credentials.username = normalize_username(credentials.raw_username);

    // Counted before the password is checked: a guess costs an attempt whatever its outcome.
    // Per (username, client network): an attacker's guesses slow that username down from their
    // network only, never for the staff member logging in from elsewhere.
    const auto username_hash = crypto::hmac_hex(
        login_key_, (credentials.username ? *credentials.username : credentials.raw_username) +
                        "\n" + client_network(rc.client_ip));
    const auto address_hash = crypto::hmac_hex(login_key_, rc.client_ip);
    auto allowance = co_await ctx_.stores.limits.count_login(
        username_hash, address_hash, kLoginAttemptsPerUsername, kLoginAttemptsPerAddress,
        kLoginWindow, kLoginFirstDelay);
    if (!allowance) co_return fail(Error::storage_unavailable, v);
    if (!allowance->allowed) {
        co_return fail_retry_after(Error::login_rate_limited, v, allowance->retry_after_s);
    }

    auto verified = co_await verify(credentials);
    if (!verified) co_return fail(Error::storage_unavailable, v);
    if (!verified->role) {
        storage::AuditEntry entry{verified->known ? *credentials.username : "",
                                  "",
                                  "login_failed",
                                  "",
                                  {{"known_user", verified->known}},
                                  ""};
        co_await ctx_.stores.audit.append(std::move(entry));
        co_return fail(Error::invalid_credentials, v);
    }
    co_await ctx_.stores.limits.refund_login(username_hash, address_hash);
    co_return co_await open_session(*credentials.username, *verified->role, v);
}

asio::awaitable<storage::StoreResult<StaffSessionApi::Verification>> StaffSessionApi::verify(
    Credentials& credentials) {
    std::string stored_hash;
    std::optional<StaffRole> role;
    if (credentials.username) {
        auto user = co_await ctx_.stores.staff.user(*credentials.username);
        if (!user) co_return user.error();
        if (*user) {
            stored_hash = std::move((*user)->password_hash);
            role = parse_staff_role((*user)->role);
        }
    }
    const bool known = !stored_hash.empty() && role.has_value();
    // GCC 12 miscompiles a lambda temporary with non-trivial captures inside a co_await
    // expression (its captures are copied bitwise and freed twice): name it first.
    auto check = [known, stored_hash = std::move(stored_hash),
                  password = std::move(credentials.password)] {
        const bool ok = verify_password(known ? stored_hash : decoy_password_hash(), password);
        return known && ok;
    };
    const bool verified = co_await run_blocking(ctx_.blocking_pool, std::move(check));
    co_return Verification{known, verified ? role : std::nullopt};
}

asio::awaitable<Response> StaffSessionApi::open_session(const std::string& username, StaffRole role,
                                                        unsigned version) {
    const auto session_id = crypto::random_hex(32);
    const auto csrf_token = crypto::random_hex(32);
    storage::StaffSessionRecord record{username, std::string(to_string(role)), csrf_token,
                                       now_rfc3339()};
    auto opened =
        co_await ctx_.stores.staff.open_session(session_id, std::move(record), kStaffSessionTtl);
    if (!opened) co_return fail(Error::storage_unavailable, version);
    storage::AuditEntry entry{username, std::string(to_string(role)), "login", "", {}, ""};
    co_await ctx_.stores.audit.append(std::move(entry));

    json::object out{{"csrf_token", csrf_token},
                     {"role", to_string(role)},
                     {"username", username},
                     {"expires_in", kStaffSessionTtl.count()}};
    auto res = http::json_response(http::status::ok, out, version);
    res.set(http::field::set_cookie,
            session_cookie(guard_.cookies(), session_id, kStaffSessionTtl));
    co_return res;
}

asio::awaitable<Response> StaffSessionApi::logout(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::any_staff, true);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& session = std::get<StaffSession>(auth);
    auto closed = co_await ctx_.stores.staff.close_session(session.id);
    if (!closed) co_return fail(Error::storage_unavailable, v);
    storage::AuditEntry entry{
        session.username, std::string(to_string(session.role)), "logout", "", {}, ""};
    co_await ctx_.stores.audit.append(std::move(entry));
    Response res{http::status::no_content, v};
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::set_cookie, expired_session_cookie(guard_.cookies()));
    res.prepare_payload();
    co_return res;
}

asio::awaitable<Response> StaffSessionApi::me(RequestContext& rc) {
    const auto v = rc.request.version();
    auto auth = co_await guard_.authorize(rc, StaffAccess::any_staff, false);
    if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
    const auto& session = std::get<StaffSession>(auth);
    json::object out{{"username", session.username},
                     {"role", to_string(session.role)},
                     {"csrf_token", session.csrf_token}};
    co_return http::json_response(http::status::ok, out, v);
}

}  // namespace budget::server::api
