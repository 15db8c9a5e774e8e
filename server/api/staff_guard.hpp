#pragma once
// The access check of every staff route, for any group of handlers (labelling, tally,
// publication). In this order: a foreign Origin on a write (403 origin_refused), the session
// cookie (401 not_authenticated), the role (403 forbidden), the CSRF token on a write
// (403 csrf_failed, compared in constant time).
//
//   auto auth = co_await guard.authorize(rc, StaffAccess::mission, /*write=*/true);
//   if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
//   const auto& session = std::get<StaffSession>(auth);

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/api/staff_auth.hpp"

namespace budget::server::api {

/// A logged-in staff member, as read from the session.
struct StaffSession {
    std::string id;  ///< the session id the cookie holds (to end the session)
    std::string username;
    StaffRole role = StaffRole::committee;
    std::string csrf_token;
};

/// Who may call a route.
enum class StaffAccess { committee, mission, any_staff };

/// Why a live session may not make this request (wrong role, or a write whose `X-CSRF-Token`
/// differs from the session's); std::nullopt when it may.
std::optional<Error> session_refusal(const StaffSession& session, StaffAccess access, bool write,
                                     std::string_view csrf_header);

/// The session id a `Cookie` header carries under the policy's name, when it has the shape of
/// one (64 hex digits of random_hex(32)); std::nullopt otherwise.
std::optional<std::string> session_id_of(std::string_view cookie_header,
                                         const CookiePolicy& policy);

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

}  // namespace budget::server::api
