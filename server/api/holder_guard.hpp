#pragma once
// The access check of every holder route (issue 17), like the staff's (staff_guard.hpp) with
// the holder's own cookie and session store. In this order: a foreign Origin on a write (403
// origin_refused), the session cookie (401 holder_not_authenticated), the CSRF token on a write
// (403 csrf_failed, compared in constant time).
//
//   auto auth = co_await guard.authorize(rc, /*write=*/true);
//   if (auto* refused = std::get_if<Response>(&auth)) co_return std::move(*refused);
//   const auto& holder = std::get<HolderSession>(auth);

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"

namespace budget::server::api {

/// A signed-in holder, as read from the session.
struct HolderSession {
    std::string id;     ///< the session id the cookie holds (to end the session)
    std::string owner;  ///< keyed hash of the normalised e-mail: owns the applications
    std::string email;
    std::string csrf_token;
};

/// The holder's cookie: `__Host-budget_holder` over HTTPS (Secure, Path=/, no Domain, as the
/// prefix requires), `budget_holder` otherwise.
std::string holder_cookie_name(bool secure);
/// `Set-Cookie` value opening a holder session: HttpOnly, SameSite=Strict, Path=/, Max-Age.
std::string holder_cookie(bool secure, std::string_view session_id, std::chrono::seconds max_age);
/// `Set-Cookie` value removing it.
std::string expired_holder_cookie(bool secure);
/// The session id a `Cookie` header carries under the holder's name, when it has the shape of one
/// (64 hex digits); std::nullopt otherwise.
std::optional<std::string> holder_session_id_of(std::string_view cookie_header, bool secure);

/// Why a live session may not make this request: a write whose `X-CSRF-Token` is absent or
/// differs from the session's (csrf_failed); std::nullopt when it may.
std::optional<Error> holder_session_refusal(const HolderSession& session, bool write,
                                            std::string_view csrf_header);

/// "holder:<first 12 hex of the owner>": who the audit entries name (never the address).
std::string holder_audit_name(std::string_view owner);

class HolderGuard {
  public:
    explicit HolderGuard(AppContext& ctx);

    /// The session of an allowed caller, or the answer refusing the request. `write` is true for
    /// every request that changes something (POST, PUT, DELETE).
    boost::asio::awaitable<std::variant<HolderSession, Response>> authorize(RequestContext& rc,
                                                                            bool write);

    bool secure() const { return secure_; }

  private:
    AppContext& ctx_;
    bool secure_;
};

}  // namespace budget::server::api
