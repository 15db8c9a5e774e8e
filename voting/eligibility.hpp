#pragma once
// Who may vote: age on the day of voting, residence in the département, and the normalised
// identity from which the deduplication key is derived.

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

/// Lower-case ASCII letters and single spaces: accents folded, hyphens, apostrophes and runs
/// of spaces become one space, so that "Éloïse  Dupont-Martin" and "eloise dupont martin" match.
/// std::nullopt when nothing is left or when a character is not a letter of a name.
std::optional<std::string> normalise_name(std::string_view name);

/// The string that identifies a person across emails: normalised names and birth date.
std::string identity_material(std::string_view first_name, std::string_view last_name,
                              const Date& birth_date);

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
