#include "server/programs/budgetctl_redis.hpp"

#include <sys/stat.h>

#include <chrono>
#include <optional>

#include "server/programs/startup.hpp"
#include "server/redis/embedded_redis.hpp"

namespace budget::server::programs {

namespace {

// budgetd's ACL user and password (the same secrets file), or why they cannot be read.
std::optional<std::string> with_credentials(const config::Config& config, redis::Options& options) {
    auto credentials = redis_credentials(config, false);
    if (auto* reason = std::get_if<std::string>(&credentials)) return *reason;
    auto& c = std::get<RedisCredentials>(credentials);
    options.user = std::move(c.user);
    options.password = std::move(c.password);
    return std::nullopt;
}

}  // namespace

std::variant<std::unique_ptr<redis::BlockingClient>, std::string> connect_redis(
    const config::Config& config) {
    redis::Options options;
    // An operator's command may read a whole campaign (the tally): give it time.
    options.command_timeout = std::chrono::seconds(10);
    if (config.redis.embedded) {
        const auto socket = redis::EmbeddedRedis::socket_path_in(config.storage.data_dir);
        struct stat st {};
        if (::stat(socket.c_str(), &st) != 0) {
            return "no Redis socket at " + socket +
                   ": with [redis] embedded = true, Redis runs inside budgetd; start budgetd "
                   "first, then run this command again";
        }
        redis::Target target;
        target.unix_path = socket;
        if (auto reason = with_credentials(config, options)) return *reason;
        return redis::BlockingClient::connect(target, options);
    }
    if (auto reason = with_credentials(config, options)) return *reason;
    if (!config.redis.cluster.empty()) {
        auto seeds = cluster_seeds(config.redis);
        return redis::BlockingClient::connect(std::move(seeds), options);
    }
    try {
        return redis::BlockingClient::connect(redis::Target::parse_url(config.redis.url), options);
    } catch (const std::exception& e) {
        return std::string(e.what());
    }
}

}  // namespace budget::server::programs
