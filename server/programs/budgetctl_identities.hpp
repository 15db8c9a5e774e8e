#pragma once
// budgetctl commands of the duplicate audit (issue 15, docs/verifiability.md): the audit key pair,
// and the audit itself, run by the Mission on its own machine with the secret key that budgetd
// never holds.

#include <iosfwd>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace budget::server::programs {

/// `keys identity-audit --secret-key FILE`: a new audit key pair, the public key to [identity]
/// audit_public_key, the secret key to FILE (0600); refuses to replace either. Prints the public
/// key's fingerprint. Exit code 0 on success, 1 on failure, 2 on misuse.
int run_audit_keys_command(const config::Config& config, const std::vector<std::string>& args,
                           std::ostream& out, std::ostream& err);

/// `identities audit --secret-key FILE [--json] [--network-threshold N]`: opens every sealed
/// record of the campaign and lists the likely duplicates (voting::find_duplicates) with the rule
/// each matched. Records that cannot be opened are counted and reported, and make the exit
/// code 1 (after the listing); 0 otherwise, 2 on misuse.
int run_identities_command(const config::Config& config, const std::vector<std::string>& args,
                           std::ostream& out, std::ostream& err);

}  // namespace budget::server::programs
