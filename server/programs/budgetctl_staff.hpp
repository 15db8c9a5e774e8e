#pragma once
// budgetctl commands of the labelling: `user add` and `initiatives import`, through the same
// stores as budgetd (storage::StaffStore, storage::LabellingStore, storage::AuditLog) run on a
// redis::BlockingClient.

#include <iosfwd>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace budget::server::programs {

/// `user add --role committee|mission --username U [--replace]`, the password on stdin (one
/// line; prompted without echo on a terminal). Exit code 0 on success, 1 on failure, 2 on misuse.
int run_user_command(const config::Config& config, const std::vector<std::string>& args,
                     std::istream& in, std::ostream& out, std::ostream& err);

/// `initiatives import FILE.json`: one initiative, a list, or {"initiatives":[...]}; validated
/// like `POST /api/v1/admin/initiatives` and written all-or-nothing.
int run_initiatives_command(const config::Config& config, const std::vector<std::string>& args,
                            std::ostream& out, std::ostream& err);

}  // namespace budget::server::programs
