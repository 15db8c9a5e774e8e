#include "voting/eligibility.hpp"

#include <array>
#include <cstdio>
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

std::optional<std::string> normalise_name(std::string_view name) {
    std::string out;
    bool pending_space = false;
    auto put = [&](char c) {
        if (pending_space && !out.empty()) out += ' ';
        pending_space = false;
        out += c;
    };
    for (std::size_t i = 0; i < name.size();) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (c < 0x80) {
            ++i;
            if (c >= 'a' && c <= 'z') {
                put(static_cast<char>(c));
            } else if (c >= 'A' && c <= 'Z') {
                put(static_cast<char>(c - 'A' + 'a'));
            } else if (c == ' ' || c == '-' || c == '\'' || c == '.' || c == '\t') {
                pending_space = true;
            } else {
                return std::nullopt;
            }
            continue;
        }
        // Two-byte UTF-8 sequences of Latin-1 Supplement and Latin Extended-A: fold the letters
        // used in French (and neighbouring) names to their base letter.
        if ((c & 0xE0) != 0xC0 || i + 1 >= name.size()) {
            // U+2019 (right single quotation mark) is the typographic apostrophe.
            if (name.substr(i, 3) == "\xE2\x80\x99") {
                pending_space = true;
                i += 3;
                continue;
            }
            return std::nullopt;
        }
        const unsigned cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(name[i + 1]) & 0x3F);
        i += 2;
        const char* folded = nullptr;
        switch (cp) {
            case 0xC0:
            case 0xC1:
            case 0xC2:
            case 0xC3:
            case 0xC4:
            case 0xC5:
            case 0xE0:
            case 0xE1:
            case 0xE2:
            case 0xE3:
            case 0xE4:
            case 0xE5:
                folded = "a";
                break;
            case 0xC6:
            case 0xE6:
                folded = "ae";
                break;
            case 0xC7:
            case 0xE7:
                folded = "c";
                break;
            case 0xC8:
            case 0xC9:
            case 0xCA:
            case 0xCB:
            case 0xE8:
            case 0xE9:
            case 0xEA:
            case 0xEB:
                folded = "e";
                break;
            case 0xCC:
            case 0xCD:
            case 0xCE:
            case 0xCF:
            case 0xEC:
            case 0xED:
            case 0xEE:
            case 0xEF:
                folded = "i";
                break;
            case 0xD1:
            case 0xF1:
                folded = "n";
                break;
            case 0xD2:
            case 0xD3:
            case 0xD4:
            case 0xD5:
            case 0xD6:
            case 0xD8:
            case 0xF2:
            case 0xF3:
            case 0xF4:
            case 0xF5:
            case 0xF6:
            case 0xF8:
                folded = "o";
                break;
            case 0xD9:
            case 0xDA:
            case 0xDB:
            case 0xDC:
            case 0xF9:
            case 0xFA:
            case 0xFB:
            case 0xFC:
                folded = "u";
                break;
            case 0xDD:
            case 0xFD:
            case 0xFF:
            case 0x178:
                folded = "y";
                break;
            case 0xDF:
                folded = "ss";
                break;
            case 0x152:
            case 0x153:
                folded = "oe";
                break;
            default:
                return std::nullopt;
        }
        for (const char* p = folded; *p; ++p) put(*p);
    }
    if (out.empty()) return std::nullopt;
    return out;
}

std::string identity_material(std::string_view first_name, std::string_view last_name,
                              const Date& birth_date) {
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", birth_date.year, birth_date.month,
                  birth_date.day);
    // '|' never appears in a normalised name, so the fields cannot run into each other.
    return std::string(first_name) + "|" + std::string(last_name) + "|" + date;
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
