#include "server/redis/cluster.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace budget::server::redis {

std::uint16_t key_hash_slot(std::string_view key) {
    // Redis Cluster hashes only the part inside the first non-empty {...}, when there is one.
    if (const auto open = key.find('{'); open != std::string_view::npos) {
        const auto close = key.find('}', open + 1);
        if (close != std::string_view::npos && close > open + 1)
            key = key.substr(open + 1, close - open - 1);
    }
    std::uint16_t crc = 0;  // CRC16-CCITT (XMODEM), as in the cluster specification
    for (const unsigned char c : key) {
        crc ^= static_cast<std::uint16_t>(c) << 8;
        for (int i = 0; i < 8; ++i)
            crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                 : static_cast<std::uint16_t>(crc << 1);
    }
    return crc & 16383;
}

std::optional<std::string_view> routing_key(const std::vector<std::string>& args) {
    if (args.size() < 2) return std::nullopt;
    auto is = [&](std::string_view name) {
        return args[0].size() == name.size() &&
               std::equal(name.begin(), name.end(), args[0].begin(), [](char a, char b) {
                   return a == std::toupper(static_cast<unsigned char>(b));
               });
    };
    if (is("EVAL") || is("EVALSHA")) {
        if (args.size() < 4 || args[2] == "0") return std::nullopt;
        return std::string_view(args[3]);
    }
    for (const auto* keyless : {"PING", "INFO", "CONFIG", "SCRIPT", "WAIT", "CLUSTER", "ASKING",
                                "TIME", "DBSIZE", "FLUSHALL", "COMMAND", "CLIENT", "SCAN"}) {
        if (is(keyless)) return std::nullopt;
    }
    return std::string_view(args[1]);
}

std::optional<Redirect> parse_redirect(std::string_view error) {
    Redirect r;
    if (error.starts_with("MOVED ")) {
        error.remove_prefix(6);
    } else if (error.starts_with("ASK ")) {
        r.ask = true;
        error.remove_prefix(4);
    } else {
        return std::nullopt;
    }
    const auto space = error.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    unsigned slot = 0;
    const auto slot_text = error.substr(0, space);
    const auto [end, ec] =
        std::from_chars(slot_text.data(), slot_text.data() + slot_text.size(), slot);
    if (ec != std::errc() || end != slot_text.data() + slot_text.size() || slot >= 16384)
        return std::nullopt;
    r.slot = static_cast<std::uint16_t>(slot);
    const auto node = error.substr(space + 1);
    const auto colon = node.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    int port = 0;
    const auto port_text = node.substr(colon + 1);
    const auto [pend, pec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (pec != std::errc() || pend != port_text.data() + port_text.size() || port <= 0 ||
        port > 65535)
        return std::nullopt;
    r.node.host = std::string(node.substr(0, colon));
    r.node.port = port;
    return r;
}

}  // namespace budget::server::redis
