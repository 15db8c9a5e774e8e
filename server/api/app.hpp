#pragma once
// Wires the routes of API.md to thin handlers over the pure modules and the storage.

#include <cstdint>
#include <memory>

#include "server/api/app_context.hpp"
#include "server/api/log_api.hpp"
#include "server/api/results_api.hpp"
#include "server/http/router.hpp"
#include "server/api/staff_api.hpp"
#include "server/api/voter_api.hpp"

namespace budget::server {

/// The phase of the campaign at `now` (seconds since the epoch), given whether results are out.
std::string campaign_phase(const config::CampaignConfig& campaign, std::int64_t now,
                           bool published);

class App {
  public:
    explicit App(AppContext& ctx);

    /// Adds every route to the router.
    void register_routes(Router& router);

  private:
    boost::asio::awaitable<Response> health(RequestContext& ctx);
    boost::asio::awaitable<Response> campaign(RequestContext& ctx);
    boost::asio::awaitable<Response> metrics(RequestContext& ctx);

    AppContext& ctx_;
    const config::Config& config_;
    redis::Client& redis_;
    Metrics& metrics_;
    StaffApi staff_;
    VoterApi voter_;
    ResultsApi results_;
    LogApi log_;

  public:
    /// Background work: the periodic signed tree head.
    void start(boost::asio::io_context& ioc);
};

}  // namespace budget::server
