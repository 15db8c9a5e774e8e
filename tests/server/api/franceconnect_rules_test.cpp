#include "server/api/franceconnect_rules.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace budget::server;
using namespace budget::server::api::franceconnect;
namespace json = boost::json;

namespace {

crypto::Key32 key(unsigned char seed) {
    crypto::Key32 k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<unsigned char>(seed + i);
    return k;
}

constexpr std::int64_t kNow = 1'790'000'000;

TokenExpectations expectations() {
    return TokenExpectations{"https://fc.example",    "client-1", "nonce-1", "eidas1", kNow,
                             std::chrono::seconds{60}};
}

json::object good_claims() {
    return {{"iss", "https://fc.example"},
            {"aud", "client-1"},
            {"sub", "s-123"},
            {"exp", kNow + 60},
            {"iat", kNow - 5},
            {"nonce", "nonce-1"},
            {"acr", "eidas1"}};
}

ClaimProblem check(const json::object& claims) {
    json::object out;
    return check_id_token(json::serialize(claims), expectations(), out);
}

}  // namespace

TEST_CASE("a flow sealed by start opens at the callback, and not under another key or late",
          "[franceconnect]") {
    const auto flow = new_flow(kNow);
    CHECK(flow.state.size() == 32);
    CHECK(flow.verifier.size() == 64);
    CHECK(flow.state != flow.nonce);
    const auto sealed = seal_flow(key(1), flow);
    const auto opened = open_flow(key(1), sealed, kNow + 599);
    REQUIRE(opened);
    CHECK(opened->state == flow.state);
    CHECK(opened->nonce == flow.nonce);
    CHECK(opened->verifier == flow.verifier);
    CHECK_FALSE(open_flow(key(2), sealed, kNow));
    CHECK_FALSE(open_flow(key(1), sealed, kNow + 601));
    CHECK_FALSE(open_flow(key(1), sealed.substr(1), kNow));
}

TEST_CASE("the flow cookie is HttpOnly, Lax, scoped to the flow, Secure under TLS",
          "[franceconnect]") {
    CHECK(flow_cookie("abc", false) ==
          "budget_fc=abc; Path=/api/v1/auth/franceconnect; Max-Age=600; HttpOnly; SameSite=Lax");
    CHECK(flow_cookie("abc", true).ends_with("; Secure"));
    CHECK(flow_cookie_removal(false).find("Max-Age=0") != std::string::npos);
}

TEST_CASE("the PKCE challenge is RFC 7636's example", "[franceconnect]") {
    CHECK(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("the authorization request carries every parameter, encoded", "[franceconnect]") {
    const Flow flow{"st", "no", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", 0};
    const auto url =
        authorization_url("https://fc.example/api/v2/authorize",
                          {"client 1", "https://vote.example/api/v1/auth/franceconnect/callback",
                           "openid given_name", "eidas1"},
                          flow);
    CHECK(url ==
          "https://fc.example/api/v2/authorize?response_type=code&client_id=client%201"
          "&redirect_uri=https%3A%2F%2Fvote.example%2Fapi%2Fv1%2Fauth%2Ffranceconnect%2Fcallback"
          "&scope=openid%20given_name&state=st&nonce=no&acr_values=eidas1"
          "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
          "&code_challenge_method=S256&prompt=login");
}

TEST_CASE("query values are decoded, and malformed escapes refused", "[franceconnect]") {
    CHECK(query_value("code=a%2Fb&state=x+y", "code") == std::optional<std::string>("a/b"));
    CHECK(query_value("code=a%2Fb&state=x+y", "state") == std::optional<std::string>("x y"));
    CHECK_FALSE(query_value("code=a", "state"));
    CHECK_FALSE(query_value("state=%2", "state"));
    CHECK_FALSE(query_value("state=%zz", "state"));
    CHECK(query_value("state", "state") == std::optional<std::string>(""));
}

TEST_CASE("an ID token with the expected claims passes", "[franceconnect]") {
    CHECK(check(good_claims()) == ClaimProblem::ok);
    auto higher = good_claims();
    higher["acr"] = "eidas2";
    CHECK(check(higher) == ClaimProblem::ok);
}

TEST_CASE("an ID token from another issuer or for another client is refused", "[franceconnect]") {
    auto c = good_claims();
    c["iss"] = "https://fc.example/";
    CHECK(check(c) == ClaimProblem::issuer);
    c = good_claims();
    c["aud"] = "client-2";
    CHECK(check(c) == ClaimProblem::audience);
    c["aud"] = json::array{"client-2", "client-3"};
    CHECK(check(c) == ClaimProblem::audience);
    c["aud"] = json::array{"client-1", "client-3"};
    CHECK(check(c) == ClaimProblem::azp);
    c["azp"] = "client-1";
    CHECK(check(c) == ClaimProblem::ok);
    c.erase("aud");
    CHECK(check(c) == ClaimProblem::audience);
}

TEST_CASE("expiry and issue time are judged with the clock skew", "[franceconnect]") {
    auto c = good_claims();
    c["exp"] = kNow - 59;  // within the skew
    CHECK(check(c) == ClaimProblem::ok);
    c["exp"] = kNow - 60;
    CHECK(check(c) == ClaimProblem::expired);
    c.erase("exp");
    CHECK(check(c) == ClaimProblem::expired);
    c = good_claims();
    c["iat"] = kNow + 61;
    CHECK(check(c) == ClaimProblem::not_yet_valid);
    c = good_claims();
    c["nbf"] = kNow + 120;
    CHECK(check(c) == ClaimProblem::not_yet_valid);
}

TEST_CASE("a wrong nonce, no subject or a weaker acr is refused", "[franceconnect]") {
    auto c = good_claims();
    c["nonce"] = "nonce-2";
    CHECK(check(c) == ClaimProblem::nonce);
    c.erase("nonce");
    CHECK(check(c) == ClaimProblem::nonce);
    c = good_claims();
    c["sub"] = "";
    CHECK(check(c) == ClaimProblem::no_subject);
    c = good_claims();
    c["acr"] = "eidas0";
    CHECK(check(c) == ClaimProblem::acr);
    auto strict = expectations();
    strict.acr = "eidas2";
    json::object out;
    CHECK(check_id_token(json::serialize(good_claims()), strict, out) == ClaimProblem::acr);
    CHECK(check_id_token("[1]", expectations(), out) == ClaimProblem::not_json);
}

TEST_CASE("the userinfo must be about the ID token's subject, from the provider, for the client",
          "[franceconnect]") {
    json::object out;
    const json::object info{{"sub", "s-123"}, {"given_name", "Angela"}};
    CHECK(check_userinfo(json::serialize(info), expectations(), "s-123", out) == ClaimProblem::ok);
    CHECK(check_userinfo(json::serialize(info), expectations(), "s-999", out) ==
          ClaimProblem::no_subject);
    auto other = info;
    other["aud"] = "client-2";
    CHECK(check_userinfo(json::serialize(other), expectations(), "s-123", out) ==
          ClaimProblem::audience);
    other = info;
    other["iss"] = "https://evil.example";
    CHECK(check_userinfo(json::serialize(other), expectations(), "s-123", out) ==
          ClaimProblem::issuer);
}

TEST_CASE("the civil identity comes from the identité pivot", "[franceconnect]") {
    const json::object info{{"sub", "s"},
                            {"given_name", "Angela Claire Louise"},
                            {"family_name", "DUBOIS"},
                            {"preferred_username", ""},
                            {"birthdate", "1962-08-24"}};
    const auto person = civil_identity(info);
    REQUIRE(person);
    CHECK(person->birth_name == "DUBOIS");
    CHECK(person->usage_name.empty());
    CHECK(person->given_names == "Angela Claire Louise");
    CHECK(person->birth_date == budget::voting::Date{1962, 8, 24});
    auto no_date = info;
    no_date["birthdate"] = "1962-02-30";
    CHECK_FALSE(civil_identity(no_date));
    auto no_name = info;
    no_name.erase("family_name");
    CHECK_FALSE(civil_identity(no_name));
}

TEST_CASE("each outcome is sent to the vote page under its cause", "[franceconnect]") {
    CHECK(vote_page(Outcome::ok) == "/voter.html?franceconnect=ok");
    CHECK(vote_page(Outcome::cancelled) == "/voter.html?franceconnect=annule");
    CHECK(vote_page(Outcome::provider_error) == "/voter.html?franceconnect=erreur");
    CHECK(vote_page(Outcome::unavailable) == "/voter.html?franceconnect=indisponible");
    CHECK(vote_page(Outcome::too_young) == "/voter.html?franceconnect=trop-jeune");
    CHECK(vote_page(Outcome::method_refused) == "/voter.html?franceconnect=methode");
}
