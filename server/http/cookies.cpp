#include "server/http/cookies.hpp"

namespace budget::server::http {

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
    // "a=1; b=2": pairs separated by ';', spaces around each pair ignored (RFC 6265 §4.2.1).
    while (!header.empty()) {
        const auto semi = header.find(';');
        auto pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        while (!pair.empty() && pair.back() == ' ') pair.remove_suffix(1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        if (pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    }
    return std::nullopt;
}

}  // namespace budget::server::http
