#pragma once
// The rules of the FranceConnect flow that need no network (docs/franceconnect.md): the sealed
// flow cookie (state, nonce, PKCE verifier), the authorization request, the checks of the ID
// token's and the userinfo's claims, the civil identity from the identité pivot, and the causes
// a failed attempt is sent back to the vote page with. Values in, values out: unit-tested in
// tests/server/api/franceconnect_rules_test.cpp.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/core/crypto.hpp"
#include "voting/identity.hpp"

namespace budget::server::api::franceconnect {

/// The cookie that carries one attempt between /start and /callback.
inline constexpr std::string_view kFlowCookie = "budget_fc";
inline constexpr std::string_view kFlowCookiePath = "/api/v1/auth/franceconnect";
inline constexpr std::chrono::seconds kFlowLifetime{600};

/// What /start made and /callback must find again.
struct Flow {
    std::string state;
    std::string nonce;
    std::string verifier;  ///< PKCE code_verifier (RFC 7636), 64 hex characters
    std::int64_t expires_unix = 0;
};
/// Fresh random state, nonce and verifier (libsodium's randombytes), valid kFlowLifetime.
Flow new_flow(std::int64_t now_unix);
std::string seal_flow(const crypto::Key32& key, const Flow& flow);
/// The flow a cookie seals; std::nullopt when forged, malformed or expired.
std::optional<Flow> open_flow(const crypto::Key32& key, std::string_view sealed,
                              std::int64_t now_unix);
/// Set-Cookie for the flow: HttpOnly, SameSite=Lax (the callback is a top-level navigation
/// from the provider's site: Strict would not send it), Path the flow's, Secure under TLS.
std::string flow_cookie(std::string_view sealed, bool secure);
/// Set-Cookie that removes the flow cookie (every callback consumes it).
std::string flow_cookie_removal(bool secure);

/// BASE64URL(SHA-256(verifier)), PKCE's S256 code_challenge.
std::string pkce_challenge(std::string_view verifier);

/// application/x-www-form-urlencoded / query component encoding (RFC 3986 unreserved kept).
std::string url_encode(std::string_view text);
/// The value of `name` in a query string, decoded; std::nullopt when absent or malformed.
std::optional<std::string> query_value(std::string_view query, std::string_view name);

struct AuthorizationRequest {
    std::string client_id;
    std::string redirect_uri;
    std::string scopes;
    std::string acr_values;
};
/// The authorization endpoint with the request's query (code flow, S256, prompt=login).
std::string authorization_url(std::string_view endpoint, const AuthorizationRequest& request,
                              const Flow& flow);

/// What an ID token must say (OpenID Connect Core §3.1.3.7).
struct TokenExpectations {
    std::string issuer;
    std::string client_id;
    std::string nonce;
    std::string acr;  ///< the level requested: eidas1, eidas2 or eidas3
    std::int64_t now_unix = 0;
    std::chrono::seconds clock_skew{60};
};

/// Why claims were refused; each is logged under its name, the resident sees "erreur".
enum class ClaimProblem {
    ok = 0,
    not_json,
    issuer,
    audience,
    azp,
    expired,
    not_yet_valid,  ///< iat or nbf in the future beyond the skew
    no_subject,
    nonce,
    acr,
};
std::string_view to_string(ClaimProblem problem);

/// The checks of a verified ID token's claims: iss, aud (the client, or among several with azp
/// the client), exp, iat, nbf with the skew, sub, nonce (constant time), acr at least the level
/// requested. `claims` is filled with the parsed payload.
ClaimProblem check_id_token(std::string_view payload, const TokenExpectations& expected,
                            boost::json::object& claims);

/// The checks of a verified userinfo JWT: its sub equals the ID token's; iss and aud, when
/// present (OpenID Connect Core §5.3.2), are the provider and the client.
ClaimProblem check_userinfo(std::string_view payload, const TokenExpectations& expected,
                            std::string_view subject, boost::json::object& claims);

/// The civil identity of the identité pivot: family_name (birth name), preferred_username
/// (usage name, may be absent or empty), given_name (given names, space separated), birthdate
/// (YYYY-MM-DD). std::nullopt when a claim is missing or the date is not one.
std::optional<voting::CivilIdentity> civil_identity(const boost::json::object& userinfo);

/// How a failed attempt is told to the vote page: /voter.html?franceconnect=<cause>.
enum class Outcome { ok, cancelled, provider_error, unavailable, too_young, method_refused };
std::string_view cause_of(Outcome outcome);
std::string vote_page(Outcome outcome);

}  // namespace budget::server::api::franceconnect
