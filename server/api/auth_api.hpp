#pragma once
// The resident's way in (docs/api.md): a one-time code sent to their e-mail address, then the
// verification of the code with their identity, which checks eligibility and opens a voter
// session; and the commune list of the form.
//
//   POST /api/v1/auth/challenge   {"email"}                                   -> 202
//   POST /api/v1/auth/code        {"email","code"}                            -> 200 {"valid"...}
//   POST /api/v1/auth/verify      {"email","code","first_name","last_name",
//                                  "birth_date","commune"[,"usage_name"]}      -> 200 {"token"...}
//
// One mailbox serves one person for the campaign: the code store is keyed by a keyed hash of
// the canonical mailbox (voting::canonical_mailbox: "+tag" and gmail's dots make no second
// mailbox), while the code goes to the address as typed. The session carries the person's
// claim keys (IdentityKeyring), which the ballot script checks all at once.
//   GET  /api/v1/communes                                                      -> 200

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "config/communes.hpp"
#include "config/config.hpp"
#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/api/identity_keys.hpp"
#include "server/api/otp_delivery.hpp"
#include "server/api/voter_session.hpp"
#include "server/http/encoded_body.hpp"
#include "server/http/router.hpp"
#include "voting/eligibility.hpp"
#include "voting/identity.hpp"

namespace budget::server::api {

/// The fields of a verification request, read and checked for form (not yet for eligibility).
struct VerifyForm {
    std::string email;    ///< trimmed, lower case, plausible
    std::string mailbox;  ///< voting::canonical_mailbox of it: what one person binds
    std::string code;     ///< six digits
    /// As typed (keyed later by IdentityKeyring): given names from `first_name`, birth name
    /// from `last_name`, the optional `usage_name`, the birth date. Every name is one
    /// (voting::identity_claims answers).
    voting::CivilIdentity person;
    std::string commune;  ///< INSEE code as given
};

/// An address and a one-time code, as the code step and the resident's report (my-data) read
/// them.
struct CodeForm {
    std::string email;    ///< trimmed, lower case, plausible
    std::string mailbox;  ///< voting::canonical_mailbox of it: what the code store keys
    std::string code;     ///< six digits
};

/// Reads `{"email","code"}`: each field with its limit, then the address, then the code's
/// format; the refusal to send on the first problem.
std::variant<CodeForm, Response> read_code_form(const boost::json::object& body, unsigned version);

/// The refusal of a code the store did not take: `wrong` with its tries left; `dead` (or
/// `bound`, on a step that binds nothing) as a dead code: ask for a new one.
Response code_refusal(storage::CodeCheck outcome, int tries_left, unsigned version);

/// The sub-keys of the residents' code path: of a canonical mailbox (the code store's keys)
/// and of a client address (its hourly counter). One place for their purposes: changing one
/// would orphan every binding and counter of a running campaign.
crypto::Key32 mailbox_key(const crypto::Key32& pepper);
crypto::Key32 client_address_key(const crypto::Key32& pepper);

/// 429 when the client address (keyed with client_address_key) went past its hourly allowance
/// (503 when that cannot be counted); std::nullopt otherwise. Counts this request.
boost::asio::awaitable<std::optional<Response>> client_limit_refusal(
    AppContext& ctx, const crypto::Key32& address_key, const RequestContext& rc);

/// Reads a verification body: each field with its limit, then the address, names, birth date
/// and code format, in that order; the refusal to send on the first problem.
std::variant<VerifyForm, Response> read_verify_form(const boost::json::object& body,
                                                    unsigned version);

/// The refusal of a wrong code: 401 invalid_code with `"tries_left"`, worded for the count.
Response wrong_code_refusal(int tries_left, unsigned version);

/// The refusal of an unknown commune, naming the code given (an excerpt, letters and digits
/// only: the text is echoed back).
Response unknown_commune_refusal(std::string_view given, unsigned version);

/// The refusal for an eligibility problem (`min_age` fills the too_young message).
Response eligibility_refusal(voting::EligibilityError error, int min_age, unsigned version);

/// The refusal of the e-mail path by [identity]: 403 method_not_offered when `methods` lacks
/// "email" (any step); with the resident's `age` known (the verification), 403
/// method_not_allowed_for_age when their age band may not use it (adults sent to
/// FranceConnect). std::nullopt when the e-mail path is open to them.
std::optional<Response> email_method_refusal(const config::IdentityConfig& identity,
                                             std::optional<int> age, unsigned version);

/// The refusal of a resident's write (auth/challenge, auth/code, auth/verify, ballots) that a
/// browser sent from another site, or without a JSON body: 403 origin_refused when `Origin` is
/// foreign (the staff's check, origin_allowed) or `Sec-Fetch-Site` says cross-site or
/// same-site; 415 when `Content-Type` is not application/json (a cross-site form or a
/// text/plain fetch cannot send that without a preflight). A client without `Origin` nor
/// `Sec-Fetch-Site` (curl, an API client with its bearer token) is not a browser sent from
/// elsewhere. std::nullopt when the request may write.
std::optional<Response> resident_write_refusal(const Request& req);

/// A fresh one-time code: six random digits.
std::string new_code();

/// The body of GET /api/v1/communes: every commune with its postal codes and territory, and the
/// territories.
std::string communes_json(const config::CommuneDirectory& communes);

class AuthApi {
  public:
    explicit AuthApi(AppContext& ctx);
    ~AuthApi();
    void register_routes(http::Router& router);

  private:
    boost::asio::awaitable<Response> challenge(RequestContext& rc);
    boost::asio::awaitable<Response> check_code(RequestContext& rc);
    boost::asio::awaitable<Response> verify(RequestContext& rc);
    boost::asio::awaitable<Response> communes(RequestContext& rc);

    /// The refusal of a step outside the vote window or sent from another site (before its
    /// body is read); std::nullopt otherwise.
    /// The refusals common to the code steps. `for_report`: a code asked for the resident's
    /// report (POST /api/v1/my-data), which is open outside the vote window too.
    std::optional<Response> refuse_step(const Request& req, bool for_report = false) const;
    /// 429 when the client address went past its hourly allowance (503 when that cannot be
    /// counted); std::nullopt otherwise.
    boost::asio::awaitable<std::optional<Response>> limit_client(const RequestContext& rc);
    /// Sends a new code to the address (as typed), within its mailbox's hourly allowances (per
    /// client network, and the mailbox's ceiling): 202, or the refusal.
    boost::asio::awaitable<Response> send_code(std::string email, std::string mailbox_hash,
                                               std::string network_hash, unsigned version);
    /// Checks the code and binds the mailbox to the person (their primary claim), then seals
    /// the identity for the duplicate audit (from `client_ip`'s network): the session's 200,
    /// or the refusal.
    boost::asio::awaitable<Response> open_session(const VerifyForm& form,
                                                  const config::Commune& commune,
                                                  std::string client_ip, unsigned version);
    /// The 200 of a verification: the token, its expiry, the territory, whether this identity
    /// has voted already (null when that cannot be read now), and the cookie.
    Response session_response(const VoterSession& session, std::optional<bool> already_voted,
                              unsigned version) const;
    /// The keyed hash of a canonical mailbox, as the code store's keys take it.
    std::string mailbox_hash(const std::string& mailbox) const;

    AppContext& ctx_;
    crypto::Key32 email_key_, ip_key_;
    IdentityKeyring keyring_;
    VoterSessions sessions_;
    std::unique_ptr<OtpDelivery> delivery_;
    /// Never changes while running: serialised and compressed (gzip, brotli) once, at start.
    http::EncodedBody communes_;
};

}  // namespace budget::server::api
