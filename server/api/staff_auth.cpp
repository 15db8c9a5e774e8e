#include "server/api/staff_auth.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>

#include "server/core/crypto.hpp"

namespace budget::server::api {

std::optional<StaffRole> parse_staff_role(std::string_view text) {
    if (text == "committee") return StaffRole::committee;
    if (text == "mission") return StaffRole::mission;
    return std::nullopt;
}

std::string_view to_string(StaffRole role) {
    return role == StaffRole::committee ? "committee" : "mission";
}

std::optional<std::string> normalize_username(std::string_view raw) {
    if (raw.empty() || raw.size() > kMaxUsernameLength) return std::nullopt;
    std::string out;
    out.reserve(raw.size());
    for (const char c : raw) {
        const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const bool alnum = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
        if (!alnum && (out.empty() || (lower != '.' && lower != '_' && lower != '-'))) {
            return std::nullopt;
        }
        out += lower;
    }
    return out;
}

std::optional<std::string> password_problem(std::string_view password) {
    if (password.size() > kMaxPasswordBytes) {
        return "the password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes";
    }
    const auto chars =
        static_cast<std::size_t>(std::count_if(password.begin(), password.end(), [](char c) {
            return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        }));
    if (chars < kMinPasswordChars) {
        return "the password must have at least " + std::to_string(kMinPasswordChars) +
               " characters (it has " + std::to_string(chars) + ")";
    }
    return std::nullopt;
}

std::string hash_password(std::string_view password) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        throw std::runtime_error("Argon2id hashing failed (out of memory)");
    }
    return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

const std::string& decoy_password_hash() {
    static std::once_flag once;
    static std::string hash;
    std::call_once(once, [] { hash = hash_password(crypto::random_hex(32)); });
    return hash;
}

CookiePolicy cookie_policy(const config::Config& config) {
    // Over HTTPS the session must never travel in clear: Secure, and the __Host- prefix so that
    // no sibling domain can plant one. Behind a TLS-terminating proxy, the proxy adds Secure.
    return CookiePolicy{config.tls.enabled()};
}

std::string session_cookie(const CookiePolicy& policy, std::string_view session_id,
                           std::chrono::seconds max_age) {
    std::string out =
        policy.name() + "=" + std::string(session_id) +
        "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age.count());
    if (policy.secure) out += "; Secure";
    return out;
}

std::string expired_session_cookie(const CookiePolicy& policy) {
    return session_cookie(policy, "", std::chrono::seconds(0));
}

bool origin_allowed(std::string_view origin, std::string_view host) {
    if (origin.empty()) return true;
    const auto sep = origin.find("://");
    if (sep == std::string_view::npos) return false;
    const auto scheme = origin.substr(0, sep);
    if (scheme != "http" && scheme != "https") return false;
    auto authority = origin.substr(sep + 3);
    if (authority.empty() || host.empty() || authority.find('/') != std::string_view::npos) {
        return false;
    }
    // A default port may be spelt on one side and not the other.
    auto strip_default = [scheme](std::string_view a) {
        const std::string_view suffix = scheme == "https" ? ":443" : ":80";
        return a.ends_with(suffix) ? a.substr(0, a.size() - suffix.size()) : a;
    };
    authority = strip_default(authority);
    host = strip_default(host);
    return authority.size() == host.size() &&
           std::equal(authority.begin(), authority.end(), host.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

}  // namespace budget::server::api
