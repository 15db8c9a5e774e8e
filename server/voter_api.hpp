#pragma once
// Placeholder: filled by its owner.
#include "server/app_context.hpp"
#include "server/router.hpp"

namespace budget::server {

class VoterApi {
public:
    explicit VoterApi(AppContext& ctx) : ctx_(ctx) {}
    void register_routes(Router& router);

private:
    AppContext& ctx_;
};

}  // namespace budget::server
