#pragma once
// The French typography every text a resident or a holder reads must follow, checked by the
// tests of the messages and the e-mails (one copy: the rule changes in one place).

#include <string>
#include <string_view>

namespace budget::test {

inline constexpr std::string_view kNbsp = "\u00a0";    // before « : », inside « »
inline constexpr std::string_view kNarrow = "\u202f";  // before ; ! ?

/// The first breach of French typography in `text`, or "": a straight apostrophe, a punctuation
/// mark ; ! ? : without its no-break space (or with an ordinary one), guillemets without
/// no-break spaces inside.
inline std::string typography_problem(std::string_view text) {
    const auto ends_with = [](std::string_view s, std::string_view end) {
        return s.size() >= end.size() && s.substr(s.size() - end.size()) == end;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto before = text.substr(0, i);
        const char c = text[i];
        if (c == '\'') return "straight apostrophe at " + std::to_string(i);
        const bool spaced_after = i + 1 == text.size() || text[i + 1] == ' ';
        if ((c == ';' || c == '!' || c == '?') && !ends_with(before, kNarrow) && spaced_after)
            return std::string("no narrow no-break space before ") + c + " at " + std::to_string(i);
        // "12:30", "{\"question\": ..." (a JSON example) are no French colons.
        if (c == ':' && spaced_after && !ends_with(before, "\"") && !ends_with(before, kNbsp))
            return "no no-break space before : at " + std::to_string(i);
        if (text.substr(i).starts_with("«") && !text.substr(i + 2).starts_with(kNbsp))
            return "no no-break space after « at " + std::to_string(i);
        if (text.substr(i).starts_with("»") && !ends_with(before, kNbsp))
            return "no no-break space before » at " + std::to_string(i);
    }
    return "";
}

}  // namespace budget::test
