#pragma once
// Who may vote: age on the day of voting and residence in the département. (Who a person is,
// as the deduplication compares them: voting/identity.hpp.)

#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace budget::voting {

struct Date {
    int year = 0, month = 0, day = 0;
    friend bool operator==(const Date&, const Date&) = default;
};

/// Parses "YYYY-MM-DD" (a real calendar date); std::nullopt otherwise.
std::optional<Date> parse_date(std::string_view text);

/// Full years between `birth` and `on` (a person born on 29 February has their birthday on
/// 1 March in common years, as French civil practice counts it).
int age_on(const Date& birth, const Date& on);

enum class EligibilityError {
    invalid_birth_date = 1,  ///< not a date, or in the future
    too_young,
    not_resident,
};

struct Eligibility {
    int age = 0;
};

/// Checks age (>= min_age on `today`) and residence (`commune_known`).
boost::system::result<Eligibility, EligibilityError> check_eligibility(const Date& birth_date,
                                                                       const Date& today,
                                                                       int min_age,
                                                                       bool commune_known);

}  // namespace budget::voting

namespace budget::voting {
[[noreturn]] void throw_exception_from_error(EligibilityError e, const boost::source_location& loc);
}
