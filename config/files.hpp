#pragma once
// Reading the files the programs are given (configuration, questionnaire, pabulib elections).
// The parsers in labelling/ and voting/ take text, so that they stay pure and can be tested and
// fuzzed without a file system; the programs read the file here and hand its text over.

#include <optional>
#include <string>

namespace budget::config {

/// The whole content of the file at `path`, bytes unchanged; std::nullopt when it cannot be
/// opened. Callers name the path in their own message, as each program words it differently.
std::optional<std::string> read_text_file(const std::string& path);

}  // namespace budget::config
