#include "voting/ballot.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>
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
    std::set<std::string_view> seen;
    for (const auto& c : choices) {
        if (!seen.insert(c).second) return ChoiceProblem{ChoiceError::duplicate, c};
    }
    for (const auto& c : choices) {
        if (!on_ballot(c)) return ChoiceProblem{ChoiceError::not_on_ballot, c};
    }
    std::vector<std::string> sorted = choices;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

std::string describe(const ChoiceProblem& p, int max_choices) {
    switch (p.error) {
        case ChoiceError::empty:
            return "Choisissez au moins une initiative.";
        case ChoiceError::too_many:
            return "Vous pouvez choisir au plus " + std::to_string(max_choices) + " initiative" +
                   (max_choices > 1 ? "s." : ".");
        case ChoiceError::duplicate:
            return "L'initiative « " + p.initiative + " » est choisie deux fois.";
        case ChoiceError::not_on_ballot:
            return "L'initiative « " + p.initiative + " » ne figure pas sur le bulletin.";
    }
    return "Choix invalides.";
}

std::string canonical_ballot(std::string_view ballot_id,
                             const std::vector<std::string>& sorted_choices) {
    boost::json::array choices;
    for (const auto& c : sorted_choices) choices.emplace_back(c);
    // Keys in sorted order; Boost.JSON keeps insertion order and writes no whitespace.
    boost::json::object o;
    o["ballot_id"] = ballot_id;
    o["choices"] = std::move(choices);
    return boost::json::serialize(o);
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
