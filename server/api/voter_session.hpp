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
#include <vector>

#include "server/core/crypto.hpp"
#include "server/http/types.hpp"
#include "server/storage/ballot_store.hpp"

namespace budget::server::api {

/// What a voter session token carries: who may cast one ballot (as keyed hashes), from where.
struct VoterSession {
    std::string identity_key;  ///< the primary claim (IdentityKeys::primary): the voted marker
    std::string territory;     ///< empty until a FranceConnect resident declares a commune
    std::int64_t expires_unix = 0;
    /// Every claim of the person (IdentityKeys::claims), primary first: the ballot is refused
    /// when any is marked. Empty when issued: {identity_key}. Opened: never empty.
    std::vector<std::string> claims = {};
    /// How the person signed in: recorded in the voted marker with the day (issue 18: the
    /// resident's report). `unknown` in a token sealed before the method was (format v2).
    storage::VoteMethod method = storage::VoteMethod::unknown;
};

/// The cookie that carries the token for the web pages.
inline constexpr std::string_view kVoterCookie = "budget_voter";

/// Seals and opens voter session tokens (authenticated encryption under a key derived from the
/// pepper), bound to one campaign.
class VoterSessions {
  public:
    VoterSessions(const crypto::Key32& pepper, std::string campaign);

    /// A token of about 400 characters with six claims (each 40 hex digits, sealed: base64url).
    std::string issue(const VoterSession& session) const;
    /// The session a token seals; std::nullopt when forged, of another campaign, expired, or
    /// of the format before claims (v1: its key is not of today's keyring). A token of the
    /// format before the method (v2) opens with the method unknown.
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

/// Lower-cases and trims an address: where the code is sent. (One mailbox's key is
/// voting::canonical_mailbox, which also drops a "+tag" and gmail's dots.)
std::string normalise_email(std::string_view email);

}  // namespace budget::server::api
