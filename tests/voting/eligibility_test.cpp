#include "voting/eligibility.hpp"

#include <catch2/catch.hpp>

using namespace budget::voting;

TEST_CASE("dates are real calendar dates", "[eligibility]") {
    CHECK(parse_date("2015-09-01") == Date{2015, 9, 1});
    CHECK(parse_date("2016-02-29") == Date{2016, 2, 29});
    CHECK_FALSE(parse_date("2015-02-29"));
    CHECK_FALSE(parse_date("2015-13-01"));
    CHECK_FALSE(parse_date("2015-9-1"));
    CHECK_FALSE(parse_date("01/09/2015"));
    CHECK_FALSE(parse_date("2015-09-01T00:00"));
}

TEST_CASE("age is counted in full years on the day of voting", "[eligibility]") {
    CHECK(age_on(Date{2015, 9, 15}, Date{2026, 9, 14}) == 10);
    CHECK(age_on(Date{2015, 9, 15}, Date{2026, 9, 15}) == 11);
    CHECK(age_on(Date{2015, 9, 15}, Date{2026, 9, 16}) == 11);
    SECTION("born on 29 February") {
        CHECK(age_on(Date{2012, 2, 29}, Date{2023, 2, 28}) == 10);
        CHECK(age_on(Date{2012, 2, 29}, Date{2023, 3, 1}) == 11);
        CHECK(age_on(Date{2012, 2, 29}, Date{2024, 2, 29}) == 12);
    }
}

TEST_CASE("eligibility refuses the too young, the non-residents and impossible births",
          "[eligibility]") {
    const Date today{2026, 9, 10};
    CHECK(check_eligibility(Date{2015, 9, 10}, today, 11, true).has_value());
    CHECK(check_eligibility(Date{2015, 9, 11}, today, 11, true).error() ==
          EligibilityError::too_young);
    CHECK(check_eligibility(Date{1980, 1, 1}, today, 11, false).error() ==
          EligibilityError::not_resident);
    CHECK(check_eligibility(Date{2027, 1, 1}, today, 11, true).error() ==
          EligibilityError::invalid_birth_date);
    CHECK(check_eligibility(Date{1850, 1, 1}, today, 11, true).error() ==
          EligibilityError::invalid_birth_date);
    SECTION("age is checked before residence") {
        CHECK(check_eligibility(Date{2020, 1, 1}, today, 11, false).error() ==
              EligibilityError::too_young);
    }
}
