#include "server/crypto.hpp"

#include <sodium.h>

#include <fstream>
#include <iterator>
#include <vector>

namespace budget::server::crypto {

std::string to_hex(const unsigned char* data, std::size_t size) {
    std::string hex(size * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), data, size);
    hex.pop_back();
    return hex;
}

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    randombytes_buf(buf.data(), buf.size());
    return to_hex(buf.data(), buf.size());
}

std::uint32_t random_below(std::uint32_t upper) { return randombytes_uniform(upper); }

std::string sha256_hex(std::string_view data) {
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return to_hex(out, sizeof out);
}

std::string hmac_hex(const Key32& key, std::string_view message) {
    unsigned char out[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key.data(), key.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
    crypto_auth_hmacsha256_final(&st, out);
    return to_hex(out, sizeof out);
}

Key32 derive_key(const Key32& root, std::string_view purpose) {
    Key32 out{};
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, root.data(), root.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(purpose.data()),
                                  purpose.size());
    crypto_auth_hmacsha256_final(&st, out.data());
    return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string seal_token(const Key32& key, std::string_view plaintext) {
    std::vector<unsigned char> buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                   plaintext.size());
    randombytes_buf(buf.data(), crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(buf.data() + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                          plaintext.size(), buf.data(), key.data());
    std::string out(sodium_base64_ENCODED_LEN(buf.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                    '\0');
    sodium_bin2base64(out.data(), out.size(), buf.data(), buf.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);
    return out;
}

std::optional<std::string> open_token(const Key32& key, std::string_view token) {
    if (token.empty() || token.size() > 4096) return std::nullopt;
    std::vector<unsigned char> buf(token.size());
    std::size_t len = 0;
    if (sodium_base642bin(buf.data(), buf.size(), token.data(), token.size(), nullptr, &len,
                          nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return std::nullopt;
    if (len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
    std::string plain(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                   buf.data() + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, buf.data(), key.data()) != 0)
        return std::nullopt;
    return plain;
}

std::optional<Key32> load_key32(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::vector<char> data(std::istreambuf_iterator<char>(in), {});
    if (data.size() != 32) return std::nullopt;
    Key32 key{};
    std::copy(data.begin(), data.end(), key.begin());
    return key;
}

}  // namespace budget::server::crypto
