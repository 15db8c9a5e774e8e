#include "server/api/voter_session.hpp"

#include <catch2/catch.hpp>

namespace api = budget::server::api;
namespace crypto = budget::server::crypto;
namespace http = budget::server::http;

namespace {

crypto::Key32 test_pepper() {
    crypto::Key32 key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<unsigned char>(i * 7 + 1);
    return key;
}

const api::VoterSession kSession{std::string(64, 'a'), "arrageois", 2'000'000'000};

}  // namespace

TEST_CASE("a voter session token opens to the session it seals, until it expires",
          "[voter_session]") {
    const api::VoterSessions sessions(test_pepper(), "t");
    const auto token = sessions.issue(kSession);
    const auto opened = sessions.open(token, 1'900'000'000);
    REQUIRE(opened.has_value());
    CHECK(opened->identity_key == kSession.identity_key);
    CHECK(opened->territory == kSession.territory);
    CHECK(opened->expires_unix == kSession.expires_unix);
    SECTION("the last second is still in, the next one is out") {
        CHECK(sessions.open(token, kSession.expires_unix).has_value());
        CHECK_FALSE(sessions.open(token, kSession.expires_unix + 1).has_value());
    }
    SECTION("another campaign or another pepper opens nothing") {
        CHECK_FALSE(api::VoterSessions(test_pepper(), "u").open(token, 0).has_value());
        CHECK_FALSE(api::VoterSessions(crypto::Key32{}, "t").open(token, 0).has_value());
    }
    SECTION("an altered token opens nothing") {
        auto altered = token;
        altered.back() = altered.back() == 'A' ? 'B' : 'A';
        CHECK_FALSE(sessions.open(altered, 0).has_value());
        CHECK_FALSE(sessions.open("", 0).has_value());
    }
}

TEST_CASE("a voter session carries the person's claims, primary first", "[voter_session]") {
    const api::VoterSessions sessions(test_pepper(), "t");
    SECTION("a session issued without claims opens with its identity key as the only one") {
        const auto opened = sessions.open(sessions.issue(kSession), 0);
        REQUIRE(opened);
        CHECK(opened->claims == std::vector<std::string>{kSession.identity_key});
    }
    SECTION("six claims of 40 hex digits, the primary first, in a token under 500 characters") {
        api::VoterSession s{std::string(40, '0'), "arrageois", 2'000'000'000, {}};
        for (char c : std::string("012345")) s.claims.push_back(std::string(40, c));
        const auto token = sessions.issue(s);
        CHECK(token.size() < 500);
        const auto opened = sessions.open(token, 0);
        REQUIRE(opened);
        CHECK(opened->claims == s.claims);
        CHECK(opened->identity_key == s.claims.front());
    }
    SECTION("a FranceConnect resident's session before the commune has no territory") {
        const api::VoterSession s{
            std::string(40, 'c'), "", 2'000'000'000, {std::string(40, 'c'), std::string(40, 'd')}};
        const auto opened = sessions.open(sessions.issue(s), 0);
        REQUIRE(opened);
        CHECK(opened->territory.empty());
        CHECK(opened->claims.size() == 2);
    }
}

TEST_CASE("a voter session carries how the person signed in, for the voted marker",
          "[voter_session]") {
    const api::VoterSessions sessions(test_pepper(), "t");
    using budget::server::storage::VoteMethod;
    for (auto method : {VoteMethod::email, VoteMethod::franceconnect, VoteMethod::unknown}) {
        auto s = kSession;
        s.method = method;
        const auto opened = sessions.open(sessions.issue(s), 0);
        REQUIRE(opened);
        CHECK(opened->method == method);
    }
    SECTION("a session issued without saying opens with the method unknown") {
        const auto opened = sessions.open(sessions.issue(kSession), 0);
        REQUIRE(opened);
        CHECK(opened->method == VoteMethod::unknown);
    }
    SECTION("a token sealed before the method was (v2) still opens, its method unknown") {
        const auto key = crypto::derive_key(test_pepper(), "voter-session");
        const std::string claims = std::string(40, '0') + "," + std::string(40, '1');
        const auto v2 = crypto::seal_token(key, "v2|t|" + claims + "|arrageois|2000000000");
        const auto opened = sessions.open(v2, 0);
        REQUIRE(opened);
        CHECK(opened->method == VoteMethod::unknown);
        CHECK(opened->identity_key == std::string(40, '0'));
        CHECK(opened->claims.size() == 2);
        CHECK(opened->territory == "arrageois");
        CHECK(opened->expires_unix == 2'000'000'000);
        SECTION("but not with a method part, nor a v3 without one") {
            CHECK_FALSE(
                sessions.open(crypto::seal_token(key, "v2|t|" + claims + "|a|2000000000|email"), 0)
                    .has_value());
            CHECK_FALSE(
                sessions.open(crypto::seal_token(key, "v3|t|" + claims + "|a|2000000000"), 0)
                    .has_value());
        }
    }
    SECTION("a method the engine does not know opens nothing") {
        const auto key = crypto::derive_key(test_pepper(), "voter-session");
        CHECK_FALSE(
            sessions
                .open(crypto::seal_token(key, "v3|t|" + std::string(40, '0') + "|a|2000000000|sms"),
                      0)
                .has_value());
    }
}

TEST_CASE("a request's session comes from its bearer token, else its voter cookie",
          "[voter_session]") {
    const api::VoterSessions sessions(test_pepper(), "t");
    const auto token = sessions.issue(kSession);
    http::Request req;
    SECTION("a bearer token") {
        req.set(http::field::authorization, "Bearer " + token);
        CHECK(sessions.session_of(req, 0).has_value());
    }
    SECTION("the cookie, among others") {
        req.set(http::field::cookie, "theme=dark; budget_voter=" + token + "; lang=fr");
        CHECK(sessions.session_of(req, 0).has_value());
    }
    SECTION("neither") {
        req.set(http::field::cookie, "budget_staff=" + token);
        CHECK_FALSE(sessions.session_of(req, 0).has_value());
    }
    SECTION("a bearer token wins over the cookie, even when it is wrong") {
        req.set(http::field::authorization, "Bearer forged");
        req.set(http::field::cookie, "budget_voter=" + token);
        CHECK_FALSE(sessions.session_of(req, 0).has_value());
    }
}

TEST_CASE("the voter cookie is HttpOnly, strict, scoped to the API, Secure behind TLS",
          "[voter_session]") {
    CHECK(api::voter_cookie("tok", std::chrono::seconds(1800), false) ==
          "budget_voter=tok; Path=/api/v1; HttpOnly; SameSite=Strict; Max-Age=1800");
    CHECK(api::voter_cookie("tok", std::chrono::seconds(60), true) ==
          "budget_voter=tok; Path=/api/v1; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
}

TEST_CASE("an address is normalised to one key per mailbox", "[voter_session]") {
    CHECK(api::normalise_email("  Eloise.Dupont@Example.ORG ") == "eloise.dupont@example.org");
    CHECK(api::normalise_email("").empty());
    CHECK(api::normalise_email("   ").empty());
}

TEST_CASE("only a plausible address, safe in an SMTP command, gets a code", "[voter_session]") {
    CHECK(api::plausible_email("eloise@example.org"));
    CHECK(api::plausible_email("a+tag@sub.example.fr"));
    SECTION("not one @ with a dotted domain") {
        CHECK_FALSE(api::plausible_email("not an address"));
        CHECK_FALSE(api::plausible_email("@example.org"));
        CHECK_FALSE(api::plausible_email("a@b@example.org"));
        CHECK_FALSE(api::plausible_email("a@localhost"));
        CHECK_FALSE(api::plausible_email("a@.example.org"));
        CHECK_FALSE(api::plausible_email("a@example.org."));
    }
    SECTION("characters that could bend an SMTP command or a header") {
        CHECK_FALSE(api::plausible_email("a@example.org\r\nRCPT TO:<x@y.z>"));
        CHECK_FALSE(api::plausible_email("a>@example.org"));
        CHECK_FALSE(api::plausible_email("a b@example.org"));
        CHECK_FALSE(api::plausible_email("\"a\"@example.org"));
    }
    SECTION("length") { CHECK_FALSE(api::plausible_email(std::string(250, 'a') + "@b.fr")); }
}
