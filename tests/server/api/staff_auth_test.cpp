#include "server/api/staff_auth.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>

using namespace budget::server::api;

TEST_CASE("usernames are normalised to lower case and restricted to a safe alphabet",
          "[server][staff]") {
    CHECK(normalize_username("Alice") == "alice");
    CHECK(normalize_username("jean.dupont-62") == "jean.dupont-62");
    CHECK_FALSE(normalize_username(""));
    CHECK_FALSE(normalize_username(".alice"));
    CHECK_FALSE(normalize_username("alice smith"));
    CHECK_FALSE(normalize_username("alice/../bob"));
    CHECK_FALSE(normalize_username(std::string(65, 'a')));
}

TEST_CASE("a password needs at least twelve characters, counted as characters", "[server][staff]") {
    CHECK(password_problem("short"));
    CHECK(password_problem("éééééééééé"));  // 10 characters, 20 bytes
    CHECK_FALSE(password_problem("long-password-123"));
    CHECK(password_problem(std::string(2000, 'x')));
}

TEST_CASE("an Argon2id hash verifies its password and no other", "[server][staff]") {
    REQUIRE(sodium_init() >= 0);
    const auto hash = hash_password("long-password-123");
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(verify_password(hash, "long-password-123"));
    CHECK_FALSE(verify_password(hash, "long-password-124"));
    CHECK_FALSE(verify_password(decoy_password_hash(), "long-password-123"));
}

TEST_CASE("the session cookie is HttpOnly and SameSite=Strict, Secure with __Host- under TLS",
          "[server][staff]") {
    const auto plain = session_cookie(CookiePolicy{false}, "abc", std::chrono::seconds(60));
    CHECK(plain == "budget_staff=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60");
    const auto secure = session_cookie(CookiePolicy{true}, "abc", std::chrono::seconds(60));
    CHECK(secure.rfind("__Host-budget_staff=abc;", 0) == 0);
    CHECK(secure.find("; Secure") != std::string::npos);
    CHECK(expired_session_cookie(CookiePolicy{false}).find("Max-Age=0") != std::string::npos);
}

TEST_CASE("only the server's own origin may write", "[server][staff]") {
    CHECK(origin_allowed("", "127.0.0.1:8080"));
    CHECK(origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080"));
    CHECK(origin_allowed("https://Budget.Example.org", "budget.example.org"));
    CHECK(origin_allowed("http://budget.example.org:80", "budget.example.org"));
    CHECK_FALSE(origin_allowed("http://evil.example", "127.0.0.1:8080"));
    CHECK_FALSE(origin_allowed("http://127.0.0.1:9090", "127.0.0.1:8080"));
    CHECK_FALSE(origin_allowed("null", "127.0.0.1:8080"));
    CHECK_FALSE(origin_allowed("ftp://127.0.0.1:8080", "127.0.0.1:8080"));
    CHECK_FALSE(origin_allowed("http://127.0.0.1:8080", ""));
}

TEST_CASE("roles are committee and mission only", "[server][staff]") {
    CHECK(parse_staff_role("committee") == StaffRole::committee);
    CHECK(parse_staff_role("mission") == StaffRole::mission);
    CHECK_FALSE(parse_staff_role("admin"));
    CHECK(to_string(StaffRole::mission) == "mission");
}
