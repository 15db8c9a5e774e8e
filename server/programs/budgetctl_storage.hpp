#pragma once
// `budgetctl storage ...`: what an operator (or a benchmark) may need to see of the storage
// without spelling a Redis key: the campaign's keys, each shard's ledger, the ballot script, and
// sealing a ballot document given whole for load tests that skip the labelling.

#include <iosfwd>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace budget::server::programs {

int run_storage_command(const config::Config& config, const std::vector<std::string>& args,
                        std::ostream& out, std::ostream& err);

}  // namespace budget::server::programs
