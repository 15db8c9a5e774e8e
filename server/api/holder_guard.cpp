#include "server/api/holder_guard.hpp"

#include "server/api/staff_auth.hpp"
#include "server/core/crypto.hpp"
#include "server/http/cookies.hpp"

namespace budget::server::api {

namespace asio = boost::asio;

std::string holder_cookie_name(bool secure) {
    return secure ? "__Host-budget_holder" : "budget_holder";
}

std::string holder_cookie(bool secure, std::string_view session_id, std::chrono::seconds max_age) {
    std::string out =
        holder_cookie_name(secure) + "=" + std::string(session_id) +
        "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age.count());
    if (secure) out += "; Secure";
    return out;
}

std::string expired_holder_cookie(bool secure) {
    return holder_cookie(secure, "", std::chrono::seconds(0));
}

std::optional<std::string> holder_session_id_of(std::string_view cookie_header, bool secure) {
    auto id = http::cookie_value(cookie_header, holder_cookie_name(secure));
    // Anything else cannot be an id we issued (random_hex(32)): no need to ask Redis.
    if (!id || id->size() != 64 || id->find_first_not_of("0123456789abcdef") != std::string::npos)
        return std::nullopt;
    return id;
}

std::optional<Error> holder_session_refusal(const HolderSession& session, bool write,
                                            std::string_view csrf_header) {
    if (write &&
        (csrf_header.empty() || !crypto::equal_constant_time(csrf_header, session.csrf_token))) {
        return Error::csrf_failed;
    }
    return std::nullopt;
}

std::string holder_audit_name(std::string_view owner) {
    return "holder:" + std::string(owner.substr(0, 12));
}

// The same switch as the staff's cookie (cookie_policy): TLS on, the cookie is Secure.
HolderGuard::HolderGuard(AppContext& ctx) : ctx_(ctx), secure_(cookie_policy(ctx.config).secure) {}

asio::awaitable<std::variant<HolderSession, Response>> HolderGuard::authorize(RequestContext& rc,
                                                                              bool write) {
    const auto& req = rc.request;
    const auto v = req.version();
    if (write &&
        !origin_allowed(http::header_value(req, "Origin"), http::header_value(req, "Host"))) {
        co_return fail(Error::origin_refused, v);
    }
    auto id = holder_session_id_of(http::header_value(req, "Cookie"), secure_);
    if (!id) co_return fail(Error::holder_not_authenticated, v);
    auto stored = co_await ctx_.stores.applications.session(*id);
    if (!stored) co_return fail(Error::storage_unavailable, v);
    if (!*stored) co_return fail(Error::holder_not_authenticated, v);
    auto& record = **stored;
    HolderSession session{std::move(*id), std::move(record.owner), std::move(record.email),
                          std::move(record.csrf_token)};
    if (const auto refusal =
            holder_session_refusal(session, write, http::header_value(req, "X-CSRF-Token"))) {
        co_return fail(*refusal, v);
    }
    co_return session;
}

}  // namespace budget::server::api
