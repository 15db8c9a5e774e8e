#pragma once
// FranceConnect (v2) as a way in for residents (docs/franceconnect.md): the OpenID Connect
// authorization code flow with state, nonce and PKCE, the ID token and the signed userinfo
// verified against the provider's keys, then a voter session without a territory until the
// resident declares their commune.
//
//   GET  /api/v1/auth/franceconnect/start      -> 302 to the provider's authorization endpoint
//   GET  /api/v1/auth/franceconnect/callback   -> 302 to /voter.html?franceconnect=<cause>
//   POST /api/v1/auth/residence  {"commune"}   -> 200 {"token","expires_at","territory",...}
//
// Nothing is fetched from the provider before the first resident needs it: budgetd starts
// while FranceConnect is down, and the page tells residents "indisponible" meanwhile.

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/api/franceconnect_rules.hpp"
#include "server/api/identity_keys.hpp"
#include "server/api/voter_session.hpp"
#include "server/core/jose.hpp"
#include "server/http/http_client.hpp"
#include "server/http/router.hpp"

namespace budget::server::api::franceconnect {

/// A step that failed: what the resident is told, and what the log says (no personal data).
struct Failure {
    Outcome outcome = Outcome::provider_error;
    std::string reason;
};

/// What the provider's discovery document says that the flow uses.
struct Discovery {
    std::string issuer;
    std::string authorization_endpoint;
    std::string token_endpoint;
    std::string userinfo_endpoint;
    std::string jwks_uri;
    bool secret_in_body = false;  ///< client_secret_post offered (else client_secret_basic)
};

/// The provider as this process knows it: discovery and keys fetched on first need and cached;
/// a token signed under a key id the cache lacks makes the keys be fetched again (at most once
/// per kRefetchInterval), which is how a rotated key is picked up. Shared by every event loop.
class Provider {
  public:
    static constexpr std::int64_t kRefetchInterval = 30;  ///< seconds
    static constexpr std::int64_t kCacheLifetime = 3600;  ///< seconds

    Provider(const config::FranceConnectConfig& config, const Clock& clock);

    boost::asio::awaitable<boost::system::result<std::shared_ptr<const Discovery>, Failure>>
    discovery();
    /// The payload of a compact JWS signed by one of the provider's keys (ES256 or RS256).
    boost::asio::awaitable<boost::system::result<std::string, Failure>> verify(std::string token);

    http::HttpClient& client() { return client_; }

  private:
    boost::asio::awaitable<
        boost::system::result<std::shared_ptr<const std::vector<jose::Jwk>>, Failure>>
    fetch_keys(std::string jwks_uri);

    const config::FranceConnectConfig& config_;
    const Clock& clock_;
    http::HttpClient client_;
    std::mutex mutex_;
    std::shared_ptr<const Discovery> discovery_;
    std::int64_t discovery_at_ = 0;
    std::shared_ptr<const std::vector<jose::Jwk>> keys_;
    std::int64_t keys_at_ = 0;
    std::int64_t last_refetch_ = 0;
};

class FranceConnectApi {
  public:
    /// Reads the client secret file (throws std::runtime_error when it cannot).
    explicit FranceConnectApi(AppContext& ctx);
    /// The routes hold `self`, this object, for as long as the router lives.
    void register_routes(http::Router& router, const std::shared_ptr<FranceConnectApi>& self);

  private:
    boost::asio::awaitable<Response> start(RequestContext& rc);
    boost::asio::awaitable<Response> callback(RequestContext& rc);
    boost::asio::awaitable<Response> residence(RequestContext& rc);

    /// The provider's part of a callback: code for tokens, both verified, the identity (sealed
    /// for the duplicate audit with `client_ip`'s network); the session to issue, or why not.
    boost::asio::awaitable<boost::system::result<VoterSession, Failure>> complete(
        std::string code, Flow flow, std::string client_ip);
    /// 302 to the vote page with the cause, the flow cookie removed; logs a failure's reason.
    Response finish(Outcome outcome, std::string_view reason, unsigned version,
                    std::optional<std::string> session_cookie = std::nullopt) const;
    bool secure() const;

    AppContext& ctx_;
    std::string client_secret_;
    crypto::Key32 flow_key_, ip_key_;
    VoterSessions sessions_;
    IdentityKeyring keyring_;
    std::unique_ptr<Provider> provider_;
};

/// Registers the routes above, on an object of their own (App calls it when [identity] offers
/// "franceconnect").
void register_franceconnect(AppContext& ctx, http::Router& router);

/// For boost::system::result's value() on an error (callers check first).
[[noreturn]] void throw_exception_from_error(const Failure& failure,
                                             const boost::source_location& loc);

}  // namespace budget::server::api::franceconnect
