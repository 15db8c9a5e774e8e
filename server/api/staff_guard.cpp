#include "server/api/staff_guard.hpp"

#include "server/api/errors.hpp"

namespace budget::server {

namespace asio = boost::asio;

namespace {

std::string role_label(StaffRole role) {
    return role == StaffRole::committee ? "au comité de labellisation" : "à la Mission ESS";
}

}  // namespace

std::string_view header_value(const Request& req, std::string_view name) {
    const auto it = req.find(name);
    return it == req.end() ? std::string_view() : std::string_view(it->value());
}

Response origin_refused(unsigned version) {
    return reject(ApiError::forbidden, version, "origin_refused",
                  "Cette requête vient d'un autre site que celui du Budget citoyen : elle est "
                  "refusée.");
}

StaffGuard::StaffGuard(AppContext& ctx) : ctx_(ctx), cookies_(cookie_policy(ctx.config)) {}

asio::awaitable<std::variant<StaffSession, Response>> StaffGuard::authorize(RequestContext& rc,
                                                                            StaffAccess access,
                                                                            bool write) {
    const auto& req = rc.request;
    const auto v = req.version();
    if (write && !origin_allowed(header_value(req, "Origin"), header_value(req, "Host"))) {
        co_return origin_refused(v);
    }
    const auto session_id = cookie_value(header_value(req, "Cookie"), cookies_.name());
    if (!session_id || session_id->size() != 64) {
        co_return reject(ApiError::not_authenticated, v, "not_authenticated",
                         "Cet espace est réservé au comité de labellisation et à la Mission ESS : "
                         "connectez-vous.");
    }
    std::vector<std::string> cmd{"HGETALL", staff_session_key(*session_id)};
    auto reply = co_await ctx_.redis.command(std::move(cmd));
    if (!reply || reply->is_error()) co_return error_response(ApiError::storage_unavailable, v);
    StaffSession session;
    session.key = staff_session_key(*session_id);
    std::optional<StaffRole> role;
    for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
        const auto& name = reply->elements[i].str;
        const auto& value = reply->elements[i + 1].str;
        if (name == "username") session.username = value;
        if (name == "csrf") session.csrf_token = value;
        if (name == "role") role = parse_staff_role(value);
    }
    if (session.username.empty() || session.csrf_token.empty() || !role) {
        co_return reject(ApiError::not_authenticated, v, "not_authenticated",
                         "Votre session a expiré ou n'existe pas : reconnectez-vous.");
    }
    session.role = *role;
    if (access == StaffAccess::committee && session.role != StaffRole::committee) {
        co_return reject(ApiError::forbidden, v, "forbidden",
                         "Cette action est réservée " + role_label(StaffRole::committee) + ".");
    }
    if (access == StaffAccess::mission && session.role != StaffRole::mission) {
        co_return reject(ApiError::forbidden, v, "forbidden",
                         "Cette action est réservée " + role_label(StaffRole::mission) + ".");
    }
    if (write) {
        const auto token = header_value(req, "X-CSRF-Token");
        if (token.empty() || !crypto::equal_constant_time(token, session.csrf_token)) {
            co_return error_response(ApiError::csrf_failed, v);
        }
    }
    co_return session;
}

}  // namespace budget::server
