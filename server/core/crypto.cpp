#include "server/core/crypto.hpp"

#include <sodium.h>

#include <array>
#include <cstring>
#include <vector>

namespace budget::server::crypto {

std::string to_hex(const unsigned char* data, std::size_t size) {
    std::string hex(size * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), data, size);
    hex.pop_back();
    return hex;
}

namespace {

// A per-thread reserve of kernel randomness, drawn 4 KiB at a time: one getrandom call per 256
// ballot identifiers instead of one each (a system call is a visible share of a ballot's cost).
// Same source, never shared between threads, and each byte is wiped once handed out.
void random_bytes(unsigned char* out, std::size_t n) {
    thread_local std::array<unsigned char, 4096> pool;
    thread_local std::size_t left = 0;
    if (n > pool.size() / 8) {
        randombytes_buf(out, n);
        return;
    }
    if (left < n) {
        randombytes_buf(pool.data(), pool.size());
        left = pool.size();
    }
    unsigned char* from = pool.data() + (pool.size() - left);
    std::memcpy(out, from, n);
    sodium_memzero(from, n);
    left -= n;
}

}  // namespace

std::string random_hex(std::size_t bytes) {
    // Identifiers are short: a stack buffer for them (each ballot draws one).
    std::array<unsigned char, 64> small;
    std::vector<unsigned char> large;
    unsigned char* buf = small.data();
    if (bytes > small.size()) {
        large.resize(bytes);
        buf = large.data();
    }
    random_bytes(buf, bytes);
    return to_hex(buf, bytes);
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

namespace {

// Value of each URL-safe base64 character (RFC 4648 section 5), 0xFF for any other byte.
constexpr std::array<unsigned char, 256> kBase64UrlValue = [] {
    std::array<unsigned char, 256> t{};
    t.fill(0xFF);
    constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (unsigned char i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = i;
    return t;
}();

// Decodes unpadded URL-safe base64 into `out` (room for size * 3 / 4 bytes), accepting exactly
// what sodium_base642bin(..., sodium_base64_VARIANT_URLSAFE_NO_PADDING) accepts: no foreign
// character, no dangling 6-bit group, zero trailing bits. A table instead of libsodium's
// constant-time decoder (8 % of the ballot path's instructions): the token is ciphertext that
// its bearer already holds, so the time taken to decode it reveals no secret.
std::optional<std::size_t> decode_base64url(std::string_view text, unsigned char* out) {
    const auto value = [](char c) { return kBase64UrlValue[static_cast<unsigned char>(c)]; };
    std::size_t n = 0;
    // Whole groups of four characters first (24 bits, three bytes)...
    while (text.size() >= 4) {
        const unsigned a = value(text[0]), b = value(text[1]), c = value(text[2]),
                       d = value(text[3]);
        if ((a | b | c | d) > 63) return std::nullopt;  // a foreign character (0xFF)
        const std::uint32_t group = (a << 18) | (b << 12) | (c << 6) | d;
        out[n++] = static_cast<unsigned char>(group >> 16);
        out[n++] = static_cast<unsigned char>(group >> 8);
        out[n++] = static_cast<unsigned char>(group);
        text.remove_prefix(4);
    }
    // ...then the last two or three, whose unused low bits must be zero.
    std::uint32_t acc = 0;
    unsigned bits = 0;
    for (const char c : text) {
        const unsigned char d = kBase64UrlValue[static_cast<unsigned char>(c)];
        if (d == 0xFF) return std::nullopt;
        acc = (acc << 6) | d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = static_cast<unsigned char>(acc >> bits);
        }
    }
    if (bits > 4 || (acc & ((1U << bits) - 1U)) != 0) return std::nullopt;
    return n;
}

}  // namespace

std::optional<std::string> open_token(const Key32& key, std::string_view token) {
    constexpr std::size_t kMaxToken = 4096;
    if (token.empty() || token.size() > kMaxToken) return std::nullopt;
    // On the stack: this runs for every authenticated request.
    std::array<unsigned char, kMaxToken / 4 * 3 + 3> buf;
    const auto len = decode_base64url(token, buf.data());
    if (!len || *len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
    std::string plain(*len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                   buf.data() + crypto_secretbox_NONCEBYTES,
                                   *len - crypto_secretbox_NONCEBYTES, buf.data(), key.data()) != 0)
        return std::nullopt;
    return plain;
}

}  // namespace budget::server::crypto
