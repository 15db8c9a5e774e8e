#include "server/programs/startup.hpp"

#include <filesystem>

#include "config/files.hpp"
#include "labelling/questionnaire_toml.hpp"
#include "server/core/key_files.hpp"

namespace budget::server::programs {

std::variant<labelling::Questionnaire, std::string> load_questionnaire(
    const config::Config& config) {
    const auto& path = config.labelling.questionnaire;
    const auto text = config::read_text_file(path);
    if (!text) return path + ": cannot open the file";
    auto loaded = labelling::parse_questionnaire_toml(*text, path);
    if (!loaded) return loaded.error().message();
    return std::move(*loaded);
}

std::variant<config::CommuneDirectory, std::string> load_communes(const config::Config& config) {
    try {
        return config::CommuneDirectory::load(config.labelling.communes,
                                              config.labelling.territories);
    } catch (const config::ConfigError& e) {
        return std::string(e.what());
    }
}

std::optional<std::string> web_root_problem(const std::string& web_root) {
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::path(web_root) / "templates" / "layout.html", ec))
        return "web_root " + web_root +
               " holds the sources of the site; serve the site built from them: BUILD/web "
               "(cmake --build BUILD), or node scripts/build-web.mjs web OUT_DIR";
    return std::nullopt;
}

redis::ClusterSeeds cluster_seeds(const config::RedisConfig& redis) {
    redis::ClusterSeeds seeds;
    for (const auto& seed : redis.cluster) {
        redis::Target node;
        node.host = seed.host;
        node.port = seed.port;
        seeds.nodes.push_back(std::move(node));
    }
    return seeds;
}

std::variant<RedisCredentials, std::string> redis_credentials(const config::Config& config,
                                                              bool create_missing) {
    const auto& redis = config.redis;
    const auto path = redis.password_file.empty() ? redis_password_path(config.storage.data_dir)
                                                  : redis.password_file;
    std::error_code ec;
    if (redis.embedded && create_missing && !std::filesystem::exists(path, ec)) {
        if (auto reason = init_redis_password(path, false)) return *reason;
    }
    if (!redis.embedded && redis.password_file.empty() && !std::filesystem::exists(path, ec))
        return RedisCredentials{redis.user, ""};
    auto loaded = load_secret_text(path);
    if (auto* reason = std::get_if<std::string>(&loaded)) {
        if (redis.embedded && !create_missing)
            return *reason + " (budgetd makes it when it starts its embedded Redis)";
        return "[redis] password: " + *reason;
    }
    return RedisCredentials{redis.user, std::move(std::get<SecretText>(loaded).value)};
}

std::optional<Secrets> load_secrets(const std::string& data_dir) {
    auto signing_key = load_signing_key(data_dir);
    auto pepper = load_key32(identity_pepper_path(data_dir));
    if (!signing_key || !pepper) return std::nullopt;
    return Secrets{*signing_key, *pepper};
}

std::variant<std::optional<SealPublicKey>, std::string> load_audit_public_key(
    const config::Config& config) {
    const auto& path = config.identity.audit_public_key;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && !config.server.production)
        return std::optional<SealPublicKey>();
    auto key = load_seal_public_key(path);
    if (auto* reason = std::get_if<std::string>(&key)) {
        return "[identity] audit_public_key: " + *reason +
               (config.server.production
                    ? "; with [server] production = true every verified identity is sealed for "
                      "the duplicate audit: have the Mission run `budgetctl keys identity-audit "
                      "--secret-key FILE` (docs/verifiability.md)"
                    : "");
    }
    return std::optional<SealPublicKey>(std::get<SealPublicKey>(key));
}

}  // namespace budget::server::programs
