#pragma once
// Ed25519 signatures of the engine's public documents (the sealed ballot, tree heads, results):
// one helper, so that every signature is made the same way and verifies with the same key.

#include <array>
#include <string>
#include <string_view>

namespace budget::server {

struct SigningKey {
    std::array<unsigned char, 32> public_key{};
    std::array<unsigned char, 64> secret_key{};
};

/// Base64 (standard alphabet, padded) of the detached Ed25519 signature of `document`.
std::string sign_base64(const SigningKey& key, std::string_view document);

/// Base64 of the public key, as published beside each signed document.
std::string public_key_base64(const SigningKey& key);

/// Base64 (standard alphabet, padded) of bytes.
std::string base64_encode(const unsigned char* data, std::size_t size);

/// Hex SHA-256 fingerprint of a public key.
std::string key_fingerprint(const std::array<unsigned char, 32>& public_key);

}  // namespace budget::server
