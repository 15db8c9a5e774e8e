#include "labelling/questionnaire.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <set>
#include <stdexcept>

namespace budget::labelling {
namespace {

// Ids end up in Redis keys, JSON, HTML ids and URLs: a small alphabet keeps them safe everywhere.
bool is_valid_id(std::string_view id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

std::string element_path(std::string_view array, const std::string& id, std::size_t index) {
    std::string path(array);
    path += '[';
    path += id.empty() ? "#" + std::to_string(index + 1) : id;
    path += ']';
    return path;
}

std::string in_quotes(std::string_view text) {
    std::string out = "\"";
    out += text;
    out += '"';
    return out;
}

class IssueList {
  public:
    void error(std::string path, std::string message) {
        issues_.push_back({Severity::error, std::move(path), std::move(message)});
    }
    void warning(std::string path, std::string message) {
        issues_.push_back({Severity::warning, std::move(path), std::move(message)});
    }
    std::vector<ConfigIssue> take() { return std::move(issues_); }

  private:
    std::vector<ConfigIssue> issues_;
};

void check_id(IssueList& issues, const std::string& path, const std::string& id) {
    if (id.empty()) {
        issues.error(path + ".id", "id is empty");
    } else if (!is_valid_id(id)) {
        issues.error(path + ".id",
                     "id " + in_quotes(id) + " may only contain a-z, 0-9, '_' and '-'");
    }
}

void check_label(IssueList& issues, const std::string& path, std::string_view key,
                 const std::string& value) {
    if (value.empty()) issues.error(path + "." + std::string(key), std::string(key) + " is empty");
}

void validate_question(IssueList& issues, const std::string& path, const Question& question) {
    check_id(issues, path, question.id);
    check_label(issues, path, "text", question.text);
    const Scale& scale = question.scale;
    if (scale.min >= scale.max) {
        issues.error(path + ".scale", "scale min (" + std::to_string(scale.min) +
                                          ") must be less than max (" + std::to_string(scale.max) +
                                          ")");
    }
    if (scale.min < 0) {
        issues.error(path + ".scale",
                     "scale min (" + std::to_string(scale.min) + ") must be at least 0");
    }
    if (scale.max > kMaxScaleValue) {
        issues.error(path + ".scale", "scale max (" + std::to_string(scale.max) +
                                          ") must be at most " + std::to_string(kMaxScaleValue));
    }
    if (question.weight < 1 || question.weight > kMaxQuestionWeight) {
        issues.error(path + ".weight", "weight (" + std::to_string(question.weight) +
                                           ") must be between 1 and " +
                                           std::to_string(kMaxQuestionWeight));
    }
}

void validate_markers(IssueList& issues, const Questionnaire& questionnaire) {
    if (questionnaire.markers.empty()) issues.error("markers", "at least one marker is required");
    std::set<std::string, std::less<>> marker_ids;
    std::set<std::string, std::less<>> question_ids;
    for (std::size_t m = 0; m < questionnaire.markers.size(); ++m) {
        const Marker& marker = questionnaire.markers[m];
        const std::string path = element_path("markers", marker.id, m);
        check_id(issues, path, marker.id);
        if (!marker.id.empty() && !marker_ids.insert(marker.id).second) {
            issues.error(path + ".id", "marker id " + in_quotes(marker.id) +
                                           " is already used by another marker");
        }
        check_label(issues, path, "label", marker.label);
        const std::size_t count = marker.questions.size();
        if (count == 0) {
            issues.error(path + ".questions", "marker has no question, so it cannot be scored");
        } else if (count < kRecommendedMinQuestions || count > kRecommendedMaxQuestions) {
            issues.warning(path + ".questions",
                           "marker has " + std::to_string(count) + " question(s); " +
                               std::to_string(kRecommendedMinQuestions) + " to " +
                               std::to_string(kRecommendedMaxQuestions) + " are recommended");
        }
        for (std::size_t q = 0; q < count; ++q) {
            const Question& question = marker.questions[q];
            const std::string question_path = element_path(path + ".questions", question.id, q);
            validate_question(issues, question_path, question);
            if (!question.id.empty() && !question_ids.insert(question.id).second) {
                issues.error(question_path + ".id",
                             "question id " + in_quotes(question.id) +
                                 " is already used (question ids are unique across markers)");
            }
        }
    }
}

void validate_categories(IssueList& issues, const Questionnaire& questionnaire) {
    if (questionnaire.categories.empty()) {
        issues.error("categories", "at least one category is required");
    }
    std::set<std::string, std::less<>> category_ids;
    for (std::size_t c = 0; c < questionnaire.categories.size(); ++c) {
        const Category& category = questionnaire.categories[c];
        const std::string path = element_path("categories", category.id, c);
        check_id(issues, path, category.id);
        if (!category.id.empty() && !category_ids.insert(category.id).second) {
            issues.error(path + ".id", "category id " + in_quotes(category.id) +
                                           " is already used by another category");
        }
        check_label(issues, path, "label", category.label);
        if (category.cap_eur <= 0) {
            issues.error(path + ".cap_eur", "cap_eur (" + std::to_string(category.cap_eur) +
                                                ") must be a positive number of euros");
        }
        int total = 0;
        for (const auto& [marker_id, weight] : category.marker_weights) {
            const std::string weight_path = path + ".weights." + marker_id;
            if (find_marker(questionnaire, marker_id) == nullptr) {
                issues.error(weight_path, "unknown marker " + in_quotes(marker_id));
            }
            if (weight < 0 || weight > kCategoryWeightTotal) {
                issues.error(weight_path, "weight (" + std::to_string(weight) +
                                              ") must be between 0 and " +
                                              std::to_string(kCategoryWeightTotal));
            }
            total += weight;
        }
        if (total != kCategoryWeightTotal) {
            issues.error(path + ".weights", "weights sum to " + std::to_string(total) +
                                                ", expected " +
                                                std::to_string(kCategoryWeightTotal));
        }
    }
}

void validate_gate(IssueList& issues, const Gate& gate) {
    if (gate.min_reviewers < 1) {
        issues.error("gate.min_reviewers", "min_reviewers (" + std::to_string(gate.min_reviewers) +
                                               ") must be at least 1");
    }
    const auto check_score = [&](const char* key, int value) {
        if (value < 0 || value > 100) {
            issues.error(
                std::string("gate.") + key,
                std::string(key) + " (" + std::to_string(value) + ") must be between 0 and 100");
        }
    };
    check_score("min_marker_score", gate.min_marker_score);
    check_score("min_overall_score", gate.min_overall_score);
}

template <typename Item>
const Item* find_by_id(const std::vector<Item>& items, std::string_view id) {
    const auto found =
        std::find_if(items.begin(), items.end(), [&](const Item& item) { return item.id == id; });
    return found == items.end() ? nullptr : &*found;
}

}  // namespace

std::string to_string(const ConfigIssue& issue) {
    std::string out = issue.severity == Severity::error ? "error: " : "warning: ";
    out += issue.path;
    out += ": ";
    out += issue.message;
    return out;
}

std::vector<ConfigIssue> validate(const Questionnaire& questionnaire) {
    IssueList issues;
    validate_markers(issues, questionnaire);
    validate_categories(issues, questionnaire);
    validate_gate(issues, questionnaire.gate);
    return issues.take();
}

bool has_errors(const std::vector<ConfigIssue>& issues) {
    return std::any_of(issues.begin(), issues.end(),
                       [](const ConfigIssue& issue) { return issue.severity == Severity::error; });
}

const Marker* find_marker(const Questionnaire& questionnaire, std::string_view id) {
    return find_by_id(questionnaire.markers, id);
}

const Question* find_question(const Questionnaire& questionnaire, std::string_view id) {
    for (const Marker& marker : questionnaire.markers) {
        if (const Question* question = find_by_id(marker.questions, id)) return question;
    }
    return nullptr;
}

const Category* find_category(const Questionnaire& questionnaire, std::string_view id) {
    return find_by_id(questionnaire.categories, id);
}

std::string canonical_json(const Questionnaire& questionnaire) {
    // boost::json::object keeps insertion order, so the key order below is the canonical one;
    // category weights come from a std::map and are therefore sorted by marker id.
    boost::json::array markers;
    for (const Marker& marker : questionnaire.markers) {
        boost::json::array questions;
        for (const Question& question : marker.questions) {
            questions.push_back(boost::json::object{
                {"id", question.id},
                {"text", question.text},
                {"scale",
                 boost::json::object{{"min", question.scale.min}, {"max", question.scale.max}}},
                {"weight", question.weight},
            });
        }
        markers.push_back(boost::json::object{
            {"id", marker.id}, {"label", marker.label}, {"questions", std::move(questions)}});
    }
    boost::json::array categories;
    for (const Category& category : questionnaire.categories) {
        boost::json::object weights;
        for (const auto& [marker_id, weight] : category.marker_weights) weights[marker_id] = weight;
        categories.push_back(boost::json::object{{"id", category.id},
                                                 {"label", category.label},
                                                 {"cap_eur", category.cap_eur},
                                                 {"weights", std::move(weights)}});
    }
    const Gate& gate = questionnaire.gate;
    const boost::json::object document{
        {"markers", std::move(markers)},
        {"categories", std::move(categories)},
        {"gate", boost::json::object{{"min_reviewers", gate.min_reviewers},
                                     {"min_marker_score", gate.min_marker_score},
                                     {"min_overall_score", gate.min_overall_score}}},
    };
    return boost::json::serialize(document);
}

std::string questionnaire_digest(const Questionnaire& questionnaire) {
    const std::string canonical = canonical_json(questionnaire);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(canonical.data(), canonical.size(), digest.data(), &length, EVP_sha256(),
                   nullptr) != 1) {
        // Only a broken OpenSSL installation gets here: a broken invariant, not an input error.
        throw std::runtime_error("SHA-256 is unavailable in OpenSSL");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(static_cast<std::size_t>(length) * 2);
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0x0f];
    }
    return hex;
}

}  // namespace budget::labelling
