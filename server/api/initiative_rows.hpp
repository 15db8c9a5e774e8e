#pragma once
// Initiatives as the Mission ESS submits them (docs/api.md, "Shapes"): the pure validation
// shared by `POST /api/v1/admin/initiatives` and `budgetctl initiatives import`, producing the
// records the labelling store keeps (storage/initiative_record.hpp).

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/communes.hpp"
#include "labelling/questionnaire.hpp"
#include "server/storage/initiative_record.hpp"

namespace budget::server::api {

/// Everything wrong with one submitted row; `index` is its position in the batch (from 0).
struct InitiativeRowError {
    std::size_t index = 0;
    std::string id;                   ///< the id as submitted, empty when absent or not a string
    std::vector<std::string> errors;  ///< French sentences
};

/// A validated batch: either every row as a record (errors empty), or every problem found.
struct InitiativeBatch {
    std::vector<storage::InitiativeRecord> records;
    std::vector<InitiativeRowError> errors;
    /// Set when the body itself has the wrong shape (no row could be read).
    std::string shape_error;

    bool ok() const { return errors.empty() && shape_error.empty(); }
};

inline constexpr std::size_t kMaxInitiativeIdLength = 64;
inline constexpr std::size_t kMaxTitleChars = 200;
inline constexpr std::size_t kMaxSummaryChars = 3000;
inline constexpr std::size_t kMaxHolderChars = 200;
inline constexpr std::size_t kMaxBatchRows = 500;

/// Code points of well-formed UTF-8 text without control characters (newlines, tabs and carriage
/// returns allowed when `multiline`); std::nullopt otherwise.
std::optional<std::size_t> clean_text_length(std::string_view text, bool multiline);

/// `text` without leading and trailing white space.
std::string trim_text(std::string_view text);

/// True for `[a-z0-9-]{1,64}`.
bool is_valid_initiative_id(std::string_view id);

/// The largest subsidy cap among the categories: no initiative may ask for more.
std::int64_t largest_category_cap(const labelling::Questionnaire& questionnaire);

/// The rows of a submission: one initiative object, `{"initiatives":[...]}`, or, when
/// `allow_bare_array` (import files), a bare array of initiatives.
struct RowsOrShapeError {
    std::vector<boost::json::value> rows;
    std::string shape_error;  ///< French; empty when rows were found
};
RowsOrShapeError initiative_rows(const boost::json::value& body, bool allow_bare_array);

/// Validates every row (fields, INSEE code of the département, amount within the largest cap,
/// no id twice in the batch). All-or-nothing: one bad row rejects the batch, and every problem
/// of every row is reported so that the file can be fixed in one go.
InitiativeBatch validate_initiatives(const std::vector<boost::json::value>& rows,
                                     const config::CommuneDirectory& communes,
                                     std::int64_t max_requested_eur);

/// Shape check and validation in one step.
InitiativeBatch validate_initiative_submission(const boost::json::value& body,
                                               const config::CommuneDirectory& communes,
                                               std::int64_t max_requested_eur,
                                               bool allow_bare_array);

/// Row errors for ids that already exist in storage (found by the import script).
std::vector<InitiativeRowError> existing_id_errors(
    const std::vector<storage::InitiativeRecord>& records,
    const std::vector<std::string>& existing_ids);

/// `{"rows":[{"index","id","errors":[...]}]}` entries of a 422 answer.
boost::json::array row_errors_json(const std::vector<InitiativeRowError>& errors);
/// One line per problem, for the command line.
std::string row_errors_text(const std::vector<InitiativeRowError>& errors);

}  // namespace budget::server::api
