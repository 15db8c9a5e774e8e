#pragma once
// The Redis of a configuration, for budgetctl: the same client and stores as budgetd, run to
// completion one command at a time (redis::BlockingClient).

#include <memory>
#include <string>
#include <variant>

#include "config/config.hpp"
#include "server/redis/blocking_client.hpp"

namespace budget::server::programs {

/// Connects to `redis.url`, to the cluster of `redis.cluster`, or with `redis.embedded` to the
/// unix socket DATA_DIR/redis.sock of the redis-server that budgetd runs (so budgetd must be
/// running). A one-line reason on failure.
std::variant<std::unique_ptr<redis::BlockingClient>, std::string> connect_redis(
    const config::Config& config);

}  // namespace budget::server::programs
