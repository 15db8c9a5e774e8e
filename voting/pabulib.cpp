#include "voting/pabulib.hpp"

#include <algorithm>
#include <charconv>
#include <deque>
#include <functional>
#include <istream>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "voting/detail/view_index.hpp"

namespace budget::voting {
namespace {

enum class Section { none, meta, projects, votes };

const char* section_name(Section section) {
    switch (section) {
        case Section::meta:
            return "META";
        case Section::projects:
            return "PROJECTS";
        case Section::votes:
            return "VOTES";
        case Section::none:
            break;
    }
    return "";
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// Whole euros, written "1200" or "1200.0" as pabulib files do; nullopt for anything else.
std::optional<std::int64_t> parse_euros(std::string_view text) {
    text = trim(text);
    const auto dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    if (dot != std::string_view::npos) {
        const std::string_view fraction = text.substr(dot + 1);
        if (!std::all_of(fraction.begin(), fraction.end(), [](char c) { return c == '0'; })) {
            return std::nullopt;
        }
    }
    if (whole.empty() ||
        !std::all_of(whole.begin(), whole.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), value);
    if (ec != std::errc{} || end != whole.data() + whole.size()) return std::nullopt;
    return value;
}

std::optional<std::size_t> parse_count(std::string_view text) {
    const auto value = parse_euros(text);
    if (!value) return std::nullopt;
    return static_cast<std::size_t>(*value);
}

std::optional<std::size_t> column_of(const std::vector<std::string>& header,
                                     std::string_view name) {
    const auto it = std::find_if(header.begin(), header.end(),
                                 [&](const std::string& column) { return trim(column) == name; });
    if (it == header.end()) return std::nullopt;
    return static_cast<std::size_t>(it - header.begin());
}

// Splits the input into records of `;`-separated fields. A quoted field may hold `;`, doubled
// quotes and line breaks, so a record can span several lines; errors name the line. Fields are
// views: into the text itself, or, for the quoted fields that had to be rewritten, into strings
// kept until the reader goes away (so a view taken from a field stays valid while it lives).
class RecordReader {
  public:
    explicit RecordReader(std::string_view text) : text_(text) {}

    // False at the end of input or on error (then error() is set).
    bool next(std::vector<std::string_view>& fields) {
        std::string_view line;
        if (!read_line(line)) return false;
        start_line_ = line_;
        fields.clear();
        std::size_t i = 0;
        while (true) {
            if (i < line.size() && line[i] == '"') {
                ++i;
                std::string& field = rewritten_.emplace_back();
                while (true) {
                    if (i >= line.size()) {
                        if (!read_line(line)) {
                            error_ = PabulibError{start_line_, "quoted field is never closed"};
                            return false;
                        }
                        field.push_back('\n');
                        i = 0;
                        continue;
                    }
                    const auto quote = std::min(line.find('"', i), line.size());
                    field.append(line.substr(i, quote - i));
                    i = quote;
                    if (i >= line.size()) continue;
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field.push_back('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                if (i < line.size() && line[i] != ';') {
                    error_ = PabulibError{line_, "unexpected text after a closing quote"};
                    return false;
                }
                fields.emplace_back(field);
            } else {
                const auto end = std::min(line.find(';', i), line.size());
                fields.push_back(line.substr(i, end - i));
                i = end;
            }
            if (i >= line.size()) break;
            ++i;  // past the `;`
        }
        return true;
    }

    std::size_t start_line() const { return start_line_; }
    std::size_t last_line() const { return line_; }
    const std::optional<PabulibError>& error() const { return error_; }

  private:
    // Lines as std::getline gives them: split at '\n', a last line without one included.
    bool read_line(std::string_view& line) {
        if (position_ >= text_.size()) return false;
        const auto end = std::min(text_.find('\n', position_), text_.size());
        line = text_.substr(position_, end - position_);
        position_ = end + 1;
        ++line_;
        while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
        return true;
    }

    std::string_view text_;
    std::size_t position_ = 0;
    std::size_t line_ = 0;
    std::size_t start_line_ = 0;
    std::optional<PabulibError> error_;
    std::deque<std::string> rewritten_;  // stable addresses: fields point into them
};

// The value of an id written as a plain decimal number (no sign, no leading zero, at most nine
// digits), or nullopt. Two different strings never have the same value, so ids that are plain
// numbers can be indexed by value and the others by text without ever mixing them up.
std::optional<std::size_t> canonical_number(std::string_view id) {
    if (id.empty() || id.size() > 9 || (id.size() > 1 && id.front() == '0')) return std::nullopt;
    std::size_t value = 0;
    for (const char c : id) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    return value;
}

// The voter ids met so far. Most files number their voters 1, 2, 3...: those ids are marked in
// a bitmap, a few kilobytes that stay in the cache; any other id (leading zero, letters, too
// large) goes to a hash index.
class VoterIds {
  public:
    // False when the id was already met.
    bool insert(std::string_view id) {
        if (const auto number = canonical_number(id); number && *number < kBitmapLimit) {
            const std::size_t word = *number / 64;
            if (word >= bits_.size()) bits_.resize(std::max(word + 1, bits_.size() * 2), 0);
            const std::uint64_t bit = std::uint64_t{1} << (*number % 64);
            const bool fresh = (bits_[word] & bit) == 0;
            bits_[word] |= bit;
            return fresh;
        }
        return others_.try_emplace(id, 0).second;
    }

    void reserve(std::size_t expected) { bits_.reserve(expected / 32 + 1); }

  private:
    // The bitmap never exceeds 2 MB, whatever a file says.
    static constexpr std::size_t kBitmapLimit = std::size_t{1} << 24;

    std::vector<std::uint64_t> bits_;
    detail::ViewIndex others_;
};

// Project ids looked up by views of the vote field, without building a string for each.
struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
        return std::hash<std::string_view>{}(text);
    }
};

// Project ids and their places in the file. Every vote names projects by id, hundreds of
// thousands of times in a large election: ids that are plain numbers (most files) are found in
// a table by value, the others by hashing their text.
class ProjectIds {
  public:
    // False when the id is already there.
    bool insert(const std::string& id, std::size_t index) {
        if (!by_text_.emplace(id, index).second) return false;
        if (const auto number = canonical_number(id); number && *number < kTableLimit) {
            if (*number >= by_number_.size()) by_number_.resize(*number + 1, 0);
            by_number_[*number] = static_cast<std::uint32_t>(index + 1);
        }
        return true;
    }

    std::optional<std::size_t> find(std::string_view id) const {
        if (const auto number = canonical_number(id); number && *number < kTableLimit) {
            // A project with this very id would be in the table.
            if (*number >= by_number_.size() || by_number_[*number] == 0) return std::nullopt;
            return by_number_[*number] - 1;
        }
        const auto it = by_text_.find(id);
        if (it == by_text_.end()) return std::nullopt;
        return it->second;
    }

  private:
    // The table never exceeds 4 MB, whatever a file says.
    static constexpr std::size_t kTableLimit = std::size_t{1} << 20;

    std::unordered_map<std::string, std::size_t, TransparentHash, std::equal_to<>> by_text_;
    std::vector<std::uint32_t> by_number_;  // index + 1; 0 where no project has that number
};

std::optional<Section> section_marker(const std::vector<std::string_view>& fields) {
    if (fields.size() != 1) return std::nullopt;
    const std::string_view name = trim(fields[0]);
    if (name == "META") return Section::meta;
    if (name == "PROJECTS") return Section::projects;
    if (name == "VOTES") return Section::votes;
    return std::nullopt;
}

std::vector<std::string> columns_except(const std::vector<std::string>& header, std::size_t a,
                                        std::size_t b) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (i != a && i != b) out.push_back(header[i]);
    }
    return out;
}

std::vector<std::string> fields_except(const std::vector<std::string_view>& fields, std::size_t a,
                                       std::size_t b) {
    std::vector<std::string> out;
    out.reserve(fields.size() >= 2 ? fields.size() - 2 : 0);
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i != a && i != b) out.emplace_back(fields[i]);
    }
    return out;
}

struct MetaCount {
    std::size_t line = 0;
    std::size_t value = 0;
};

void write_field(std::ostream& out, std::string_view field) {
    const bool needs_quotes = field.find_first_of(";\"\r\n") != std::string_view::npos ||
                              (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    if (!needs_quotes) {
        out << field;
        return;
    }
    out << '"';
    for (const char c : field) {
        if (c == '"') out << '"';
        out << c;
    }
    out << '"';
}

void write_row(std::ostream& out, std::string_view first, std::string_view second,
               const std::vector<std::string>& rest) {
    write_field(out, first);
    out << ';';
    write_field(out, second);
    for (const std::string& field : rest) {
        out << ';';
        write_field(out, field);
    }
    out << '\n';
}

}  // namespace

std::string PabulibError::what() const {
    if (line == 0) return message;
    return "line " + std::to_string(line) + ": " + message;
}

void throw_exception_from_error(const PabulibError& error, const boost::source_location&) {
    throw std::runtime_error(error.what());
}

boost::system::result<PabulibInstance, PabulibError> read_pabulib(std::istream& in) {
    std::string text;
    char chunk[1 << 16];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        text.append(chunk, static_cast<std::size_t>(in.gcount()));
    }
    return read_pabulib(std::string_view(text));
}

boost::system::result<PabulibInstance, PabulibError> read_pabulib(std::string_view text,
                                                                  PabulibDetail detail) {
    const bool everything = detail == PabulibDetail::everything;
    PabulibInstance instance;
    RecordReader reader(text);
    std::vector<std::string_view> fields;
    Section section = Section::none;
    std::vector<Section> seen;
    std::vector<std::string> header;
    bool expect_header = false;
    std::size_t id_column = 0;
    std::size_t value_column = 0;  // cost in PROJECTS, vote in VOTES
    std::optional<std::int64_t> budget;
    std::optional<MetaCount> num_projects;
    std::optional<MetaCount> num_votes;
    ProjectIds project_index;
    // Views into the text or the reader's rewritten fields, both alive until the end.
    VoterIds voter_seen;
    // Per project, the last ballot that named it.
    constexpr std::size_t kNoBallot = static_cast<std::size_t>(-1);
    std::vector<std::size_t> last_ballot;

    while (reader.next(fields)) {
        const std::size_t line = reader.start_line();
        if (fields.size() == 1 && trim(fields[0]).empty()) continue;  // blank line
        if (const auto marker = section_marker(fields)) {
            if (std::find(seen.begin(), seen.end(), *marker) != seen.end()) {
                return PabulibError{line, std::string(section_name(*marker)) + " appears twice"};
            }
            if (*marker == Section::votes &&
                std::find(seen.begin(), seen.end(), Section::projects) == seen.end()) {
                return PabulibError{line, "VOTES comes before PROJECTS"};
            }
            seen.push_back(*marker);
            section = *marker;
            expect_header = true;
            continue;
        }
        if (section == Section::none) {
            return PabulibError{line, "expected a META, PROJECTS or VOTES section line"};
        }
        if (expect_header) {
            expect_header = false;
            header.assign(fields.begin(), fields.end());
            if (section == Section::meta) {
                if (header.size() != 2) {
                    return PabulibError{line,
                                        "META header must have 2 fields (key;value), it has " +
                                            std::to_string(header.size())};
                }
            } else {
                const char* id_name = section == Section::projects ? "project_id" : "voter_id";
                const char* value_name = section == Section::projects ? "cost" : "vote";
                const auto id = column_of(header, id_name);
                const auto value = column_of(header, value_name);
                if (!id || !value) {
                    return PabulibError{line, std::string(section_name(section)) +
                                                  " header lacks the " +
                                                  (id ? value_name : id_name) + " column"};
                }
                id_column = *id;
                value_column = *value;
                if (section == Section::projects) {
                    instance.project_columns = columns_except(header, id_column, value_column);
                } else {
                    instance.voter_columns = columns_except(header, id_column, value_column);
                }
            }
            continue;
        }
        if (fields.size() != header.size()) {
            return PabulibError{line, std::string(section_name(section)) + " row has " +
                                          std::to_string(fields.size()) + " fields, header has " +
                                          std::to_string(header.size())};
        }
        switch (section) {
            case Section::meta: {
                const std::string key(trim(fields[0]));
                const std::string_view value = trim(fields[1]);
                if (key == "budget") {
                    budget = parse_euros(value);
                    if (!budget) {
                        return PabulibError{line, "budget \"" + std::string(fields[1]) +
                                                      "\" is not a whole number of euros"};
                    }
                } else if (key == "vote_type" && value != "approval") {
                    return PabulibError{line, "vote_type is \"" + std::string(fields[1]) +
                                                  "\"; only approval elections are supported"};
                } else if (key == "num_projects" || key == "num_votes") {
                    const auto count = parse_count(value);
                    if (!count) return PabulibError{line, key + " is not a whole number"};
                    (key == "num_projects" ? num_projects : num_votes) = MetaCount{line, *count};
                    // Each vote row takes two bytes at least: a bound on what the count may
                    // make us reserve.
                    if (key == "num_votes") voter_seen.reserve(std::min(*count, text.size() / 2));
                }
                instance.meta.emplace_back(key, fields[1]);
                break;
            }
            case Section::projects: {
                const std::string id(trim(fields[id_column]));
                if (id.empty()) return PabulibError{line, "project_id is empty"};
                const auto cost = parse_euros(fields[value_column]);
                if (!cost) {
                    return PabulibError{line, "cost \"" + std::string(fields[value_column]) +
                                                  "\" is not a whole number of euros"};
                }
                if (!project_index.insert(id, instance.projects.size())) {
                    return PabulibError{line, "project " + id + " appears twice"};
                }
                instance.projects.push_back(Project{id, *cost, {}});
                if (everything) {
                    instance.project_fields.push_back(
                        fields_except(fields, id_column, value_column));
                }
                break;
            }
            case Section::votes: {
                const std::string_view voter = trim(fields[id_column]);
                if (!voter_seen.insert(voter)) {
                    return PabulibError{line, "voter " + std::string(voter) + " appears twice"};
                }
                ApprovalBallot ballot;
                std::string_view vote = fields[value_column];
                while (!vote.empty()) {
                    const auto comma = std::min(vote.find(','), vote.size());
                    const std::string_view token = trim(vote.substr(0, comma));
                    vote.remove_prefix(std::min(comma + 1, vote.size()));
                    if (token.empty()) continue;  // tolerate "1,2," as some files have
                    const auto project = project_index.find(token);
                    if (!project) {
                        return PabulibError{line,
                                            "vote names unknown project " + std::string(token)};
                    }
                    // Marked with the ballot's number: no search through long ballots.
                    if (last_ballot.size() < instance.projects.size()) {
                        last_ballot.resize(instance.projects.size(), kNoBallot);
                    }
                    if (last_ballot[*project] == instance.ballots.size()) {
                        return PabulibError{line,
                                            "vote names project " + std::string(token) + " twice"};
                    }
                    last_ballot[*project] = instance.ballots.size();
                    ballot.push_back(*project);
                }
                instance.ballots.push_back(std::move(ballot));
                if (everything) {
                    instance.voter_ids.emplace_back(voter);
                    instance.voter_fields.push_back(fields_except(fields, id_column, value_column));
                }
                break;
            }
            case Section::none:
                break;
        }
    }
    if (reader.error()) return *reader.error();
    if (expect_header) {
        return PabulibError{reader.last_line(),
                            std::string(section_name(section)) + " has no header line"};
    }
    for (const Section required : {Section::meta, Section::projects, Section::votes}) {
        if (std::find(seen.begin(), seen.end(), required) == seen.end()) {
            return PabulibError{0, std::string("missing ") + section_name(required) + " section"};
        }
    }
    if (!budget) return PabulibError{0, "META has no budget"};
    instance.budget = *budget;
    if (num_projects && num_projects->value != instance.projects.size()) {
        return PabulibError{num_projects->line,
                            "num_projects is " + std::to_string(num_projects->value) +
                                " but PROJECTS has " + std::to_string(instance.projects.size()) +
                                " rows"};
    }
    if (num_votes && num_votes->value != instance.ballots.size()) {
        return PabulibError{num_votes->line, "num_votes is " + std::to_string(num_votes->value) +
                                                 " but VOTES has " +
                                                 std::to_string(instance.ballots.size()) + " rows"};
    }
    return instance;
}

void write_pabulib(std::ostream& out, const PabulibInstance& instance) {
    // Keys that restate the typed fields are rewritten from them unless they already agree, so a
    // file read and written back keeps its exact META text.
    const std::vector<std::pair<std::string, std::string>> derived = {
        {"budget", std::to_string(instance.budget)},
        {"num_projects", std::to_string(instance.projects.size())},
        {"num_votes", std::to_string(instance.ballots.size())},
        {"vote_type", "approval"},
    };
    out << "META\nkey;value\n";
    std::vector<bool> written(derived.size(), false);
    for (const auto& [key, value] : instance.meta) {
        // An init-capture: clang before 16 cannot capture a structured binding.
        const auto it =
            std::find_if(derived.begin(), derived.end(),
                         [&key = key](const auto& entry) { return entry.first == key; });
        if (it == derived.end()) {
            write_row(out, key, value, {});
            continue;
        }
        written[static_cast<std::size_t>(it - derived.begin())] = true;
        const bool agrees = key == "vote_type" ? trim(value) == it->second
                                               : parse_euros(value) == parse_euros(it->second);
        write_row(out, key, agrees ? value : it->second, {});
    }
    for (std::size_t i = 0; i < derived.size(); ++i) {
        if (!written[i]) write_row(out, derived[i].first, derived[i].second, {});
    }

    out << "PROJECTS\n";
    write_row(out, "project_id", "cost", instance.project_columns);
    for (std::size_t p = 0; p < instance.projects.size(); ++p) {
        std::vector<std::string> rest(instance.project_columns.size());
        if (p < instance.project_fields.size()) {
            std::copy_n(instance.project_fields[p].begin(),
                        std::min(rest.size(), instance.project_fields[p].size()), rest.begin());
        }
        write_row(out, instance.projects[p].id, std::to_string(instance.projects[p].cost), rest);
    }

    out << "VOTES\n";
    write_row(out, "voter_id", "vote", instance.voter_columns);
    for (std::size_t v = 0; v < instance.ballots.size(); ++v) {
        std::string vote;
        for (const std::size_t p : instance.ballots[v]) {
            if (!vote.empty()) vote.push_back(',');
            vote += instance.projects.at(p).id;
        }
        std::vector<std::string> rest(instance.voter_columns.size());
        if (v < instance.voter_fields.size()) {
            std::copy_n(instance.voter_fields[v].begin(),
                        std::min(rest.size(), instance.voter_fields[v].size()), rest.begin());
        }
        const std::string id =
            v < instance.voter_ids.size() ? instance.voter_ids[v] : std::to_string(v + 1);
        write_row(out, id, vote, rest);
    }
}

}  // namespace budget::voting
