#include "loadtest/redis_probe.hpp"

#include <stdexcept>
#include <variant>

#include "config/config.hpp"
#include "server/redis/blocking_client.hpp"
#include "server/storage/ballot_store.hpp"

namespace budget::loadtest {

namespace redis = server::redis;
namespace storage = server::storage;

namespace {

std::unique_ptr<redis::BlockingClient> connected(
    std::variant<std::unique_ptr<redis::BlockingClient>, std::string> attempt) {
    if (auto* reason = std::get_if<std::string>(&attempt)) throw std::runtime_error(*reason);
    return std::move(std::get<std::unique_ptr<redis::BlockingClient>>(attempt));
}

// The ballot store of a campaign as the load generator sees it: only its id and shard count
// matter for reading.
storage::BallotStore ballot_store(redis::Client& client, const std::string& campaign,
                                  int shards) {
    config::Config config;
    config.campaign.id = campaign;
    config.redis.ballot_shards = shards;
    return storage::BallotStore(client, config);
}

template <typename T>
T value_or_throw(storage::StoreResult<T> result, const char* what) {
    if (!result) throw std::runtime_error(std::string("Redis: cannot read ") + what);
    return std::move(*result);
}

}  // namespace

RedisProbe::RedisProbe(const std::string& url) {
    if (url.rfind("unix://", 0) != 0 && url.rfind("redis://", 0) != 0)
        throw std::runtime_error("redis url must be redis://host:port or unix:///path: " + url);
    redis::Options options;
    options.command_timeout = std::chrono::seconds(30);
    const auto target = redis::Target::parse_url(url);
    client_ = connected(redis::BlockingClient::connect(target, options));
    // A cluster node: read through the cluster client instead, which routes each shard's
    // commands to the master that serves it.
    std::vector<std::string> info{"INFO", "cluster"};
    const auto cluster = client_->command(std::move(info));
    if (cluster && cluster->str.find("cluster_enabled:1") != std::string::npos) {
        redis::ClusterSeeds seeds;
        seeds.nodes.push_back(target);
        client_ = connected(redis::BlockingClient::connect(std::move(seeds), options));
    }
}

RedisProbe::~RedisProbe() = default;

LedgerSnapshot RedisProbe::snapshot(const std::string& campaign, int shards) {
    auto store = ballot_store(client_->client(), campaign, shards);
    LedgerSnapshot s;
    for (int shard = 0; shard < shards; ++shard) {
        const auto ledger = value_or_throw(client_->run(store.ledger(shard)), "a shard's ledger");
        s.log_lengths.push_back(ledger.log_length);
        s.voted_markers += ledger.voted_markers;
        s.stats_total += ledger.stats_total;
    }
    return s;
}

std::vector<std::string> RedisProbe::log_from(const std::string& campaign, int shard,
                                              long long from) {
    auto store = ballot_store(client_->client(), campaign, shard + 1);
    std::vector<std::string> out;
    constexpr std::uint64_t kPage = 10000;
    for (auto start = static_cast<std::uint64_t>(from);; start += kPage) {
        auto page = value_or_throw(client_->run(store.log_page(shard, start, kPage)), "the log");
        const auto n = page.size();
        for (auto& entry : page) out.push_back(std::move(entry));
        if (n < kPage) break;
    }
    return out;
}

}  // namespace budget::loadtest
