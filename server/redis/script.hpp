#pragma once
// A Lua script, known by its SHA-1 so that it is sent with EVALSHA; the client falls back to
// EVAL when the server answers NOSCRIPT (after a restart or a failover).

#include <string>

namespace budget::server::redis {

struct Script {
    explicit Script(std::string text);
    std::string source;
    std::string sha1;
};

}  // namespace budget::server::redis
