#include "server/staff_api.hpp"

namespace budget::server {

void StaffApi::register_routes(Router&) { (void)ctx_; }

}  // namespace budget::server
