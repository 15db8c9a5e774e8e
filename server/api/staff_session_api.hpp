#pragma once
// The staff's sessions: `POST /api/v1/admin/login`, `POST /api/v1/admin/logout`,
// `GET /api/v1/admin/me`. Accounts are made by `budgetctl user add`; passwords are Argon2id
// (staff_auth.hpp), verified on the blocking pool; failed attempts are counted per username and
// per client address (storage::RateLimits), both keyed hashes.

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "server/api/app_context.hpp"
#include "server/api/staff_guard.hpp"
#include "server/core/crypto.hpp"
#include "server/http/router.hpp"

namespace budget::server::api {

class StaffSessionApi {
  public:
    /// `guard` is shared with the other staff routes and must outlive this object.
    StaffSessionApi(AppContext& ctx, StaffGuard& guard);
    void register_routes(http::Router& router);

  private:
    /// What a login request says: the username as typed, its normal form when it has one, and
    /// the password.
    struct Credentials {
        std::string raw_username;
        std::optional<std::string> username;
        std::string password;
    };
    /// The outcome of a password check: whether the account exists, and its role when the
    /// password is right.
    struct Verification {
        bool known = false;
        std::optional<StaffRole> role;
    };

    boost::asio::awaitable<Response> login(RequestContext& rc);
    boost::asio::awaitable<Response> logout(RequestContext& rc);
    boost::asio::awaitable<Response> me(RequestContext& rc);

    /// Verifies the password against the account, or against a decoy when there is none, so
    /// that both answers take as long. Consumes `credentials.password`.
    boost::asio::awaitable<storage::StoreResult<Verification>> verify(Credentials& credentials);
    /// Opens the session of a verified login and answers with its cookie and CSRF token.
    boost::asio::awaitable<Response> open_session(const std::string& username, StaffRole role,
                                                  unsigned version);

    AppContext& ctx_;
    StaffGuard& guard_;
    crypto::Key32 login_key_;  ///< keys the attempt counters, so no raw username or address
};

}  // namespace budget::server::api
