#include "server/http/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

namespace budget::server::http {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool parse_ip(std::string_view text, std::string* canonical) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) return false;
    const std::string copy(text);
    std::array<unsigned char, 16> bytes{};
    std::array<char, INET6_ADDRSTRLEN> out{};
    // IPv4 first, then IPv6; spelled back by inet_ntop so "::0001" and "::1" compare equal.
    if (inet_pton(AF_INET, copy.c_str(), bytes.data()) == 1) {
        if (canonical) *canonical = inet_ntop(AF_INET, bytes.data(), out.data(), out.size());
        return true;
    }
    if (inet_pton(AF_INET6, copy.c_str(), bytes.data()) == 1) {
        if (canonical) *canonical = inet_ntop(AF_INET6, bytes.data(), out.data(), out.size());
        return true;
    }
    return false;
}

std::string client_address(const std::string& peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted) {
    auto is_trusted = [&](const std::string& address) {
        return std::find(trusted.begin(), trusted.end(), address) != trusted.end();
    };
    std::string current;
    if (!parse_ip(peer, &current) || !is_trusted(current)) return peer;
    // Right to left: each trusted hop vouches for the one before it.
    while (!forwarded_for.empty()) {
        const auto comma = forwarded_for.rfind(',');
        const auto hop =
            trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
        forwarded_for =
            comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
        std::string address;
        if (!parse_ip(hop, &address)) return current;  // garbage: stop at the last known hop
        current = address;
        if (!is_trusted(current)) return current;
    }
    return current;
}

}  // namespace budget::server::http
