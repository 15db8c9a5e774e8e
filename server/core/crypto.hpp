#pragma once
// Small wrappers over libsodium for the server: random identifiers, SHA-256, HMAC-SHA-256,
// sealed tokens and constant-time comparison.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace budget::server::crypto {

using Key32 = std::array<unsigned char, 32>;

/// `bytes` random bytes as lower-case hex.
std::string random_hex(std::size_t bytes);
/// A uniformly random integer in [0, upper).
std::uint32_t random_below(std::uint32_t upper);

std::string to_hex(const unsigned char* data, std::size_t size);
std::string sha256_hex(std::string_view data);
/// HMAC-SHA-256 of `message` under `key`, as hex.
std::string hmac_hex(const Key32& key, std::string_view message);
/// A sub-key for one purpose, so that one pepper never serves two uses directly.
Key32 derive_key(const Key32& root, std::string_view purpose);

/// Constant-time equality of two strings (sodium_memcmp); false when sizes differ.
bool equal_constant_time(std::string_view a, std::string_view b);

/// Seals `plaintext` (authenticated encryption, XSalsa20-Poly1305) into a URL-safe token.
std::string seal_token(const Key32& key, std::string_view plaintext);
/// Opens a token made by seal_token; std::nullopt if forged, altered or malformed.
std::optional<std::string> open_token(const Key32& key, std::string_view token);

}  // namespace budget::server::crypto
