#pragma once
// Reading and writing pabulib (.pb) approval elections: the META, PROJECTS and VOTES sections,
// `;`-separated with a header line each, fields optionally double-quoted.

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "voting/allocation.hpp"
#include "voting/counts.hpp"

namespace budget::voting {

/// An approval election in pabulib form. The typed fields are what the rules use; the other
/// columns are kept so that a file read and written back keeps them.
struct PabulibInstance {
    /// META key/value pairs in file order. The writer replaces budget, num_projects, num_votes
    /// and vote_type with the typed values below.
    std::vector<std::pair<std::string, std::string>> meta;
    std::int64_t budget = 0;

    /// Projects in file order (id and cost; territory is left empty).
    std::vector<Project> projects;
    /// PROJECTS columns other than project_id and cost, and their values per project.
    std::vector<std::string> project_columns;
    std::vector<std::vector<std::string>> project_fields;

    /// Voters in file order, with their approvals as indices into `projects`.
    std::vector<std::string> voter_ids;
    std::vector<ApprovalBallot> ballots;
    /// VOTES columns other than voter_id and vote, and their values per voter.
    std::vector<std::string> voter_columns;
    std::vector<std::vector<std::string>> voter_fields;

    bool operator==(const PabulibInstance&) const = default;
};

/// Why a pabulib file was refused: the 1-based line (0 when not tied to one) and a message.
struct PabulibError {
    std::size_t line = 0;
    std::string message;

    /// "line 42: <message>", or just the message when there is no line.
    std::string what() const;
};

/// Lets boost::system::result<T, PabulibError>::value() throw std::runtime_error.
[[noreturn]] void throw_exception_from_error(const PabulibError& error,
                                             const boost::source_location& location);

/// Reads an approval election; refuses malformed files with the offending line.
boost::system::result<PabulibInstance, PabulibError> read_pabulib(std::istream& in);

/// What read_pabulib keeps of a file.
enum class PabulibDetail {
    everything,  ///< every column and voter id: written back, the file keeps all it said
    rules_only,  ///< what the allocation rules use: no voter ids, no extra project or voter fields
};

/// The same, from the whole text of a file. Both levels of detail check the file alike.
boost::system::result<PabulibInstance, PabulibError> read_pabulib(
    std::string_view text, PabulibDetail detail = PabulibDetail::everything);

/// Writes the election in pabulib form (UTF-8, `\n` line ends, quoting fields that need it).
void write_pabulib(std::ostream& out, const PabulibInstance& instance);

}  // namespace budget::voting
