#include "server/core/signing.hpp"

#include <sodium.h>

#include <cstring>

namespace budget::server {

std::string sign_base64(const SigningKey& key, std::string_view document) {
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, nullptr,
                         reinterpret_cast<const unsigned char*>(document.data()), document.size(),
                         key.secret_key.data());
    return base64_encode(signature, sizeof signature);
}

std::string public_key_base64(const SigningKey& key) {
    return base64_encode(key.public_key.data(), key.public_key.size());
}

std::string base64_encode(const unsigned char* data, std::size_t size) {
    std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

std::string key_fingerprint(const std::array<unsigned char, 32>& public_key) {
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, public_key.data(), public_key.size());
    std::string hex(sizeof hash * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), hash, sizeof hash);
    hex.pop_back();
    return hex;
}

}  // namespace budget::server
