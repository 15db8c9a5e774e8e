#pragma once
// The facts of the notice pages "Données personnelles" and "Mentions légales" (issue 18):
// `GET /api/v1/privacy`, public. The controller's facts come from [privacy], the retention of
// each datum from the settings and constants that set it, the campaign's dates from [campaign]
// and the publication recorded in Redis; the pages word them (web/js/pages/privacy.js).

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <string>

#include "config/config.hpp"
#include "server/api/app_context.hpp"
#include "server/api/errors.hpp"
#include "server/http/router.hpp"

namespace budget::server::api {

/// Lifetimes that no setting gives: each is the constant of the code that sets the TTL, restated
/// here because that constant is private to its file (privacy_api.cpp says where).
inline constexpr std::chrono::seconds kRateCounterLifetime{3600};
inline constexpr std::chrono::seconds kBallotRetryLifetime{86'400};

/// The body of `GET /api/v1/privacy` (docs/api.md): the [privacy] texts ("" when unset), the
/// retention figures in seconds or days, and the campaign with `published_at` (RFC 3339, as
/// recorded; "" before publication gives null) and `purge_due` (published_at + purge_after_days,
/// in Paris time; null before publication or when published_at cannot be read).
boost::json::object privacy_json(const config::Config& config, const std::string& published_at);

class PrivacyApi {
  public:
    explicit PrivacyApi(AppContext& ctx);
    void register_routes(http::Router& router);

  private:
    boost::asio::awaitable<Response> privacy(RequestContext& rc);

    AppContext& ctx_;
};

}  // namespace budget::server::api
