#pragma once
// The access check of every staff route, usable by any group of handlers (labelling, tally,
// publication): in this order, a foreign Origin on a write (403 origin_refused), the session
// cookie (401 not_authenticated), the role (403 forbidden), the CSRF token on a write
// (403 csrf_failed, compared in constant time).
//
//   StaffGuard guard(ctx);
//   auto auth = co_await guard.authorize(rc, StaffAccess::mission, /*write=*/true);
//   if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
//   const auto& session = std::get<StaffSession>(auth);

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "server/api/app_context.hpp"
#include "server/http/types.hpp"
#include "server/api/staff_auth.hpp"

namespace budget::server {

/// A logged-in staff member, as read from the session.
struct StaffSession {
    std::string username;
    StaffRole role = StaffRole::committee;
    std::string csrf_token;
    std::string key;  ///< the session's Redis key (to end it)
};

/// Who may call a route.
enum class StaffAccess { committee, mission, any_staff };

/// A header's value, empty when absent.
std::string_view header_value(const Request& req, std::string_view name);

/// 403 origin_refused.
Response origin_refused(unsigned version);

class StaffGuard {
  public:
    explicit StaffGuard(AppContext& ctx);

    /// The session of an allowed caller, or the answer refusing the request. `write` is true for
    /// every request that changes something (POST, PUT, DELETE).
    boost::asio::awaitable<std::variant<StaffSession, Response>> authorize(RequestContext& rc,
                                                                           StaffAccess access,
                                                                           bool write);

    const CookiePolicy& cookies() const { return cookies_; }

  private:
    AppContext& ctx_;
    CookiePolicy cookies_;
};

}  // namespace budget::server
