#include "voting/eligibility.hpp"

#include <array>
#include <stdexcept>

namespace budget::voting {

void throw_exception_from_error(EligibilityError e, const boost::source_location&) {
    throw std::runtime_error("eligibility error " + std::to_string(static_cast<int>(e)));
}

namespace {
bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
    static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[m - 1];
}
}  // namespace

std::optional<Date> parse_date(std::string_view t) {
    if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
    auto num = [&](std::size_t pos, std::size_t n) -> int {
        int v = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (t[i] < '0' || t[i] > '9') return -1;
            v = v * 10 + (t[i] - '0');
        }
        return v;
    };
    const Date d{num(0, 4), num(5, 2), num(8, 2)};
    if (d.year < 1800 || d.month < 1 || d.month > 12 || d.day < 1 ||
        d.day > days_in_month(d.year, d.month))
        return std::nullopt;
    return d;
}

int age_on(const Date& birth, const Date& on) {
    int age = on.year - birth.year;
    // Born on 29 February: in a common year the birthday is reached on 1 March.
    int bm = birth.month, bd = birth.day;
    if (bm == 2 && bd == 29 && !leap(on.year)) {
        bm = 3;
        bd = 1;
    }
    if (on.month < bm || (on.month == bm && on.day < bd)) --age;
    return age;
}

boost::system::result<Eligibility, EligibilityError> check_eligibility(const Date& birth_date,
                                                                       const Date& today,
                                                                       int min_age,
                                                                       bool commune_known) {
    const auto as_tuple = [](const Date& d) { return d.year * 10000 + d.month * 100 + d.day; };
    if (as_tuple(birth_date) > as_tuple(today)) return EligibilityError::invalid_birth_date;
    const int age = age_on(birth_date, today);
    if (age > 130) return EligibilityError::invalid_birth_date;
    if (age < min_age) return EligibilityError::too_young;
    if (!commune_known) return EligibilityError::not_resident;
    return Eligibility{age};
}

}  // namespace budget::voting
