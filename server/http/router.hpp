#pragma once
// Maps a method and a path to a handler. Patterns are literal segments and `{name}` parameters:
// "/api/v1/initiatives/{id}/radar.svg".

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/types.hpp"

namespace budget::server::http {

class Router {
  public:
    void add(http::verb method, std::string pattern, Handler handler, RouteOptions options = {});

    struct Match {
        enum class Kind { found, not_found, method_not_allowed } kind = Kind::not_found;
        const Handler* handler = nullptr;
        const RouteOptions* options = nullptr;  ///< the found route's; null otherwise
        std::string route;  ///< the pattern, used in logs and metrics instead of the raw path
        std::map<std::string, std::string> params;
    };
    Match match(http::verb method, std::string_view path) const;

  private:
    struct Route {
        http::verb method;
        std::string pattern;
        std::vector<std::string> segments;
        Handler handler;
        RouteOptions options;
    };
    std::vector<Route> routes_;
};

/// Splits "/a/b/c" into {"a","b","c"}; empty segments are kept so "/a//b" does not match "/a/b".
std::vector<std::string_view> split_path(std::string_view path);

/// Decodes %XX escapes of a path segment or query value; std::nullopt when malformed.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

/// The decoded value of `name` in a query string ("a=1&b=2"): empty for a bare "name",
/// std::nullopt when absent or malformed.
std::optional<std::string> query_parameter(std::string_view query, std::string_view name);

}  // namespace budget::server::http
