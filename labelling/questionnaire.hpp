#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace budget::labelling {

/// Inclusive range of the integer answers a question accepts (e.g. 0..4).
struct Scale {
    int min = 0;
    int max = 0;  ///< 0..0 is "no scale": validate() rejects it.
};

/// One question of the questionnaire; its answer counts towards its marker only.
struct Question {
    std::string id;    ///< unique across the whole questionnaire (answers are keyed by it)
    std::string text;  ///< in French, shown to the committee
    Scale scale;
    int weight = 1;  ///< relative weight inside its marker (1..kMaxQuestionWeight)
};

/// An ESS marker ("marqueur"): one axis of the radar, scored 0..100 from its questions.
struct Marker {
    std::string id;
    std::string label;  ///< in French, drawn on the radar
    std::vector<Question> questions;
};

/// Marker id -> weight in percent; markers left out weigh 0.
using MarkerWeights = std::map<std::string, int, std::less<>>;

/// A labelling category with its subsidy cap and how it weighs the markers.
struct Category {
    std::string id;
    std::string label;
    std::int64_t cap_eur = 0;      ///< maximum subsidy, integer euros
    MarkerWeights marker_weights;  ///< integer percentages summing to exactly 100
};

/// Conditions an initiative must meet before the committee labels it without justification.
struct Gate {
    int min_reviewers = 1;
    int min_marker_score = 0;   ///< 0..100, applies to every aggregated marker score
    int min_overall_score = 0;  ///< 0..100, applies to overall_score()
};

/// The whole labelling configuration of one campaign (config/questionnaire.toml).
struct Questionnaire {
    std::vector<Marker> markers;       ///< radar axes, in drawing order
    std::vector<Category> categories;  ///< config order breaks ties in propose_category()
    Gate gate;
};

/// Answer scales are kept small so that scores are computed exactly in integers:
/// every range max-min (1..10) divides kScaleCommonMultiple.
inline constexpr int kMaxScaleValue = 10;
inline constexpr int kScaleCommonMultiple = 2520;
inline constexpr int kMaxQuestionWeight = 100;
inline constexpr int kCategoryWeightTotal = 100;
/// A marker outside this range of questions is accepted with a warning.
inline constexpr std::size_t kRecommendedMinQuestions = 3;
inline constexpr std::size_t kRecommendedMaxQuestions = 5;

enum class Severity { error, warning };

/// One problem found in a questionnaire; `path` names the offending key.
struct ConfigIssue {
    Severity severity = Severity::error;
    std::string path;  ///< e.g. `categories[cooperation].weights.gouvernance`
    std::string message;
};

/// "error: <path>: <message>" (or "warning: ...").
std::string to_string(const ConfigIssue& issue);

/// Every problem of the questionnaire, errors and warnings, in file order. Empty means valid.
std::vector<ConfigIssue> validate(const Questionnaire& questionnaire);

/// True when at least one issue is an error (warnings do not prevent loading).
bool has_errors(const std::vector<ConfigIssue>& issues);

/// Lookups by id; nullptr when absent.
const Marker* find_marker(const Questionnaire& questionnaire, std::string_view id);
const Question* find_question(const Questionnaire& questionnaire, std::string_view id);
const Category* find_category(const Questionnaire& questionnaire, std::string_view id);

/// Compact JSON with a fixed key order and no whitespace: the form that is hashed and sealed.
std::string canonical_json(const Questionnaire& questionnaire);

/// Lower-case hex SHA-256 of canonical_json(): identifies the questionnaire in force.
std::string questionnaire_digest(const Questionnaire& questionnaire);

}  // namespace budget::labelling
