#include "server/redis/target.hpp"

#include <stdexcept>

namespace budget::server::redis {

Target Target::parse_url(const std::string& url) {
    Target t;
    if (url.rfind("unix://", 0) == 0) {
        t.unix_path = url.substr(7);
        return t;
    }
    auto rest = url.rfind("redis://", 0) == 0 ? url.substr(8) : url;
    if (const auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("redis url without port: " + url);
    t.host = rest.substr(0, colon);
    if (t.host == "localhost") t.host = "127.0.0.1";  // hiredis would resolve it, blocking
    t.port = std::stoi(rest.substr(colon + 1));
    return t;
}

std::string Target::describe() const {
    return unix_path.empty() ? host + ":" + std::to_string(port) : "unix:" + unix_path;
}

}  // namespace budget::server::redis
