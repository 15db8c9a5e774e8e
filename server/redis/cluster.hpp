#pragma once
// Redis Cluster's addressing, as pure functions: which slot a key hashes to, which key of a
// command decides where it runs, and the redirections a node answers with.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/redis/target.hpp"

namespace budget::server::redis {

/// The Redis Cluster hash slot of a key (CRC16 of the key, or of its `{hash tag}`, mod 16384).
std::uint16_t key_hash_slot(std::string_view key);

/// The key that decides where a command runs (its first key), or nothing for commands without
/// keys (PING, INFO, CONFIG, SCRIPT, WAIT, CLUSTER...), which any node answers.
std::optional<std::string_view> routing_key(const std::vector<std::string>& args);

/// A cluster redirection parsed from an error reply: "MOVED 3999 127.0.0.1:6381" or "ASK ...".
struct Redirect {
    bool ask = false;
    std::uint16_t slot = 0;
    Target node;
};
std::optional<Redirect> parse_redirect(std::string_view error);

}  // namespace budget::server::redis
