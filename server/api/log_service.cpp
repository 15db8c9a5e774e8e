#include "server/api/log_service.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <exception>

#include "config/paris_time.hpp"
#include "server/api/tally_service.hpp"
#include "server/core/log.hpp"
#include "voting/canonical_json.hpp"
#include "voting/phase.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
namespace json = boost::json;

json::object sign_tree_head(const SigningKey& key, const TreeHead& h) {
    json::object head{{"campaign", h.campaign},
                      {"root", voting::to_hex(h.root)},
                      {"timestamp", h.timestamp},
                      {"tree_size", h.tree_size}};
    // Inside the signed bytes: a head of one shard cannot be passed off as another's. With a
    // single shard the head stays as it always was, for the verifiers already published.
    if (h.shard) head["shard"] = *h.shard;
    const auto text = *voting::canonical_json(head);
    return json::object{{"head", std::move(head)}, {"signature", sign_base64(key, text)}};
}

LogService::LogService(AppContext& ctx)
    : ctx_(ctx),
      trees_(static_cast<std::size_t>(ctx.config.redis.ballot_shards)),
      signed_sizes_(trees_.size(), 0) {}

void LogService::start(asio::io_context& ioc, std::chrono::seconds interval) {
    asio::co_spawn(asio::make_strand(ioc), run(interval), asio::detached);
}

asio::awaitable<void> LogService::run(std::chrono::seconds interval) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    // The whole vote, plus one interval after the close so that the final size is signed.
    auto window = ctx_.stores.campaign.window();
    window.closes += interval.count();
    while (true) {
        const auto phase = voting::phase_at(window, ctx_.clock.now());
        if (phase == voting::Phase::closed) co_return;
        if (phase == voting::Phase::voting) {
            try {
                co_await publish_head();
            } catch (const std::exception& e) {
                log_event("error", "tree_head_failed", {{"reason", e.what()}});
            }
        }
        timer.expires_after(interval);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
    }
}

asio::awaitable<bool> LogService::catch_up(int shard) {
    auto& tree = trees_[static_cast<std::size_t>(shard)];
    while (true) {
        std::uint64_t start = 0;
        {
            std::lock_guard lock(mutex_);
            start = tree.size();
        }
        const auto page = co_await ctx_.stores.ballots.log_page(shard, start, kTallyPage);
        if (!page) co_return false;
        {
            std::lock_guard lock(mutex_);
            if (tree.size() == start) {  // nobody else appended this page meanwhile
                for (const auto& entry : *page) tree.append(voting::leaf_hash(entry));
            }
        }
        if (page->size() < kTallyPage) co_return true;
    }
}

asio::awaitable<void> LogService::publish_head() {
    const auto timestamp = config::format_paris_time(ctx_.clock.now());
    for (int shard = 0; shard < shards(); ++shard) co_await publish_shard_head(shard, timestamp);
}

asio::awaitable<void> LogService::publish_shard_head(int shard, const std::string& timestamp) {
    const auto k = static_cast<std::size_t>(shard);
    // One unreachable shard (a cluster node failing over) must not stop the others' heads.
    if (!co_await catch_up(shard)) co_return;
    TreeHead head{ctx_.config.campaign.id, 0, {}, timestamp, std::nullopt};
    if (shards() > 1) head.shard = shard;
    {
        std::lock_guard lock(mutex_);
        head.tree_size = trees_[k].size();
        head.root = trees_[k].root();
        // A shard that did not grow keeps its last head: with many shards, most are idle
        // between two heads, and the store would refuse the same size anyway.
        if (head.tree_size == 0 || head.tree_size <= signed_sizes_[k]) co_return;
    }
    // A head promises that the log will always extend it: with replicas configured, sign
    // only what a replica holds, so that a failover cannot lose a ballot a head covers.
    if (ctx_.config.redis.wait_replicas > 0 && !co_await replicated(shard, head.tree_size))
        co_return;
    auto signed_head = json::serialize(sign_tree_head(ctx_.signing_key, head));
    const auto appended =
        co_await ctx_.stores.log.append_head(shard, std::move(signed_head), head.tree_size);
    if (!appended) co_return;
    {
        std::lock_guard lock(mutex_);
        signed_sizes_[k] = head.tree_size;
    }
    if (*appended) {
        json::object fields{{"tree_size", head.tree_size}, {"root", voting::to_hex(head.root)}};
        if (shards() > 1) fields["shard"] = shard;
        log_event("info", "tree_head", std::move(fields));
    }
}

asio::awaitable<bool> LogService::replicated(int shard, std::uint64_t size) {
    const auto& redis = ctx_.config.redis;
    const bool ok = co_await ctx_.stores.log.mark_replicated(shard, size, redis.wait_replicas,
                                                             redis.wait_timeout);
    if (!ok) log_event("warn", "tree_head_unreplicated", {{"shard", shard}, {"tree_size", size}});
    co_return ok;
}

std::optional<ConsistencyProof> LogService::consistency(int shard, std::uint64_t from,
                                                        std::uint64_t to) const {
    std::lock_guard lock(mutex_);
    const auto& tree = trees_[static_cast<std::size_t>(shard)];
    auto path = tree.consistency_proof(from, to);
    if (!path) return std::nullopt;
    return ConsistencyProof{*tree.root_of_prefix(from), *tree.root_of_prefix(to), std::move(*path)};
}

std::optional<InclusionProof> LogService::inclusion(int shard, std::uint64_t index,
                                                    std::uint64_t tree_size) const {
    std::lock_guard lock(mutex_);
    const auto& tree = trees_[static_cast<std::size_t>(shard)];
    auto path = tree.inclusion_proof(index, tree_size);
    if (!path) return std::nullopt;
    return InclusionProof{tree.leaf(index), *tree.root_of_prefix(tree_size), std::move(*path)};
}

}  // namespace budget::server::api
