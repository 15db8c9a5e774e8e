// Unit: the TTL of an address's binding (issue 18): until the vote's close + purge_after_days,
// never less than a code's life, never more than 400 days.
#include "server/api/purge_schedule.hpp"

#include <catch2/catch.hpp>

using budget::server::api::binding_ttl;
using budget::server::api::kMaxBindingTtl;
using namespace std::chrono_literals;

TEST_CASE("a binding lives until the purge is due, within a code's life and 400 days",
          "[unit][purge]") {
    budget::config::Config config;
    config.campaign.vote_closes_unix = 1'790'000'000;
    config.privacy.purge_after_days = 30;
    const auto closes = config.campaign.vote_closes_unix;
    const std::chrono::seconds code_ttl = 600s;
    // During the vote: to the close, then 30 days.
    CHECK(binding_ttl(config, closes - 3600, code_ttl) == std::chrono::seconds(3600 + 30 * 86400));
    CHECK(binding_ttl(config, closes, code_ttl) == std::chrono::seconds(30 * 86400));
    // A holder signing in during a call a year and a half before the vote: 400 days at most.
    CHECK(binding_ttl(config, closes - 500 * 86400, code_ttl) == kMaxBindingTtl);
    // After the purge is due (a late sign-in, the resident's report): no less than the code.
    CHECK(binding_ttl(config, closes + 31 * 86400, code_ttl) == code_ttl);
    config.privacy.purge_after_days = 0;
    CHECK(binding_ttl(config, closes - 10, code_ttl) == code_ttl);
    CHECK(binding_ttl(config, closes - 10, 0s) == 10s);
}
