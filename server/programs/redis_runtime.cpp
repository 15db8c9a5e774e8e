#include "server/programs/redis_runtime.hpp"

#include <algorithm>

#include "server/core/log.hpp"
#include "server/programs/startup.hpp"
#include "server/redis/blocking_client.hpp"

namespace budget::server::programs {

namespace asio = boost::asio;

std::variant<std::unique_ptr<RedisRuntime>, std::string> RedisRuntime::start(
    const config::Config& config, const std::vector<asio::io_context*>& loops,
    redis::Observer* observer) {
    std::unique_ptr<RedisRuntime> runtime(new RedisRuntime());
    redis::Options options;
    options.command_timeout = config.redis.command_timeout;
    options.observer = observer;
    // WAIT holds its connection until a replica answers, and every command pipelined behind it
    // waits too: with WAIT, each loop gets enough connections for ballots to wait side by side.
    const int threads = static_cast<int>(loops.size());
    const int default_connections = threads * (config.redis.wait_replicas > 0 ? 16 : 1);
    const int connections =
        config.redis.connections > 0 ? config.redis.connections : default_connections;
    const int per_loop = std::max(1, connections / threads);
    auto credentials = redis_credentials(config, true);
    if (auto* reason = std::get_if<std::string>(&credentials)) return *reason;
    options.user = std::get<RedisCredentials>(credentials).user;
    options.password = std::get<RedisCredentials>(credentials).password;
    try {
        if (config.redis.embedded) {
            runtime->embedded_.emplace(config.redis.server_binary, config.storage.data_dir,
                                       options.user, options.password);
            runtime->embedded_->start();
            redis::Target target;
            target.unix_path = runtime->embedded_->socket_path();
            runtime->client_ = std::make_unique<redis::Client>(loops, target, options, per_loop);
        } else if (!config.redis.cluster.empty()) {
            auto seeds = cluster_seeds(config.redis);
            runtime->cluster_ = true;
            runtime->client_ =
                std::make_unique<redis::Client>(loops, std::move(seeds), options, per_loop);
        } else {
            runtime->client_ = std::make_unique<redis::Client>(
                loops, redis::Target::parse_url(config.redis.url), options, per_loop);
        }
    } catch (const std::exception& e) {
        return std::string(e.what());
    }
    runtime->client_->start();
    return runtime;
}

std::optional<std::string> unauthenticated_redis(const config::Config& config) {
    std::vector<redis::Target> nodes;
    if (config.redis.embedded) {
        redis::Target socket;
        socket.unix_path = redis::EmbeddedRedis::socket_path_in(config.storage.data_dir);
        nodes.push_back(std::move(socket));
    } else if (!config.redis.cluster.empty()) {
        nodes = cluster_seeds(config.redis).nodes;
    } else {
        nodes.push_back(redis::Target::parse_url(config.redis.url));
    }
    for (auto& node : nodes) {
        const auto where = node.describe();
        // No credentials: what anybody who reaches the port gets.
        auto attempt = redis::BlockingClient::connect(std::move(node), {}, std::chrono::seconds(1));
        auto* client = std::get_if<std::unique_ptr<redis::BlockingClient>>(&attempt);
        if (!client) continue;
        std::vector<std::string> ping{"PING"};
        // NOAUTH (default user off, requirepass) or NOPERM: it wants credentials.
        if ((*client)->command(std::move(ping))) return where;
    }
    return std::nullopt;
}

RedisRuntime::~RedisRuntime() { stop(); }

std::string RedisRuntime::describe() const {
    return (cluster_ ? "cluster:" : "") + client_->target().describe();
}

void RedisRuntime::supervise(asio::io_context& loop) {
    if (!embedded_) return;
    supervision_ = std::make_unique<asio::steady_timer>(loop);
    supervise_tick();
}

void RedisRuntime::supervise_tick() {
    supervision_->expires_after(std::chrono::milliseconds(500));
    supervision_->async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        if (embedded_ && embedded_->restart_if_exited())
            log_event("warn", "embedded_redis_restarted");
        supervise_tick();
    });
}

void RedisRuntime::stop() {
    if (supervision_) supervision_->cancel();
    if (client_) client_->stop();
}

}  // namespace budget::server::programs
