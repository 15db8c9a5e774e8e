#pragma once
// What the programs read from disk before anything runs: the reference data a configuration
// names (commune list, questionnaire) and the campaign's secrets. Files are opened here, parsed
// by the pure libraries; every failure is a one-line reason for the operator.

#include <optional>
#include <string>
#include <variant>

#include "config/communes.hpp"
#include "config/config.hpp"
#include "labelling/questionnaire.hpp"
#include "server/core/crypto.hpp"
#include "server/core/sealed_box.hpp"
#include "server/core/signing.hpp"
#include "server/redis/client.hpp"

namespace budget::server::programs {

/// The questionnaire of the configuration (the shipped one unless it names another).
std::variant<labelling::Questionnaire, std::string> load_questionnaire(
    const config::Config& config);

/// The commune directory of the configuration (communes mapped to territories).
std::variant<config::CommuneDirectory, std::string> load_communes(const config::Config& config);

/// Why `web_root` cannot be served, or std::nullopt: it must be a site built by
/// scripts/build-web.mjs (BUILD/web), not the sources in web/ (pages without their layout).
std::optional<std::string> web_root_problem(const std::string& web_root);

/// The seed nodes of `[redis] cluster`, as the client takes them.
redis::ClusterSeeds cluster_seeds(const config::RedisConfig& redis);

struct RedisCredentials {
    std::string user;
    std::string password;  ///< empty: no AUTH
};
/// The credentials of `[redis]`: its user, and the password of its password_file, or of
/// DATA_DIR/keys/redis-password when that file exists; none otherwise. With `embedded` the
/// password always exists: `create_missing` (budgetd, which runs that Redis) makes it. A
/// one-line reason when the file cannot be used (absent when named, readable by others...).
std::variant<RedisCredentials, std::string> redis_credentials(const config::Config& config,
                                                              bool create_missing);

struct Secrets {
    SigningKey signing_key;
    crypto::Key32 pepper{};
};
/// The signing key and the identity pepper of DATA_DIR/keys; std::nullopt when either is missing.
std::optional<Secrets> load_secrets(const std::string& data_dir);

/// The duplicate audit's public key ([identity] audit_public_key). Without the file: std::nullopt
/// (nothing is recorded) outside production, a reason with `[server] production = true`, where
/// every verified identity must be sealed for the audit. A file that is no key: a reason.
std::variant<std::optional<SealPublicKey>, std::string> load_audit_public_key(
    const config::Config& config);

}  // namespace budget::server::programs
