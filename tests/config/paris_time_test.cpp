#include "config/paris_time.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

using budget::config::format_paris_time;
using budget::config::paris_utc_offset;
using budget::config::parse_rfc3339;
using budget::config::unix_now;

namespace {

struct Switch {
    const char* name;
    std::int64_t at;  ///< the first second of the new offset, 01:00:00 UTC
};

// Last Sundays of March and October, including months whose last day is itself a Sunday.
const std::vector<Switch> kSummerStarts = {
    {"2024-03-31 (the 31st is a Sunday)", 1711846800},
    {"2026-03-29", 1774746000},
    {"2027-03-28", 1806195600},
};
const std::vector<Switch> kSummerEnds = {
    {"2024-10-27", 1729990800},
    {"2026-10-25", 1792890000},
    {"2027-10-31 (the 31st is a Sunday)", 1824944400},
};

}  // namespace

TEST_CASE("RFC 3339 times are parsed with their offset", "[config][paris_time]") {
    CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_rfc3339("2026-09-01T00:00:00+02:00") == 1788213600);
    CHECK(parse_rfc3339("2026-08-31T22:00:00Z") == 1788213600);
    CHECK(parse_rfc3339("2026-09-01T00:00:00.250+02:00") == 1788213600);
    CHECK(parse_rfc3339("2026-09-01 00:00:00-01:30") == 1788226200);
    CHECK_FALSE(parse_rfc3339("2026-09-01T00:00:00"));
    CHECK_FALSE(parse_rfc3339("2026-13-01T00:00:00Z"));
    CHECK_FALSE(parse_rfc3339("2026-09-01T24:00:00Z"));
    CHECK_FALSE(parse_rfc3339("2026-09-01T00:00:00+2:00"));
    CHECK_FALSE(parse_rfc3339("2026-09-01T00:00:00Zjunk"));
    CHECK_FALSE(parse_rfc3339(""));
}

TEST_CASE("an RFC 3339 time is one instant whichever offset writes it", "[config][paris_time]") {
    SECTION("Z, in either case") {
        CHECK(parse_rfc3339("2026-08-31T22:00:00Z") == 1788213600);
        CHECK(parse_rfc3339("2026-08-31t22:00:00z") == 1788213600);
    }
    SECTION("a positive offset is subtracted") {
        CHECK(parse_rfc3339("2026-09-01T00:00:00+02:00") == 1788213600);
        CHECK(parse_rfc3339("2026-09-01T03:45:00+05:45") == 1788213600);
    }
    SECTION("a negative offset is added") {
        CHECK(parse_rfc3339("2026-08-31T18:30:00-03:30") == 1788213600);
        CHECK(parse_rfc3339("2026-09-01T00:00:00-03:30") == 1788233400);
    }
    SECTION("-00:00 and +00:00 are UTC") {
        CHECK(parse_rfc3339("2026-08-31T22:00:00-00:00") == 1788213600);
        CHECK(parse_rfc3339("2026-08-31T22:00:00+00:00") == 1788213600);
    }
    SECTION("fractions of a second are dropped") {
        CHECK(parse_rfc3339("2026-08-31T22:00:00.999999Z") == 1788213600);
    }
    SECTION("a leap second counts as the last second of its minute") {
        CHECK(parse_rfc3339("2026-06-30T23:59:60Z") == 1782863999);
        CHECK(parse_rfc3339("2026-06-30T23:59:59Z") == 1782863999);
    }
}

TEST_CASE("29 February is a date in leap years only", "[config][paris_time]") {
    CHECK(parse_rfc3339("2024-02-29T12:00:00Z") == 1709208000);
    CHECK(parse_rfc3339("2000-02-29T00:00:00Z") == 951782400);  // divisible by 400
    CHECK_FALSE(parse_rfc3339("2026-02-29T00:00:00Z"));
    CHECK_FALSE(parse_rfc3339("1900-02-29T00:00:00Z"));  // divisible by 100, not 400
    CHECK_FALSE(parse_rfc3339("2024-02-30T00:00:00Z"));
}

TEST_CASE("a malformed RFC 3339 time is refused", "[config][paris_time]") {
    const std::vector<std::string> malformed = {
        "",
        "2026-09-01",
        "2026-09-01T00:00:00",         // no offset
        "2026-09-01T00:00Z",           // no seconds
        "2026-09-01T00:00:00+0200",    // offset without a colon
        "2026-09-01T00:00:00+02",      // offset without minutes
        "2026-09-01T00:00:00+2:00",    // one-digit offset hour
        "2026-09-01T00:00:00+24:00",   // offset hour out of range
        "2026-09-01T00:00:00+02:60",   // offset minutes out of range
        "2026-09-01T00:00:00.+02:00",  // a dot without digits
        "2026-09-01T00:00:00Zjunk",
        "2026-09-01T00:00:00+02:00 ",
        "2026-09-01X00:00:00Z",
        "2026/09/01T00:00:00Z",
        "26-09-01T00:00:00Z",
        "2026-9-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-09-00T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-09-01T24:00:00Z",
        "2026-09-01T00:60:00Z",
        "2026-09-01T00:00:61Z",
        "2026-09-01T0a:00:00Z",
        "+026-09-01T00:00:00Z",
    };
    for (const auto& text : malformed) {
        INFO(text);
        CHECK_FALSE(parse_rfc3339(text));
    }
}

TEST_CASE("Paris time follows the European summer-time rule", "[config][paris_time]") {
    // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
    CHECK(paris_utc_offset(1774745999) == 3600);  // 2026-03-29T00:59:59Z
    CHECK(paris_utc_offset(1774746000) == 7200);  // 2026-03-29T01:00:00Z
    CHECK(paris_utc_offset(1792890000 - 1) == 7200);
    CHECK(paris_utc_offset(1792890000) == 3600);  // 2026-10-25T01:00:00Z
    CHECK(format_paris_time(1788213600) == "2026-09-01T00:00:00+02:00");
    CHECK(format_paris_time(1790805599) == "2026-09-30T23:59:59+02:00");
    CHECK(format_paris_time(1798761600) == "2027-01-01T01:00:00+01:00");
}

TEST_CASE("summer time starts on the last Sunday of March at 01:00 UTC", "[config][paris_time]") {
    for (const auto& change : kSummerStarts) {
        INFO(change.name);
        CHECK(paris_utc_offset(change.at - std::int64_t{7} * 86400) == 3600);  // the Sunday before
        CHECK(paris_utc_offset(change.at - 1) == 3600);
        CHECK(paris_utc_offset(change.at) == 7200);
        CHECK(paris_utc_offset(change.at + 1) == 7200);
    }
    // In Paris, 02:00 winter time is followed by 03:00 summer time.
    CHECK(format_paris_time(1774746000 - 1) == "2026-03-29T01:59:59+01:00");
    CHECK(format_paris_time(1774746000) == "2026-03-29T03:00:00+02:00");
}

TEST_CASE("summer time ends on the last Sunday of October at 01:00 UTC", "[config][paris_time]") {
    for (const auto& change : kSummerEnds) {
        INFO(change.name);
        CHECK(paris_utc_offset(change.at - std::int64_t{7} * 86400) == 7200);  // the Sunday before
        CHECK(paris_utc_offset(change.at - 1) == 7200);
        CHECK(paris_utc_offset(change.at) == 3600);
        CHECK(paris_utc_offset(change.at + 1) == 3600);
    }
    // In Paris, 02:00 to 03:00 happens twice; the offset tells the two apart.
    CHECK(format_paris_time(1792890000 - 1) == "2026-10-25T02:59:59+02:00");
    CHECK(format_paris_time(1792890000) == "2026-10-25T02:00:00+01:00");
}

TEST_CASE("winter time holds across the new year", "[config][paris_time]") {
    CHECK(paris_utc_offset(1798761600 - 1) == 3600);  // 2026-12-31T23:59:59Z
    CHECK(format_paris_time(1798761600 - 3601) == "2026-12-31T23:59:59+01:00");
    CHECK(format_paris_time(1798761600 - 3600) == "2027-01-01T00:00:00+01:00");
    CHECK(format_paris_time(0) == "1970-01-01T01:00:00+01:00");
    CHECK(format_paris_time(-1) == "1970-01-01T00:59:59+01:00");
    CHECK(format_paris_time(-3601) == "1969-12-31T23:59:59+01:00");
}

TEST_CASE("a formatted Paris time parses back to the same instant", "[config][paris_time]") {
    SECTION("around each switch") {
        for (const auto& changes : {kSummerStarts, kSummerEnds}) {
            for (const auto& change : changes) {
                for (std::int64_t delta = -7200; delta <= 7200; delta += 1799) {
                    const auto t = change.at + delta;
                    INFO(change.name << " " << delta);
                    CHECK(parse_rfc3339(format_paris_time(t)) == t);
                }
            }
        }
    }
    SECTION("every few hours over two years, leap day included") {
        // 2024-01-01T00:00:00Z, then steps that drift through every hour of the day.
        for (std::int64_t t = 1704067200; t < 1704067200 + 2 * 366 * 86400; t += 3 * 3600 + 7) {
            INFO(t);
            REQUIRE(parse_rfc3339(format_paris_time(t)) == t);
        }
    }
    SECTION("a Paris time written with its own offset formats back to the same text") {
        for (const char* text : {"2026-09-01T00:00:00+02:00", "2026-09-30T23:59:59+02:00",
                                 "2026-01-15T08:30:00+01:00", "2024-02-29T23:59:59+01:00",
                                 "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"}) {
            INFO(text);
            const auto t = parse_rfc3339(text);
            REQUIRE(t);
            CHECK(format_paris_time(*t) == text);
        }
    }
}

TEST_CASE("now is seconds since the epoch, on the system clock", "[config][paris_time]") {
    const auto now = unix_now();
    CHECK(now > 1704067200);  // after 2024-01-01
    CHECK(paris_utc_offset(now) % 3600 == 0);
}
