#pragma once
// Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
// Text from operators' files is checked with it before any parser sees it: toml11 3.7 aborts on
// some invalid sequences instead of reporting them.

#include <cstddef>
#include <optional>
#include <string_view>

namespace budget::labelling {

/// The offset of the first byte that is not valid UTF-8, or std::nullopt when all is valid.
inline std::optional<std::size_t> first_invalid_utf8(std::string_view s) {
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    while (i < s.size()) {
        const auto c = byte(i);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return i;
        }
        if (i + n >= s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return i;
        for (std::size_t k = 2; k <= n; ++k) {
            if ((byte(i + k) & 0xC0) != 0x80) return i;
        }
        i += n + 1;
    }
    return std::nullopt;
}

}  // namespace budget::labelling
