#pragma once
// Staff accounts and sessions, the pure part: roles, usernames, Argon2id password hashes, the
// session cookie and the Origin check. Accounts and sessions are stored by
// storage::StaffStore; the guard (staff_guard.hpp) and the session handlers
// (staff_session_api.hpp) use these helpers, and so does `budgetctl user add`.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace budget::server::api {

enum class StaffRole { committee, mission };

/// "committee" or "mission"; std::nullopt for anything else.
std::optional<StaffRole> parse_staff_role(std::string_view text);
std::string_view to_string(StaffRole role);

inline constexpr std::size_t kMaxUsernameLength = 64;
inline constexpr std::size_t kMinPasswordChars = 12;
inline constexpr std::size_t kMaxPasswordBytes = 1024;
/// Absolute, not sliding: a session ends 8 hours after the login whatever happens.
inline constexpr std::chrono::seconds kStaffSessionTtl{8 * 3600};
inline constexpr std::chrono::seconds kLoginWindow{15 * 60};
/// Attempts in a window; a successful login gives its attempt back.
inline constexpr int kLoginAttemptsPerUsername = 5;
inline constexpr int kLoginAttemptsPerAddress = 30;

/// Lower-cases a username and checks it is `[a-z0-9][a-z0-9._-]{0,63}`; std::nullopt otherwise.
std::optional<std::string> normalize_username(std::string_view raw);

/// Why a new password is refused (English, for budgetctl), or std::nullopt when acceptable.
std::optional<std::string> password_problem(std::string_view password);

/// Argon2id (`crypto_pwhash_str`, interactive limits). CPU- and memory-heavy: never call it on an
/// I/O thread (run_blocking). Throws std::runtime_error when memory runs out.
std::string hash_password(std::string_view password);
/// Verifies a password against a `crypto_pwhash_str` string, in constant time for a given hash.
bool verify_password(const std::string& hash, std::string_view password);
/// A hash of a random password, made once: verifying against it when the username is unknown
/// costs the same as a real verification, so timing does not reveal which usernames exist.
const std::string& decoy_password_hash();

/// The session cookie's attributes. THE switch for TLS: `secure` adds `Secure` and the
/// `__Host-` prefix (which browsers accept only with Secure, Path=/ and no Domain).
struct CookiePolicy {
    bool secure = false;
    std::string name() const { return secure ? "__Host-budget_staff" : "budget_staff"; }
};
CookiePolicy cookie_policy(const config::Config& config);

/// `Set-Cookie` value opening a session: HttpOnly, SameSite=Strict, Path=/, Max-Age.
std::string session_cookie(const CookiePolicy& policy, std::string_view session_id,
                           std::chrono::seconds max_age);
/// `Set-Cookie` value removing the session cookie.
std::string expired_session_cookie(const CookiePolicy& policy);

/// Whether a request's `Origin` may write: absent is fine (same-origin GET-less clients such as
/// curl); otherwise its host[:port] must equal the `Host` header (case-insensitive), whatever the
/// scheme (a TLS-terminating proxy in front shows https while we see http). "null" is refused.
bool origin_allowed(std::string_view origin, std::string_view host);

}  // namespace budget::server::api
