#include "server/api/purge_schedule.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/core/log.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
using storage::PurgeStage;

std::chrono::seconds binding_ttl(const config::Config& config, std::int64_t now,
                                 std::chrono::seconds code_ttl) {
    const std::int64_t end = config.campaign.vote_closes_unix +
                             std::int64_t{config.privacy.purge_after_days} * 24 * 3600;
    const auto until = std::chrono::seconds(end - now);
    return std::clamp(until, std::max(code_ttl, std::chrono::seconds(1)),
                      std::max(kMaxBindingTtl, code_ttl));
}

void PurgeSchedule::start(asio::io_context& ioc) {
    if (!ctx_.config.privacy.automatic_purge) return;
    asio::co_spawn(asio::make_strand(ioc), run(), asio::detached);
}

asio::awaitable<void> PurgeSchedule::run() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (true) {
        bool answered = false;
        try {
            answered = co_await check();
        } catch (const std::exception& e) {
            log_event("error", "purge_failed", {{"reason", e.what()}});
        }
        // At start Redis may not be connected yet: look again soon rather than in 5 minutes.
        timer.expires_after(answered ? std::chrono::seconds(kPurgeCheckInterval)
                                     : kPurgeRetryInterval);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
    }
}

asio::awaitable<bool> PurgeSchedule::check() {
    auto& store = ctx_.stores.purge;
    auto status = co_await store.status();
    if (!status) co_return status.error() != storage::StoreError::unavailable;
    if (!status->published_at) co_return true;
    const auto now = ctx_.clock.now();
    const bool residents = !status->purged_at && now >= status->purge_due;
    const bool holders = !status->holders_purged_at && now >= status->holders_due;
    if (!residents && !holders) co_return true;
    auto claimed = co_await store.claim("budgetd:" + std::to_string(::getpid()), kPurgeClaimTtl);
    if (!claimed) co_return claimed.error() != storage::StoreError::unavailable;
    if (!*claimed) co_return true;  // another budgetd runs it
    // The residents' stage first: the holders' one is due later, never earlier.
    for (const auto stage : {PurgeStage::residents, PurgeStage::holders}) {
        if (stage == PurgeStage::residents ? !residents : !holders) continue;
        storage::PurgeRequest request{stage, false, "budgetd:automatic", "system"};
        auto report = co_await store.purge(std::move(request));
        if (!report || report->refused != storage::PurgeRefusal::none) {
            // Said in the log; the next look (kPurgeCheckInterval) tries again.
            log_event("error", "purge_failed",
                      {{"stage", stage == PurgeStage::residents ? "residents" : "holders"}});
            break;
        }
    }
    co_await store.release();
    co_return true;
}

}  // namespace budget::server::api
