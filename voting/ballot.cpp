#include "voting/ballot.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

namespace budget::voting {

void throw_exception_from_error(const ChoiceProblem& e, const boost::source_location&) {
    throw std::runtime_error("invalid choices (" + std::to_string(static_cast<int>(e.error)) + ")");
}

boost::system::result<std::vector<std::string>, ChoiceProblem> validate_choices(
    const std::vector<std::string>& choices, int max_choices,
    const std::function<bool(std::string_view)>& on_ballot) {
    if (choices.empty()) return ChoiceProblem{ChoiceError::empty, ""};
    if (static_cast<int>(choices.size()) > max_choices)
        return ChoiceProblem{ChoiceError::too_many, ""};
    // At most max_choices ids (a few dozen): comparing each with those before it finds the same
    // first repeat as a set would, without allocating.
    for (std::size_t i = 1; i < choices.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (choices[j] == choices[i]) return ChoiceProblem{ChoiceError::duplicate, choices[i]};
        }
    }
    for (const auto& c : choices) {
        if (!on_ballot(c)) return ChoiceProblem{ChoiceError::not_on_ballot, c};
    }
    std::vector<std::string> sorted = choices;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

namespace {

// Appends `s` as a JSON string exactly as boost::json::serialize writes it: `"` and `\` escaped,
// \b \t \n \f \r for those controls, \u00xx (lower-case hex) for the other ones below 0x20,
// every other byte as is.
void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    const auto plain = [](char ch) {
        return static_cast<unsigned char>(ch) >= 0x20 && ch != '"' && ch != '\\';
    };
    while (!s.empty()) {
        // Ids are plain: copy each run without escapes in one go.
        std::size_t run = 0;
        while (run < s.size() && plain(s[run])) ++run;
        out.append(s.data(), run);
        s.remove_prefix(run);
        if (s.empty()) break;
        const char ch = s.front();
        s.remove_prefix(1);
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\r':
                out += "\\r";
                break;
            default:  // the other controls
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 15];
        }
    }
    out += '"';
}

}  // namespace

std::string canonical_ballot(std::string_view ballot_id,
                             const std::vector<std::string>& sorted_choices) {
    // Keys in sorted order, no whitespace: the bytes boost::json::serialize gives for
    // {"ballot_id":..., "choices":[...]}, written directly since every ballot goes through here.
    std::size_t size = 40 + ballot_id.size();
    for (const auto& c : sorted_choices) size += c.size() + 3;
    std::string out;
    out.reserve(size);
    out += R"({"ballot_id":)";
    append_json_string(out, ballot_id);
    out += R"(,"choices":[)";
    for (std::size_t i = 0; i < sorted_choices.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, sorted_choices[i]);
    }
    out += "]}";
    return out;
}

boost::system::result<StoredBallot> parse_canonical_ballot(std::string_view bytes) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(bytes, ec);
    if (ec || !v.is_object())
        return boost::system::errc::make_error_code(boost::system::errc::bad_message);
    const auto& o = v.as_object();
    const auto* id = o.if_contains("ballot_id");
    const auto* choices = o.if_contains("choices");
    if (o.size() != 2 || !id || !id->is_string() || !choices || !choices->is_array())
        return boost::system::errc::make_error_code(boost::system::errc::bad_message);
    StoredBallot b;
    b.ballot_id = std::string(id->as_string());
    for (const auto& c : choices->as_array()) {
        if (!c.is_string())
            return boost::system::errc::make_error_code(boost::system::errc::bad_message);
        b.choices.emplace_back(c.as_string());
    }
    if (!std::is_sorted(b.choices.begin(), b.choices.end()) ||
        std::adjacent_find(b.choices.begin(), b.choices.end()) != b.choices.end())
        return boost::system::errc::make_error_code(boost::system::errc::bad_message);
    // Only the exact canonical form is accepted: a re-serialised ballot must give the same bytes.
    if (canonical_ballot(b.ballot_id, b.choices) != bytes)
        return boost::system::errc::make_error_code(boost::system::errc::bad_message);
    return b;
}

}  // namespace budget::voting
