#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "labelling/questionnaire.hpp"

namespace budget::labelling {

enum class LoadErrorKind {
    syntax,   ///< not valid TOML
    schema,   ///< unknown key, missing key or wrong type
    invalid,  ///< well-formed but validate() found errors
};

/// Why a questionnaire could not be loaded; each message names the source, line and key.
struct LoadError {
    LoadErrorKind kind = LoadErrorKind::invalid;
    std::vector<std::string> messages;

    /// All messages, one per line.
    std::string message() const;
};

using QuestionnaireResult = boost::system::result<Questionnaire, LoadError>;

/// Parses and validates a questionnaire. Unknown keys are rejected; warnings from validate()
/// do not fail the load (call validate() on the result to log them).
QuestionnaireResult parse_questionnaire_toml(std::string_view text, std::string_view source_name);

/// Lets `QuestionnaireResult::value()` throw std::runtime_error(error.message()) at start-up.
[[noreturn]] void throw_exception_from_error(const LoadError& error,
                                             const boost::source_location& location);

}  // namespace budget::labelling
