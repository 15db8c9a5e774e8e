#include "server/app.hpp"

#include <boost/json.hpp>
#include <chrono>

#include "config/paris_time.hpp"
#include "server/api_error.hpp"
#include "server/redis_keys.hpp"

namespace budget::server {

namespace asio = boost::asio;
namespace json = boost::json;

std::string campaign_phase(const config::CampaignConfig& campaign, std::int64_t now,
                           bool published) {
    if (published) return "published";
    if (now < campaign.vote_opens_unix) return "labelling";
    if (now <= campaign.vote_closes_unix) return "voting";
    return "closed";
}

App::App(AppContext& ctx)
    : ctx_(ctx),
      config_(ctx.config),
      redis_(ctx.redis),
      metrics_(ctx.metrics),
      staff_(ctx),
      voter_(ctx),
      results_(ctx,
               [this](RequestContext& rc, bool write) -> asio::awaitable<std::optional<Response>> {
                   auto who = co_await staff_.authorize(rc, StaffApi::Access::mission, write);
                   if (auto* refused = std::get_if<Response>(&who)) co_return std::move(*refused);
                   co_return std::nullopt;
               }),
      log_(ctx) {}

void App::start(asio::io_context& ioc) { log_.start(ioc, ctx_.config.campaign.tree_head_interval); }

void App::register_routes(Router& router) {
    auto bind = [this](auto method) {
        return [this, method](RequestContext& ctx) { return (this->*method)(ctx); };
    };
    router.add(http::verb::get, "/api/v1/health", bind(&App::health));
    router.add(http::verb::get, "/api/v1/campaign", bind(&App::campaign));
    router.add(http::verb::get, "/metrics", bind(&App::metrics));
    staff_.register_routes(router);
    voter_.register_routes(router);
    results_.register_routes(router);
    log_.register_routes(router);
}

asio::awaitable<Response> App::health(RequestContext& ctx) {
    const auto version = ctx.request.version();
    if (redis_.connected()) {
        // GCC 12 rejects braced lists inside co_await: name the values first.
        std::vector<std::string> ping{"PING"};
        auto pong = co_await redis_.command(std::move(ping));
        if (pong && !pong->is_error()) {
            json::object ok{{"status", "ok"}};
            co_return json_response(http::status::ok, ok, version);
        }
    }
    auto res = error_response(ApiError::storage_unavailable, version);
    co_return res;
}

asio::awaitable<Response> App::campaign(RequestContext& ctx) {
    const auto& c = config_.campaign;
    const auto now = config::unix_now();
    bool published = false;
    if (now > c.vote_closes_unix) {
        // Only after the close can results exist; before, the clock alone decides.
        std::vector<std::string> exists{"EXISTS", keys::published(c.id)};
        auto reply = co_await redis_.command(std::move(exists));
        if (!reply) co_return error_response(ApiError::storage_unavailable, ctx.request.version());
        published = reply->integer == 1;
    }
    json::object body{{"id", c.id},
                      {"title", c.title},
                      {"phase", campaign_phase(c, now, published)},
                      {"vote_opens", c.vote_opens},
                      {"vote_closes", c.vote_closes},
                      {"max_choices", c.max_choices},
                      {"min_age", c.min_age},
                      {"envelope_eur", c.envelope_eur},
                      {"server_time", config::format_paris_time(now)}};
    co_return json_response(http::status::ok, body, ctx.request.version());
}

asio::awaitable<Response> App::metrics(RequestContext& ctx) {
    metrics_.set_redis_up(redis_.connected());
    co_return text_response(http::status::ok, metrics_.render(),
                            "text/plain; version=0.0.4; charset=utf-8", ctx.request.version());
}

}  // namespace budget::server
