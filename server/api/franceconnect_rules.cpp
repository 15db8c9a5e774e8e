#include "server/api/franceconnect_rules.hpp"

#include <openssl/evp.h>

#include <array>
#include <boost/json.hpp>

#include "server/core/jose.hpp"

namespace budget::server::api::franceconnect {

namespace json = boost::json;

namespace {

std::optional<std::string> string_claim(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
}

std::optional<std::int64_t> time_claim(const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() < (1ULL << 62))
        return static_cast<std::int64_t>(v->as_uint64());
    if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
    return std::nullopt;
}

/// FranceConnect's levels, weakest first; 0 for anything else.
int acr_rank(std::string_view acr) {
    if (acr == "eidas1") return 1;
    if (acr == "eidas2") return 2;
    if (acr == "eidas3") return 3;
    return 0;
}

bool parse_object(std::string_view payload, json::object& out) {
    boost::system::error_code ec;
    auto value = json::parse(payload, ec);
    if (ec || !value.is_object()) return false;
    out = std::move(value.as_object());
    return true;
}

/// aud is the client, alone or among others; with several, azp must be the client.
ClaimProblem check_audience(const json::object& claims, std::string_view client_id) {
    const auto* aud = claims.if_contains("aud");
    if (!aud) return ClaimProblem::audience;
    if (aud->is_string())
        return aud->as_string() == client_id ? ClaimProblem::ok : ClaimProblem::audience;
    if (!aud->is_array() || aud->as_array().empty()) return ClaimProblem::audience;
    bool found = false;
    for (const auto& a : aud->as_array())
        if (a.is_string() && a.as_string() == client_id) found = true;
    if (!found) return ClaimProblem::audience;
    if (aud->as_array().size() > 1 && string_claim(claims, "azp") != std::string(client_id))
        return ClaimProblem::azp;
    return ClaimProblem::ok;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

Flow new_flow(std::int64_t now_unix) {
    return Flow{crypto::random_hex(16), crypto::random_hex(16), crypto::random_hex(32),
                now_unix + kFlowLifetime.count()};
}

std::string seal_flow(const crypto::Key32& key, const Flow& flow) {
    return crypto::seal_token(
        key,
        json::serialize(json::object{
            {"s", flow.state}, {"n", flow.nonce}, {"v", flow.verifier}, {"e", flow.expires_unix}}));
}

std::optional<Flow> open_flow(const crypto::Key32& key, std::string_view sealed,
                              std::int64_t now_unix) {
    const auto plain = crypto::open_token(key, sealed);
    if (!plain) return std::nullopt;
    json::object o;
    if (!parse_object(*plain, o)) return std::nullopt;
    Flow flow;
    const auto s = string_claim(o, "s");
    const auto n = string_claim(o, "n");
    const auto v = string_claim(o, "v");
    const auto e = time_claim(o, "e");
    if (!s || !n || !v || !e || *e < now_unix) return std::nullopt;
    return Flow{*s, *n, *v, *e};
}

std::string flow_cookie(std::string_view sealed, bool secure) {
    return std::string(kFlowCookie) + "=" + std::string(sealed) +
           "; Path=" + std::string(kFlowCookiePath) +
           "; Max-Age=" + std::to_string(kFlowLifetime.count()) + "; HttpOnly; SameSite=Lax" +
           (secure ? "; Secure" : "");
}

std::string flow_cookie_removal(bool secure) {
    return std::string(kFlowCookie) + "=; Path=" + std::string(kFlowCookiePath) +
           "; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
}

std::string pkce_challenge(std::string_view verifier) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_Digest(verifier.data(), verifier.size(), digest.data(), &size, EVP_sha256(), nullptr);
    return jose::base64url_encode(
        std::string_view(reinterpret_cast<const char*>(digest.data()), size));
}

std::string url_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
            u == '-' || u == '.' || u == '_' || u == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 15]);
        }
    }
    return out;
}

std::optional<std::string> query_value(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) != name) continue;
        const auto raw = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        std::string out;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '+') {
                out.push_back(' ');
            } else if (raw[i] == '%') {
                if (i + 2 >= raw.size()) return std::nullopt;
                const int hi = hex_value(raw[i + 1]);
                const int lo = hex_value(raw[i + 2]);
                if (hi < 0 || lo < 0) return std::nullopt;
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
            } else {
                out.push_back(raw[i]);
            }
        }
        return out;
    }
    return std::nullopt;
}

std::string authorization_url(std::string_view endpoint, const AuthorizationRequest& request,
                              const Flow& flow) {
    std::string url(endpoint);
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += "response_type=code&client_id=" + url_encode(request.client_id) +
           "&redirect_uri=" + url_encode(request.redirect_uri) +
           "&scope=" + url_encode(request.scopes) + "&state=" + url_encode(flow.state) +
           "&nonce=" + url_encode(flow.nonce) + "&acr_values=" + url_encode(request.acr_values) +
           "&code_challenge=" + pkce_challenge(flow.verifier) +
           // A resident at a shared computer (a town hall's) must not vote as the previous one.
           "&code_challenge_method=S256&prompt=login";
    return url;
}

std::string_view to_string(ClaimProblem problem) {
    switch (problem) {
        case ClaimProblem::ok:
            return "ok";
        case ClaimProblem::not_json:
            return "not_json";
        case ClaimProblem::issuer:
            return "issuer";
        case ClaimProblem::audience:
            return "audience";
        case ClaimProblem::azp:
            return "azp";
        case ClaimProblem::expired:
            return "expired";
        case ClaimProblem::not_yet_valid:
            return "not_yet_valid";
        case ClaimProblem::no_subject:
            return "no_subject";
        case ClaimProblem::nonce:
            return "nonce";
        case ClaimProblem::acr:
            return "acr";
    }
    return "unknown";
}

ClaimProblem check_id_token(std::string_view payload, const TokenExpectations& expected,
                            json::object& claims) {
    if (!parse_object(payload, claims)) return ClaimProblem::not_json;
    if (string_claim(claims, "iss") != expected.issuer) return ClaimProblem::issuer;
    if (const auto aud = check_audience(claims, expected.client_id); aud != ClaimProblem::ok)
        return aud;
    const auto skew = expected.clock_skew.count();
    const auto exp = time_claim(claims, "exp");
    if (!exp || *exp + skew <= expected.now_unix) return ClaimProblem::expired;
    const auto iat = time_claim(claims, "iat");
    if (!iat || *iat - skew > expected.now_unix) return ClaimProblem::not_yet_valid;
    if (const auto nbf = time_claim(claims, "nbf"); nbf && *nbf - skew > expected.now_unix)
        return ClaimProblem::not_yet_valid;
    const auto sub = string_claim(claims, "sub");
    if (!sub || sub->empty()) return ClaimProblem::no_subject;
    const auto nonce = string_claim(claims, "nonce");
    if (!nonce || !crypto::equal_constant_time(*nonce, expected.nonce)) return ClaimProblem::nonce;
    const auto acr = string_claim(claims, "acr");
    if (!acr || acr_rank(*acr) == 0 || acr_rank(*acr) < acr_rank(expected.acr))
        return ClaimProblem::acr;
    return ClaimProblem::ok;
}

ClaimProblem check_userinfo(std::string_view payload, const TokenExpectations& expected,
                            std::string_view subject, json::object& claims) {
    if (!parse_object(payload, claims)) return ClaimProblem::not_json;
    const auto sub = string_claim(claims, "sub");
    if (!sub || *sub != subject) return ClaimProblem::no_subject;
    if (claims.contains("iss") && string_claim(claims, "iss") != expected.issuer)
        return ClaimProblem::issuer;
    if (claims.contains("aud")) {
        if (const auto aud = check_audience(claims, expected.client_id); aud != ClaimProblem::ok)
            return aud;
    }
    return ClaimProblem::ok;
}

std::optional<voting::CivilIdentity> civil_identity(const json::object& userinfo) {
    const auto family = string_claim(userinfo, "family_name");
    const auto given = string_claim(userinfo, "given_name");
    const auto birthdate = string_claim(userinfo, "birthdate");
    if (!family || !given || !birthdate || family->empty() || given->empty()) return std::nullopt;
    const auto date = voting::parse_date(*birthdate);
    if (!date) return std::nullopt;
    return voting::CivilIdentity{*family, string_claim(userinfo, "preferred_username").value_or(""),
                                 *given, *date};
}

std::string_view cause_of(Outcome outcome) {
    switch (outcome) {
        case Outcome::ok:
            return "ok";
        case Outcome::cancelled:
            return "annule";
        case Outcome::provider_error:
            return "erreur";
        case Outcome::unavailable:
            return "indisponible";
        case Outcome::too_young:
            return "trop-jeune";
        case Outcome::method_refused:
            return "methode";
    }
    return "erreur";
}

std::string vote_page(Outcome outcome) {
    return "/voter.html?franceconnect=" + std::string(cause_of(outcome));
}

}  // namespace budget::server::api::franceconnect
