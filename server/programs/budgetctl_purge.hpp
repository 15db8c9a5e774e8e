#pragma once
// `budgetctl purge [--dry-run] [--holders]` (issue 18): the purge of personal data after the
// results are published (storage/purge_store.hpp says what each stage removes and keeps).

#include <iosfwd>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace budget::server::programs {

/// 0 when the purge ran (or the dry run counted), 1 when refused (before publication, the
/// holders' stage before its delay) or when Redis failed, 2 on a usage error.
int run_purge_command(const config::Config& config, const std::vector<std::string>& args,
                      std::ostream& out, std::ostream& err);

}  // namespace budget::server::programs
