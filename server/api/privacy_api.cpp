#include "server/api/privacy_api.hpp"

#include <boost/json.hpp>

#include "config/paris_time.hpp"
#include "server/api/staff_auth.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

// Where the lifetimes that no setting gives come from. If one of these changes, change it here:
// the notice tells residents how long their data live.
// - kRateCounterLifetime, 3,600 s: the hourly windows of the counters of codes sent per address
//   and per network (kCodeWindowSeconds, server/storage/code_store.cpp) and of requests per
//   client address (kAddressWindow in server/api/auth_api.cpp, holder_api.cpp and
//   franceconnect.cpp). Staff login counters live less (kLoginWindow, 15 minutes).
// - kStaffSessionTtl, 28,800 s: a staff session, absolute (server/api/staff_auth.hpp), used as is.
// - kBallotRetryLifetime, 86,400 s: the retry key of a ballot sent with an Idempotency-Key
//   (kRetryTtlSeconds, server/storage/ballot_store.cpp).

namespace {

/// The notice is cached a minute: its facts change only at a restart or at publication.
constexpr const char* kCacheControl = "public, max-age=60";
constexpr std::int64_t kSecondsPerDay = 86'400;

}  // namespace

json::object privacy_json(const config::Config& config, const std::string& published_at) {
    const auto& p = config.privacy;
    json::object out{{"controller", p.controller},
                     {"controller_address", p.controller_address},
                     {"contact_email", p.contact_email},
                     {"dpo_contact", p.dpo_contact},
                     {"publication_director", p.publication_director},
                     {"host", p.host},
                     {"mail_relay", p.mail_relay}};
    out["retention"] = json::object{{"code_s", config.otp.code_ttl.count()},
                                    {"voter_session_s", config.otp.session_ttl.count()},
                                    {"holder_session_s", config.holders.session_ttl.count()},
                                    {"rate_counters_s", kRateCounterLifetime.count()},
                                    {"staff_session_s", kStaffSessionTtl.count()},
                                    {"ballot_retry_s", kBallotRetryLifetime.count()},
                                    {"purge_after_days", p.purge_after_days},
                                    {"holders_retention_days", p.holders_retention_days}};

    const auto& c = config.campaign;
    json::object campaign{{"id", c.id},
                          {"vote_opens", c.vote_opens},
                          {"vote_closes", c.vote_closes},
                          {"published_at", nullptr},
                          {"purge_due", nullptr}};
    if (!published_at.empty()) {
        campaign["published_at"] = published_at;
        // Written by budgetd at publication; a value it cannot read gives no date rather than a
        // wrong one.
        if (const auto at = config::parse_rfc3339(published_at)) {
            campaign["purge_due"] =
                config::format_paris_time(*at + std::int64_t{p.purge_after_days} * kSecondsPerDay);
        }
    }
    out["campaign"] = std::move(campaign);
    return out;
}

PrivacyApi::PrivacyApi(AppContext& ctx) : ctx_(ctx) {}

void PrivacyApi::register_routes(http::Router& router) {
    router.add(http::verb::get, "/api/v1/privacy",
               [this](RequestContext& rc) { return privacy(rc); });
}

asio::awaitable<Response> PrivacyApi::privacy(RequestContext& rc) {
    const auto version = rc.request.version();
    auto published_at = co_await ctx_.stores.results.published_at();
    if (!published_at) co_return fail(Error::storage_unavailable, version);
    auto res =
        http::json_response(http::status::ok, privacy_json(ctx_.config, *published_at), version);
    res.set(http::field::cache_control, kCacheControl);
    co_return res;
}

}  // namespace budget::server::api
