#pragma once
// `budgetctl allocate --rule R --pabulib FILE.pb` (no config needed). Implemented by the voting
// module's owner; budgetctl's main dispatches to it.
#include <iosfwd>
#include <string>
#include <vector>

namespace budget::server {
/// Runs `allocate` with the arguments after the word "allocate"; returns the process exit code.
int run_allocate_command(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err);
}  // namespace budget::server
