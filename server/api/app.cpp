#include "server/api/app.hpp"

#include <boost/json.hpp>

#include "config/paris_time.hpp"
#include "server/api/application_views.hpp"
#include "server/api/franceconnect.hpp"
#include "voting/phase.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

App::App(AppContext& ctx)
    : ctx_(ctx),
      staff_guard_(ctx),
      auth_(ctx),
      ballots_(ctx),
      staff_sessions_(ctx, staff_guard_),
      labelling_(ctx, staff_guard_),
      public_ballot_(ctx),
      results_(ctx,
               [this](RequestContext& rc, bool write) -> asio::awaitable<std::optional<Response>> {
                   auto who = co_await staff_guard_.authorize(rc, StaffAccess::mission, write);
                   if (auto* refused = std::get_if<Response>(&who)) co_return std::move(*refused);
                   co_return std::nullopt;
               }),
      log_service_(ctx),
      log_(ctx, log_service_),
      holders_(ctx),
      applications_(ctx, staff_guard_),
      notifier_(ctx),
      purge_schedule_(ctx),
      privacy_(ctx),
      my_data_(ctx) {}

void App::start(asio::io_context& ioc, const std::string& public_origin) {
    log_service_.start(ioc, ctx_.config.campaign.tree_head_interval);
    watch_close(ioc, ctx_.stores.campaign, ctx_.config.redis.ballot_shards);
    notifier_.start(ioc, public_origin);
    purge_schedule_.start(ioc);  // issue 18
}

void App::register_routes(http::Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& rc) { return (this->*method)(rc); };
    };
    router.add(http::verb::get, "/api/v1/health", bind(&App::health));
    router.add(http::verb::get, "/api/v1/campaign", bind(&App::campaign));
    router.add(http::verb::get, "/metrics", bind(&App::metrics));
    auth_.register_routes(router);
    ballots_.register_routes(router);
    staff_sessions_.register_routes(router);
    labelling_.register_routes(router);
    public_ballot_.register_routes(router);
    results_.register_routes(router);
    log_.register_routes(router);
    holders_.register_routes(router);
    applications_.register_routes(router);
    privacy_.register_routes(router);
    my_data_.register_routes(router);  // issue 18
    if (ctx_.config.identity.offers("franceconnect"))
        franceconnect::register_franceconnect(ctx_, router);
}

asio::awaitable<Response> App::health(RequestContext& rc) {
    const auto version = rc.request.version();
    if (co_await ctx_.stores.ping()) {
        json::object ok{{"status", "ok"}};
        co_return http::json_response(http::status::ok, ok, version);
    }
    co_return fail(Error::storage_unavailable, version);
}

asio::awaitable<Response> App::campaign(RequestContext& rc) {
    const auto& c = ctx_.config.campaign;
    const auto phase = co_await ctx_.stores.campaign.phase();
    if (!phase) co_return fail(Error::storage_unavailable, rc.request.version());
    json::object body{{"id", c.id},
                      {"title", c.title},
                      {"phase", voting::to_string(*phase)},
                      {"vote_opens", c.vote_opens},
                      {"vote_closes", c.vote_closes},
                      {"max_choices", c.max_choices},
                      {"min_age", c.min_age},
                      {"envelope_eur", c.envelope_eur},
                      {"server_time", config::format_paris_time(ctx_.clock.now())}};
    // The call for initiatives (issue 17): the home page shows it, holders apply during it.
    body["call"] = call_json(c, ctx_.clock.now());
    // The ways in the vote page offers, and those left to adults ([identity]).
    const auto& identity = ctx_.config.identity;
    body["identity"] =
        json::object{{"methods", json::array(identity.methods.begin(), identity.methods.end())},
                     {"adult_methods",
                      json::array(identity.adult_methods.begin(), identity.adult_methods.end())}};
    co_return http::json_response(http::status::ok, body, rc.request.version());
}

asio::awaitable<Response> App::metrics(RequestContext& rc) {
    ctx_.metrics.set_redis_up(ctx_.stores.connected());
    co_return http::text_response(http::status::ok, ctx_.metrics.render(),
                                  "text/plain; version=0.0.4; charset=utf-8", rc.request.version());
}

}  // namespace budget::server::api
