#include "labelling/questionnaire_toml.hpp"

#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <toml.hpp>

#include "labelling/utf8.hpp"

namespace budget::labelling {
namespace {

// std::map tables make unknown keys come out in a stable, sorted order.
using Value = toml::basic_value<toml::discard_comments, std::map, std::vector>;

std::string in_quotes(std::string_view text) {
    std::string out = "\"";
    out += text;
    out += '"';
    return out;
}

std::string element_path(const std::string& array, const std::optional<std::string>& id,
                         std::size_t index) {
    // Same naming as validate(), so that its issues can be traced back to a line.
    const bool named = id && !id->empty();
    return array + "[" + (named ? *id : "#" + std::to_string(index + 1)) + "]";
}

std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

// Reads the TOML tree into plain structs, collecting every schema problem instead of stopping
// at the first, and remembers the line of each path for validate()'s messages.
class Reader {
  public:
    explicit Reader(std::string source) : source_(std::move(source)) {}

    const std::vector<std::string>& errors() const { return errors_; }

    void error_at(const Value& at, const std::string& path, const std::string& message) {
        std::string line = source_ + ":" + std::to_string(at.location().line()) + ": ";
        if (!path.empty()) line += path + ": ";
        errors_.push_back(line + message);
    }

    void remember(const std::string& path, const Value& at) {
        lines_.emplace(path, at.location().line());
    }

    std::string locate(const ConfigIssue& issue) const {
        // The closest enclosing path that was read gives the line.
        std::string path = issue.path;
        for (;;) {
            if (const auto found = lines_.find(path); found != lines_.end()) {
                return source_ + ":" + std::to_string(found->second) + ": " + issue.path + ": " +
                       issue.message;
            }
            const auto cut = path.find_last_of(".[");
            if (cut == std::string::npos || cut == 0) break;
            path.erase(cut);
        }
        return source_ + ": " + issue.path + ": " + issue.message;
    }

    bool expect_table(const Value& value, const std::string& path) {
        if (value.is_table()) return true;
        error_at(value, path, "expected a table");
        return false;
    }

    void reject_unknown_keys(const Value& table, const std::string& path,
                             std::initializer_list<std::string_view> allowed) {
        for (const auto& [key, value] : table.as_table()) {
            bool known = false;
            for (std::string_view name : allowed) known = known || key == name;
            if (known) continue;
            std::string expected;
            for (std::string_view name : allowed) {
                if (!expected.empty()) expected += ", ";
                expected += name;
            }
            error_at(value, path,
                     "unknown key " + in_quotes(key) + " (expected one of: " + expected + ")");
        }
    }

    const Value* find(const Value& table, const std::string& path, const std::string& key,
                      bool required) {
        const auto& entries = table.as_table();
        const auto found = entries.find(key);
        if (found == entries.end()) {
            if (required) error_at(table, path, "missing key " + in_quotes(key));
            return nullptr;
        }
        remember(join(path, key), found->second);
        return &found->second;
    }

    std::optional<std::string> read_string(const Value& table, const std::string& path,
                                           const std::string& key) {
        const Value* value = find(table, path, key, true);
        if (value == nullptr) return std::nullopt;
        if (!value->is_string()) {
            error_at(*value, join(path, key), "expected a string");
            return std::nullopt;
        }
        return value->as_string().str;
    }

    template <typename Int>
    std::optional<Int> read_integer(const Value& table, const std::string& path,
                                    const std::string& key, bool required = true) {
        const Value* value = find(table, path, key, required);
        if (value == nullptr) return std::nullopt;
        return integer_of<Int>(*value, join(path, key));
    }

    template <typename Int>
    std::optional<Int> integer_of(const Value& value, const std::string& path) {
        if (!value.is_integer()) {
            error_at(value, path, "expected an integer");
            return std::nullopt;
        }
        const std::int64_t number = value.as_integer();
        if (number < std::numeric_limits<Int>::min() || number > std::numeric_limits<Int>::max()) {
            error_at(value, path, "integer " + std::to_string(number) + " is out of range");
            return std::nullopt;
        }
        return static_cast<Int>(number);
    }

    const std::vector<Value>* read_array_of_tables(const Value& table, const std::string& path,
                                                   const std::string& key) {
        const Value* value = find(table, path, key, true);
        if (value == nullptr) return nullptr;
        if (!value->is_array()) {
            error_at(*value, join(path, key), "expected an array of tables");
            return nullptr;
        }
        return &value->as_array();
    }

  private:
    std::string source_;
    std::vector<std::string> errors_;
    std::map<std::string, std::uint_least32_t> lines_;
};

// The element's id, read ahead so that every message about the element can name it.
std::optional<std::string> peek_id(const Value& table) {
    if (table.is_table() && table.contains("id") && table.at("id").is_string()) {
        return table.at("id").as_string().str;
    }
    return std::nullopt;
}

Question read_question(Reader& reader, const Value& table, const std::string& parent,
                       std::size_t index) {
    Question question;
    const std::string path = element_path(parent, peek_id(table), index);
    if (!reader.expect_table(table, path)) return question;
    reader.remember(path, table);
    reader.reject_unknown_keys(table, path, {"id", "text", "scale", "weight"});
    question.id = reader.read_string(table, path, "id").value_or("");
    question.text = reader.read_string(table, path, "text").value_or("");
    if (const Value* scale = reader.find(table, path, "scale", true)) {
        const std::string scale_path = path + ".scale";
        if (reader.expect_table(*scale, scale_path)) {
            reader.reject_unknown_keys(*scale, scale_path, {"min", "max"});
            question.scale.min = reader.read_integer<int>(*scale, scale_path, "min").value_or(0);
            question.scale.max = reader.read_integer<int>(*scale, scale_path, "max").value_or(0);
        }
    }
    question.weight = reader.read_integer<int>(table, path, "weight", false).value_or(1);
    return question;
}

Marker read_marker(Reader& reader, const Value& table, std::size_t index) {
    Marker marker;
    const std::string path = element_path("markers", peek_id(table), index);
    if (!reader.expect_table(table, path)) return marker;
    reader.remember(path, table);
    reader.reject_unknown_keys(table, path, {"id", "label", "questions"});
    marker.id = reader.read_string(table, path, "id").value_or("");
    marker.label = reader.read_string(table, path, "label").value_or("");
    if (const auto* questions = reader.read_array_of_tables(table, path, "questions")) {
        for (std::size_t q = 0; q < questions->size(); ++q) {
            marker.questions.push_back(
                read_question(reader, (*questions)[q], path + ".questions", q));
        }
    }
    return marker;
}

Category read_category(Reader& reader, const Value& table, std::size_t index) {
    Category category;
    const std::string path = element_path("categories", peek_id(table), index);
    if (!reader.expect_table(table, path)) return category;
    reader.remember(path, table);
    reader.reject_unknown_keys(table, path, {"id", "label", "cap_eur", "weights"});
    category.id = reader.read_string(table, path, "id").value_or("");
    category.label = reader.read_string(table, path, "label").value_or("");
    category.cap_eur = reader.read_integer<std::int64_t>(table, path, "cap_eur").value_or(0);
    if (const Value* weights = reader.find(table, path, "weights", true)) {
        const std::string weights_path = path + ".weights";
        if (reader.expect_table(*weights, weights_path)) {
            for (const auto& [marker_id, weight] : weights->as_table()) {
                const std::string weight_path = weights_path + "." + marker_id;
                reader.remember(weight_path, weight);
                if (const auto value = reader.integer_of<int>(weight, weight_path)) {
                    category.marker_weights[marker_id] = *value;
                }
            }
        }
    }
    return category;
}

Gate read_gate(Reader& reader, const Value& root) {
    Gate gate;
    const Value* table = reader.find(root, "", "gate", true);
    if (table == nullptr || !reader.expect_table(*table, "gate")) return gate;
    reader.reject_unknown_keys(*table, "gate",
                               {"min_reviewers", "min_marker_score", "min_overall_score"});
    gate.min_reviewers = reader.read_integer<int>(*table, "gate", "min_reviewers").value_or(0);
    gate.min_marker_score =
        reader.read_integer<int>(*table, "gate", "min_marker_score").value_or(0);
    gate.min_overall_score =
        reader.read_integer<int>(*table, "gate", "min_overall_score").value_or(0);
    return gate;
}

}  // namespace

std::string LoadError::message() const {
    std::string out;
    for (const std::string& line : messages) {
        if (!out.empty()) out += '\n';
        out += line;
    }
    return out;
}

QuestionnaireResult parse_questionnaire_toml(std::string_view text, std::string_view source_name) {
    const std::string source(source_name);
    if (const auto bad = first_invalid_utf8(text)) {
        return LoadError{LoadErrorKind::syntax,
                         {source + ": not valid UTF-8 (byte " + std::to_string(*bad) + ")"}};
    }
    Value root;
    try {
        std::istringstream stream{std::string(text)};
        root = toml::parse<toml::discard_comments, std::map, std::vector>(stream, source);
    } catch (const std::exception& error) {
        // toml11's message already names the file and line, over several lines.
        return LoadError{LoadErrorKind::syntax, {error.what()}};
    }

    Reader reader(source);
    Questionnaire questionnaire;
    reader.reject_unknown_keys(root, "", {"markers", "categories", "gate"});
    if (const auto* markers = reader.read_array_of_tables(root, "", "markers")) {
        for (std::size_t m = 0; m < markers->size(); ++m) {
            questionnaire.markers.push_back(read_marker(reader, (*markers)[m], m));
        }
    }
    if (const auto* categories = reader.read_array_of_tables(root, "", "categories")) {
        for (std::size_t c = 0; c < categories->size(); ++c) {
            questionnaire.categories.push_back(read_category(reader, (*categories)[c], c));
        }
    }
    questionnaire.gate = read_gate(reader, root);
    if (!reader.errors().empty()) return LoadError{LoadErrorKind::schema, reader.errors()};

    LoadError invalid{LoadErrorKind::invalid, {}};
    for (const ConfigIssue& issue : validate(questionnaire)) {
        if (issue.severity == Severity::error) invalid.messages.push_back(reader.locate(issue));
    }
    if (!invalid.messages.empty()) return invalid;
    return questionnaire;
}

void throw_exception_from_error(const LoadError& error,
                                const boost::source_location& /*location*/) {
    throw std::runtime_error(error.message());
}

}  // namespace budget::labelling
