// The voted marker's value (issue 18): "<method> <day>" as the cast script writes it, read back
// for the resident's report; "1" (markers written before) still a vote, without details.
#include <catch2/catch.hpp>

#include "server/storage/ballot_store.hpp"

namespace storage = budget::server::storage;
using storage::VoteMethod;

TEST_CASE("a voted marker says the sign-in method and the Paris day", "[voted_marker]") {
    const auto email = storage::parse_voted_marker("email 2026-09-14");
    CHECK(email.recorded);
    CHECK(email.method == VoteMethod::email);
    CHECK(email.day == "2026-09-14");
    const auto fc = storage::parse_voted_marker("franceconnect 2026-10-01");
    CHECK(fc.recorded);
    CHECK(fc.method == VoteMethod::franceconnect);
    CHECK(fc.day == "2026-10-01");
    SECTION("a session sealed before the method was: the day, the method unknown") {
        const auto unknown = storage::parse_voted_marker("unknown 2026-09-14");
        CHECK(unknown.recorded);
        CHECK(unknown.method == VoteMethod::unknown);
        CHECK(unknown.day == "2026-09-14");
    }
}

TEST_CASE("a marker written before issue 18, or unreadable, is a vote without details",
          "[voted_marker]") {
    for (const char* value :
         {"1", "", "email", "email ", "email 2026-9-14", "email 2026-09-1x", "courriel 2026-09-14",
          "email 2026-09-14 ", "Email 2026-09-14", "email  2026-09-14"}) {
        INFO(value);
        const auto read = storage::parse_voted_marker(value);
        CHECK_FALSE(read.recorded);
        CHECK(read.method == VoteMethod::unknown);
        CHECK(read.day.empty());
    }
}

TEST_CASE("the method's word is the one the marker and the session token hold", "[voted_marker]") {
    CHECK(storage::to_string(VoteMethod::email) == "email");
    CHECK(storage::to_string(VoteMethod::franceconnect) == "franceconnect");
    CHECK(storage::to_string(VoteMethod::unknown) == "unknown");
    for (auto m : {VoteMethod::email, VoteMethod::franceconnect, VoteMethod::unknown}) {
        const auto read =
            storage::parse_voted_marker(std::string(storage::to_string(m)) + " 2026-09-14");
        CHECK(read.recorded);
        CHECK(read.method == m);
    }
}
