#include "server/http/router.hpp"

#include <optional>

namespace budget::server::http {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    if (path.empty() || path.front() != '/') return out;
    out.reserve(8);  // every route has fewer segments: one allocation per request, not three
    path.remove_prefix(1);
    while (true) {
        const auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

void Router::add(http::verb method, std::string pattern, Handler handler, RouteOptions options) {
    Route r{method, std::move(pattern), {}, std::move(handler), options};
    for (auto seg : split_path(r.pattern)) r.segments.emplace_back(seg);
    routes_.push_back(std::move(r));
}

Router::Match Router::match(http::verb method, std::string_view path) const {
    Match result;
    const auto segments = split_path(path);
    for (const auto& route : routes_) {
        if (route.segments.size() != segments.size()) continue;
        std::map<std::string, std::string> params;
        bool ok = true;
        for (std::size_t i = 0; i < segments.size() && ok; ++i) {
            const auto& want = route.segments[i];
            if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
                auto decoded = percent_decode(segments[i]);
                if (!decoded || decoded->empty()) {
                    ok = false;
                } else {
                    params[want.substr(1, want.size() - 2)] = std::move(*decoded);
                }
            } else {
                ok = want == segments[i];
            }
        }
        if (!ok) continue;
        if (route.method != method &&
            !(method == http::verb::head && route.method == http::verb::get)) {
            result.kind = Match::Kind::method_not_allowed;
            result.route = route.pattern;
            continue;
        }
        result.kind = Match::Kind::found;
        result.handler = &route.handler;
        result.options = &route.options;
        result.route = route.pattern;
        result.params = std::move(params);
        return result;
    }
    return result;
}

std::optional<std::string> query_parameter(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) != name) continue;
        if (eq == std::string_view::npos) return std::string();
        return percent_decode(pair.substr(eq + 1), true);
    }
    return std::nullopt;
}

}  // namespace budget::server::http
