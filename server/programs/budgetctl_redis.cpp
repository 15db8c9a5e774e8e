#include "server/programs/budgetctl_redis.hpp"

#include <sys/stat.h>

#include <chrono>

#include "server/programs/startup.hpp"
#include "server/redis/embedded_redis.hpp"

namespace budget::server::programs {

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
        return redis::BlockingClient::connect(target, options);
    }
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
