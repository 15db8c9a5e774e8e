#pragma once
// The resident's session between the verification of their identity and their ballot: a token
// sealed under a key derived from the pepper, sent back as a bearer token or the `budget_voter`
// cookie. Nothing about it is stored: the ballot path opens it without a Redis round trip.
// Also the e-mail address rules the one-time codes rely on.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/core/crypto.hpp"
#include "server/http/types.hpp"

namespace budget::server::api {

/// What a voter session token carries: who may cast one ballot (as a keyed hash), from where.
struct VoterSession {
    std::string identity_key;  ///< hex HMAC of the normalised identity
    std::string territory;
    std::int64_t expires_unix = 0;
};

/// The cookie that carries the token for the web pages.
inline constexpr std::string_view kVoterCookie = "budget_voter";

/// Seals and opens voter session tokens (authenticated encryption under a key derived from the
/// pepper), bound to one campaign.
class VoterSessions {
  public:
    VoterSessions(const crypto::Key32& pepper, std::string campaign);

    std::string issue(const VoterSession& session) const;
    /// The session a token seals; std::nullopt when forged, of another campaign, or expired.
    std::optional<VoterSession> open(std::string_view token, std::int64_t now_unix) const;
    /// The session of a request: its `Authorization: Bearer` token, else its voter cookie.
    std::optional<VoterSession> session_of(const http::Request& request,
                                           std::int64_t now_unix) const;

  private:
    crypto::Key32 key_;
    std::string campaign_;
};

/// The `Set-Cookie` value that hands a token to the page: HttpOnly, SameSite=Strict, scoped to
/// the API, `Secure` behind TLS.
std::string voter_cookie(std::string_view token, std::chrono::seconds max_age, bool secure);

/// True when the address is plausible enough to send a code to (and safe in an SMTP command).
bool plausible_email(std::string_view email);

/// Lower-cases and trims an address so that one mailbox has one key.
std::string normalise_email(std::string_view email);

}  // namespace budget::server::api
