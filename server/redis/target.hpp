#pragma once
// Where a Redis server listens.

#include <string>

namespace budget::server::redis {

/// An IP address and port, or a unix socket path (hiredis resolves host names with a blocking
/// call, so names are refused by the configuration).
struct Target {
    std::string host;
    int port = 0;
    std::string unix_path;

    /// "redis://host:port" (a path after the port is ignored) or "unix:///path"; "localhost"
    /// becomes 127.0.0.1. Throws std::invalid_argument on a URL without port.
    static Target parse_url(const std::string& url);
    /// "host:port" or "unix:/path", for logs and messages.
    std::string describe() const;
};

}  // namespace budget::server::redis
