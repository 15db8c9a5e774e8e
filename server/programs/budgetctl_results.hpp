#pragma once
// budgetctl's commands after the vote: tally, verify and the pabulib export. The tally and the
// export go through the tally service, the very path of POST /api/v1/admin/tally.

#include <iosfwd>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace budget::server::programs {

/// `tally --rule RULE [--out DIR]`: counts the closed log, signs, stores the draft results like
/// POST /api/v1/admin/tally, and writes results.json, ballots.json and results.csv into DIR.
int run_tally_command(const config::Config& config, const std::vector<std::string>& args,
                      std::ostream& out, std::ostream& err);

/// `verify RESULTS.json --ballots EXPORT.json (--public-key BASE64 | --fingerprint HEX)`: no
/// configuration needed; without the expected key it refuses to run (exit 2).
int run_verify_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// `close [--reason TEXT]`: closes the vote now, before the configured end if need be: the close
/// is recorded in every ballot shard (the ballot script refuses from then on, whatever a server's
/// clock says) and in the audit log. Idempotent; refused before the opening.
int run_close_command(const config::Config& config, const std::vector<std::string>& args,
                      std::ostream& out, std::ostream& err);

/// `pabulib export FILE.pb`: the closed campaign as an anonymous pabulib approval instance.
int run_pabulib_command(const config::Config& config, const std::vector<std::string>& args,
                        std::ostream& out, std::ostream& err);

}  // namespace budget::server::programs
