#include "server/core/key_files.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace budget::server {

namespace fs = std::filesystem;

std::string signing_key_path(const std::string& d) { return d + "/keys/campaign.ed25519"; }
std::string public_key_path(const std::string& d) { return d + "/keys/campaign.ed25519.pub"; }
std::string identity_pepper_path(const std::string& d) { return d + "/keys/identity.hmac"; }
std::string redis_password_path(const std::string& d) { return d + "/keys/redis-password"; }

namespace {

bool write_private(const std::string& path, const unsigned char* data, std::size_t size,
                   mode_t mode) {
    // Created with its final mode: the secret is never readable by others, not even briefly.
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return false;
    const bool ok = ::write(fd, data, size) == static_cast<ssize_t>(size) && ::fsync(fd) == 0;
    ::close(fd);
    ::chmod(tmp.c_str(), mode);
    return ok && ::rename(tmp.c_str(), path.c_str()) == 0;
}

std::optional<std::vector<unsigned char>> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

std::optional<std::string> init_keys(const std::string& data_dir, bool force) {
    if (sodium_init() < 0) return "libsodium could not be initialised";
    std::error_code ec;
    const auto dir = fs::path(data_dir) / "keys";
    fs::create_directories(dir, ec);
    if (ec) return "cannot create " + dir.string() + ": " + ec.message();
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (!force &&
        (fs::exists(signing_key_path(data_dir)) || fs::exists(identity_pepper_path(data_dir)))) {
        return "keys already exist in " + dir.string() +
               "; refusing to replace them (published signatures would no longer verify). "
               "Use --force to replace them anyway.";
    }
    SigningKey key;
    crypto_sign_keypair(key.public_key.data(), key.secret_key.data());
    std::array<unsigned char, 32> pepper{};
    randombytes_buf(pepper.data(), pepper.size());
    const bool ok =
        write_private(signing_key_path(data_dir), key.secret_key.data(), key.secret_key.size(),
                      0600) &&
        write_private(public_key_path(data_dir), key.public_key.data(), key.public_key.size(),
                      0600) &&
        write_private(identity_pepper_path(data_dir), pepper.data(), pepper.size(), 0600);
    sodium_memzero(key.secret_key.data(), key.secret_key.size());
    sodium_memzero(pepper.data(), pepper.size());
    if (!ok) return "cannot write the key files in " + dir.string();
    return std::nullopt;
}

std::optional<std::string> init_redis_password(const std::string& path, bool force) {
    if (sodium_init() < 0) return "libsodium could not be initialised";
    std::error_code ec;
    const auto dir = fs::path(path).parent_path();
    if (!dir.empty()) {
        fs::create_directories(dir, ec);
        if (ec) return "cannot create " + dir.string() + ": " + ec.message();
    }
    if (!force && fs::exists(path, ec)) {
        return "a Redis password exists already in " + path +
               "; refusing to replace it (Redis's ACL holds it). Use --force to replace it, then "
               "update the ACL.";
    }
    // Hex: no character that a shell, redis-cli or an ACL file would read specially.
    std::array<unsigned char, 32> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    std::string text = crypto::to_hex(bytes.data(), bytes.size()) + "\n";
    sodium_memzero(bytes.data(), bytes.size());
    const bool ok =
        write_private(path, reinterpret_cast<const unsigned char*>(text.data()), text.size(), 0600);
    sodium_memzero(text.data(), text.size());
    if (!ok) return "cannot write " + path;
    return std::nullopt;
}

std::variant<SecretText, std::string> load_secret_text(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return path + ": no such file";
    if ((st.st_mode & 077) != 0) {
        return path + ": readable by others (mode " + std::to_string((st.st_mode >> 6) & 7) +
               std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7) +
               "); make it 0600 (chmod 600)";
    }
    const auto data = read_all(path);
    if (!data) return path + ": cannot read the file";
    std::string text(data->begin(), data->end());
    if (const auto end = text.find_first_of("\r\n"); end != std::string::npos) text.resize(end);
    if (text.empty()) return path + ": empty";
    return SecretText{std::move(text)};
}

std::optional<SigningKey> load_signing_key(const std::string& data_dir) {
    const auto secret = read_all(signing_key_path(data_dir));
    if (!secret || secret->size() != 64) return std::nullopt;
    SigningKey key;
    std::copy(secret->begin(), secret->end(), key.secret_key.begin());
    crypto_sign_ed25519_sk_to_pk(key.public_key.data(), key.secret_key.data());
    return key;
}

std::optional<crypto::Key32> load_key32(const std::string& path) {
    const auto data = read_all(path);
    if (!data || data->size() != 32) return std::nullopt;
    crypto::Key32 key{};
    std::copy(data->begin(), data->end(), key.begin());
    return key;
}

}  // namespace budget::server
