#pragma once
// A synchronous Redis connection for budgetctl: a command-line tool runs one command at a time,
// so plain blocking hiredis is the simple and right tool (budgetd uses the asynchronous client).

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "config/config.hpp"
#include "server/redis/client.hpp"

struct redisContext;

namespace budget::server {

class SyncRedis {
  public:
    /// Connects to the Redis of a configuration: `redis.url`, the first `redis.cluster` seed, or
    /// with `redis.embedded` the unix socket DATA_DIR/redis.sock of the redis-server that budgetd
    /// runs (so budgetd must be running). A one-line reason on failure.
    static std::variant<SyncRedis, std::string> connect(const config::Config& config);

    /// Sends one command. A transport failure comes back as an error reply. On Redis Cluster
    /// the command follows MOVED and ASK to the node serving its key.
    redis::Reply command(const std::vector<std::string>& args);
    /// EVAL of a script with its keys and arguments.
    redis::Reply eval(const std::string& script, const std::vector<std::string>& keys,
                      const std::vector<std::string>& args);

  private:
    struct Free {
        void operator()(redisContext* c) const;
    };
    explicit SyncRedis(redisContext* c) : context_(c) {}
    redis::Reply run(redisContext* c, const std::vector<std::string>& args);
    redisContext* node(const redis::Target& target);  ///< a cached connection to a cluster node

    std::unique_ptr<redisContext, Free> context_;
    std::map<std::string, std::unique_ptr<redisContext, Free>> nodes_;
};

}  // namespace budget::server
