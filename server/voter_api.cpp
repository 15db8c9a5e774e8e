#include "server/voter_api.hpp"

namespace budget::server {

void VoterApi::register_routes(Router&) { (void)ctx_; }

}  // namespace budget::server
