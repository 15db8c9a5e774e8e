#pragma once
// Staff accounts and sessions: roles, Argon2id password hashes, the session cookie, the CSRF
// token and the Origin check. Pure helpers here; the handlers in staff_api.cpp use them.
//
// Keys (one hash tag for all staff data, shared by every campaign of the Redis):
//   budget:{staff}:user:<username>        hash  password_hash (Argon2id string), role, created_at
//   budget:{staff}:session:<sha256(id)>   hash  username, role, csrf, created_at; TTL 8 h
//                                               (absolute, not sliding); the cookie holds the id,
//                                               Redis only its hash
//   budget:{staff}:login:user:<hmac>      login attempts per username (fixed 15 min window)
//   budget:{staff}:login:addr:<hmac>      login attempts per client address (same window)

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "server/core/crypto.hpp"

namespace budget::server {

enum class StaffRole { committee, mission };

std::optional<StaffRole> parse_staff_role(std::string_view text);
std::string_view to_string(StaffRole role);

inline constexpr std::size_t kMaxUsernameLength = 64;
inline constexpr std::size_t kMinPasswordChars = 12;
inline constexpr std::size_t kMaxPasswordBytes = 1024;
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

/// The value of cookie `name` in a `Cookie` header; std::nullopt when absent.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

/// Whether a request's `Origin` may write: absent is fine (same-origin GET-less clients such as
/// curl); otherwise its host[:port] must equal the `Host` header (case-insensitive), whatever the
/// scheme (a TLS-terminating proxy in front shows https while we see http). "null" is refused.
bool origin_allowed(std::string_view origin, std::string_view host);

std::string staff_user_key(std::string_view username);
std::string staff_session_key(std::string_view session_id);
std::string login_username_key(const crypto::Key32& key, std::string_view username);
std::string login_address_key(const crypto::Key32& key, std::string_view address);

}  // namespace budget::server
