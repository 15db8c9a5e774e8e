#include "server/api/staff_guard.hpp"

#include "server/core/crypto.hpp"
#include "server/http/cookies.hpp"

namespace budget::server::api {

namespace asio = boost::asio;

std::optional<Error> session_refusal(const StaffSession& session, StaffAccess access, bool write,
                                     std::string_view csrf_header) {
    if (access == StaffAccess::committee && session.role != StaffRole::committee) {
        return Error::committee_only;
    }
    if (access == StaffAccess::mission && session.role != StaffRole::mission) {
        return Error::mission_only;
    }
    if (write &&
        (csrf_header.empty() || !crypto::equal_constant_time(csrf_header, session.csrf_token))) {
        return Error::csrf_failed;
    }
    return std::nullopt;
}

std::optional<std::string> session_id_of(std::string_view cookie_header,
                                         const CookiePolicy& policy) {
    auto id = http::cookie_value(cookie_header, policy.name());
    // Anything else cannot be an id we issued: no need to ask Redis.
    if (!id || id->size() != 64) return std::nullopt;
    return id;
}

StaffGuard::StaffGuard(AppContext& ctx) : ctx_(ctx), cookies_(cookie_policy(ctx.config)) {}

asio::awaitable<std::variant<StaffSession, Response>> StaffGuard::authorize(RequestContext& rc,
                                                                            StaffAccess access,
                                                                            bool write) {
    const auto& req = rc.request;
    const auto v = req.version();
    if (write &&
        !origin_allowed(http::header_value(req, "Origin"), http::header_value(req, "Host"))) {
        co_return fail(Error::origin_refused, v);
    }
    auto id = session_id_of(http::header_value(req, "Cookie"), cookies_);
    if (!id) co_return fail(Error::staff_not_authenticated, v);
    auto stored = co_await ctx_.stores.staff.session(*id);
    if (!stored) co_return fail(Error::storage_unavailable, v);
    const auto role = *stored ? parse_staff_role((*stored)->role) : std::nullopt;
    if (!role) co_return fail(Error::staff_session_expired, v);
    StaffSession session{std::move(*id), std::move((*stored)->username), *role,
                         std::move((*stored)->csrf_token)};
    if (const auto refusal =
            session_refusal(session, access, write, http::header_value(req, "X-CSRF-Token"))) {
        co_return fail(*refusal, v);
    }
    co_return session;
}

}  // namespace budget::server::api
