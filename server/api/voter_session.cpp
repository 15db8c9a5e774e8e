#include "server/api/voter_session.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "server/http/cookies.hpp"

namespace budget::server::api {

VoterSessions::VoterSessions(const crypto::Key32& pepper, std::string campaign)
    : key_(crypto::derive_key(pepper, "voter-session")), campaign_(std::move(campaign)) {}

std::string VoterSessions::issue(const VoterSession& s) const {
    // "v3|campaign|claim,claim,...|territory|expiry|method"; the primary claim first.
    std::string claims;
    if (s.claims.empty()) claims = s.identity_key;
    for (const auto& claim : s.claims) {
        if (!claims.empty()) claims += ',';
        claims += claim;
    }
    return crypto::seal_token(key_, "v3|" + campaign_ + "|" + claims + "|" + s.territory + "|" +
                                        std::to_string(s.expires_unix) + "|" +
                                        std::string(storage::to_string(s.method)));
}

namespace {

bool claim_key(std::string_view k) {
    // keys::shard_of reads the first 8 digits: a claim is at least that.
    return k.size() >= 8 && std::all_of(k.begin(), k.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

}  // namespace

std::optional<VoterSession> VoterSessions::open(std::string_view token, std::int64_t now) const {
    const auto plain = crypto::open_token(key_, token);
    if (!plain) return std::nullopt;
    // "v3|campaign|claims|territory|expiry|method": exactly six parts; "v2|..." (sealed before
    // the method was, issue 18) five, its method unknown: a session opened across an upgrade
    // still votes.
    const std::string_view text = *plain;
    const std::size_t count = text.substr(0, 3) == "v2|" ? 5 : 6;
    std::array<std::string_view, 6> parts;
    std::string_view rest = text;
    for (std::size_t i = 0; i < count; ++i) {
        const auto bar = rest.find('|');
        if ((bar == std::string_view::npos) != (i + 1 == count)) return std::nullopt;
        parts[i] = rest.substr(0, bar);
        rest.remove_prefix(bar == std::string_view::npos ? rest.size() : bar + 1);
    }
    if (parts[0] != (count == 5 ? "v2" : "v3") || parts[1] != campaign_) return std::nullopt;
    VoterSession s{{}, std::string(parts[3]), 0, {}};
    if (count == 6) {
        if (parts[5] == "email")
            s.method = storage::VoteMethod::email;
        else if (parts[5] == "franceconnect")
            s.method = storage::VoteMethod::franceconnect;
        else if (parts[5] != "unknown")
            return std::nullopt;
    }
    for (auto list = parts[2];;) {
        const auto comma = list.find(',');
        const auto claim = list.substr(0, comma);
        if (!claim_key(claim)) return std::nullopt;
        s.claims.emplace_back(claim);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    s.identity_key = s.claims.front();
    const auto [end, ec] =
        std::from_chars(parts[4].data(), parts[4].data() + parts[4].size(), s.expires_unix);
    if (ec != std::errc() || end != parts[4].data() + parts[4].size()) return std::nullopt;
    if (s.expires_unix < now) return std::nullopt;
    return s;
}

std::optional<VoterSession> VoterSessions::session_of(const http::Request& req,
                                                      std::int64_t now) const {
    const auto auth = req[http::field::authorization];
    if (auth.size() > 7 && auth.substr(0, 7) == "Bearer ") return open(auth.substr(7), now);
    if (auto token = http::cookie_value(req[http::field::cookie], kVoterCookie))
        return open(*token, now);
    return std::nullopt;
}

std::string voter_cookie(std::string_view token, std::chrono::seconds max_age, bool secure) {
    std::string cookie(kVoterCookie);
    cookie.append("=")
        .append(token)
        .append("; Path=/api/v1; HttpOnly; SameSite=Strict; Max-Age=")
        .append(std::to_string(max_age.count()));
    if (secure) cookie.append("; Secure");
    return cookie;
}

std::string normalise_email(std::string_view email) {
    while (!email.empty() && email.front() == ' ') email.remove_prefix(1);
    while (!email.empty() && email.back() == ' ') email.remove_suffix(1);
    std::string out(email);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool plausible_email(std::string_view email) {
    if (email.size() < 3 || email.size() > 254) return false;
    const auto at = email.find('@');
    if (at == 0 || at == std::string_view::npos ||
        email.find('@', at + 1) != std::string_view::npos)
        return false;
    const auto domain = email.substr(at + 1);
    if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.')
        return false;
    // Nothing that could end or bend an SMTP command or a header: the address goes into both.
    return std::none_of(email.begin(), email.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
               c == ';' || c == ':' || c == '\\' || c == '"' || c == '[' || c == ']';
    });
}

}  // namespace budget::server::api
