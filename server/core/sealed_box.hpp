#pragma once
// Records sealed to a public key whose secret half stays offline (libsodium sealed boxes:
// X25519 + XSalsa20-Poly1305 with an ephemeral sender key). budgetd holds only the public key:
// it can seal a record but never open one, not even its own; the Mission opens them with the
// secret key on its own machine (`budgetctl identities audit --secret-key FILE`).
//
// Key files hold base64 (standard alphabet) and a line break: the public key readable, the
// secret key written 0600 and refused when readable by others.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace budget::server {

using SealPublicKey = std::array<unsigned char, 32>;

struct SealKeyPair {
    SealPublicKey public_key{};
    std::array<unsigned char, 32> secret_key{};
};

/// A new random key pair.
SealKeyPair make_seal_key_pair();

/// `plaintext` sealed to `key` (48 bytes longer, binary). Two seals of one text differ.
std::string seal_to(const SealPublicKey& key, std::string_view plaintext);

/// The plaintext of a sealed record; std::nullopt when it was sealed to another key, altered,
/// truncated, or is no sealed box.
std::optional<std::string> open_sealed(const SealKeyPair& keys, std::string_view sealed);

/// Hex SHA-256 of the public key, as `budgetctl keys identity-audit` prints it (the same form as
/// the campaign key's fingerprint).
std::string seal_key_fingerprint(const SealPublicKey& key);

/// Writes a new key pair: the public key to `public_path` (0644), the secret key to
/// `secret_path` (0600). Refuses (returns a reason) when either file exists: records sealed to
/// the old key would stay unreadable without it. The public key of the pair on success.
std::variant<SealPublicKey, std::string> write_seal_key_pair(const std::string& public_path,
                                                             const std::string& secret_path);

/// The public key of a file written by write_seal_key_pair, or why it cannot be used.
std::variant<SealPublicKey, std::string> load_seal_public_key(const std::string& path);

/// The key pair of a secret key file (the public key is derived from it), or why it cannot be
/// used: absent, readable by group or others, not 32 bytes of base64.
std::variant<SealKeyPair, std::string> load_seal_key_pair(const std::string& secret_path);

}  // namespace budget::server
