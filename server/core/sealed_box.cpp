#include "server/core/sealed_box.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "server/core/key_files.hpp"
#include "server/core/signing.hpp"

namespace budget::server {

namespace fs = std::filesystem;

static_assert(crypto_box_PUBLICKEYBYTES == 32 && crypto_box_SECRETKEYBYTES == 32);

SealKeyPair make_seal_key_pair() {
    SealKeyPair keys;
    crypto_box_keypair(keys.public_key.data(), keys.secret_key.data());
    return keys;
}

std::string seal_to(const SealPublicKey& key, std::string_view plaintext) {
    std::string sealed(crypto_box_SEALBYTES + plaintext.size(), '\0');
    crypto_box_seal(reinterpret_cast<unsigned char*>(sealed.data()),
                    reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                    key.data());
    return sealed;
}

std::optional<std::string> open_sealed(const SealKeyPair& keys, std::string_view sealed) {
    if (sealed.size() < crypto_box_SEALBYTES) return std::nullopt;
    std::string plain(sealed.size() - crypto_box_SEALBYTES, '\0');
    if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()),
                             reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size(),
                             keys.public_key.data(), keys.secret_key.data()) != 0) {
        return std::nullopt;
    }
    return plain;
}

std::string seal_key_fingerprint(const SealPublicKey& key) { return key_fingerprint(key); }

namespace {

/// Creates `path` with `mode`, failing when it exists (O_EXCL): never replaces a key.
bool write_new(const std::string& path, const std::string& text, mode_t mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return false;
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    ::close(fd);
    ::chmod(path.c_str(), mode);  // whatever the umask
    if (!ok) ::unlink(path.c_str());
    return ok;
}

/// 32 bytes from the base64 of the first line of `text`; std::nullopt otherwise.
std::optional<std::array<unsigned char, 32>> decode_key(std::string text) {
    if (const auto end = text.find_first_of("\r\n"); end != std::string::npos) text.resize(end);
    std::array<unsigned char, 32> key{};
    std::size_t size = 0;
    if (sodium_base642bin(key.data(), key.size(), text.data(), text.size(), nullptr, &size, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        size != key.size()) {
        sodium_memzero(text.data(), text.size());
        return std::nullopt;
    }
    sodium_memzero(text.data(), text.size());
    return key;
}

}  // namespace

std::variant<SealPublicKey, std::string> write_seal_key_pair(const std::string& public_path,
                                                             const std::string& secret_path) {
    std::error_code ec;
    for (const auto* path : {&public_path, &secret_path}) {
        if (fs::exists(*path, ec)) {
            return *path +
                   " exists already; refusing to replace it (records sealed to the current key "
                   "could no longer be opened)";
        }
    }
    if (const auto dir = fs::path(public_path).parent_path(); !dir.empty()) {
        fs::create_directories(dir, ec);
        if (ec) return "cannot create " + dir.string() + ": " + ec.message();
    }
    auto keys = make_seal_key_pair();
    std::string secret = base64_encode(keys.secret_key.data(), keys.secret_key.size()) + "\n";
    // The secret first: a public key without its secret would seal records nobody can open.
    const bool secret_ok = write_new(secret_path, secret, 0600);
    sodium_memzero(secret.data(), secret.size());
    sodium_memzero(keys.secret_key.data(), keys.secret_key.size());
    if (!secret_ok) return "cannot write " + secret_path;
    if (!write_new(public_path,
                   base64_encode(keys.public_key.data(), keys.public_key.size()) + "\n", 0644)) {
        ::unlink(secret_path.c_str());
        return "cannot write " + public_path;
    }
    return keys.public_key;
}

std::variant<SealPublicKey, std::string> load_seal_public_key(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return path + ": no such file";
    const auto key = decode_key(std::string(std::istreambuf_iterator<char>(in), {}));
    if (!key) return path + ": not a public key (32 bytes in base64)";
    return *key;
}

std::variant<SealKeyPair, std::string> load_seal_key_pair(const std::string& secret_path) {
    auto text = load_secret_text(secret_path);
    if (auto* reason = std::get_if<std::string>(&text)) return *reason;
    auto& secret = std::get<SecretText>(text).value;
    const auto key = decode_key(secret);
    sodium_memzero(secret.data(), secret.size());
    if (!key) return secret_path + ": not a secret key (32 bytes in base64)";
    SealKeyPair keys;
    keys.secret_key = *key;
    crypto_scalarmult_base(keys.public_key.data(), keys.secret_key.data());
    return keys;
}

}  // namespace budget::server
