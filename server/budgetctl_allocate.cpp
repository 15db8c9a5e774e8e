#include "server/budgetctl_allocate.hpp"

#include <ostream>

namespace budget::server {
int run_allocate_command(const std::vector<std::string>&, std::ostream&, std::ostream& err) {
    err << "allocate: not implemented yet\n";
    return 2;
}
}  // namespace budget::server
