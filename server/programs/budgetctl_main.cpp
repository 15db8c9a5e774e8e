// budgetctl: administration commands (API.md, "Programs").
#include <sodium.h>

#include <iostream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "server/core/key_files.hpp"
#include "server/core/signing.hpp"
#include "server/programs/budgetctl_allocate.hpp"
#include "server/programs/budgetctl_identities.hpp"
#include "server/programs/budgetctl_purge.hpp"
#include "server/programs/budgetctl_results.hpp"
#include "server/programs/budgetctl_staff.hpp"
#include "server/programs/budgetctl_storage.hpp"
#include "server/redis/acl.hpp"

using namespace budget;
using namespace budget::server::programs;

namespace {

constexpr const char* kUsage =
    "usage: budgetctl --config FILE <command>\n"
    "       budgetctl allocate --rule RULE --pabulib FILE.pb\n"
    "commands:\n"
    "  keys init [--force]   create the Ed25519 signing key and the identity HMAC pepper\n"
    "  keys show             print the public key (base64) and its fingerprint\n"
    "  keys redis-password [--force]\n"
    "                        create the password of budgetd's Redis ACL user ([redis]\n"
    "                        password_file, default DATA_DIR/keys/redis-password, 0600) and\n"
    "                        print the ACL line to give Redis (docs/deploy.md)\n"
    "  keys identity-audit --secret-key FILE\n"
    "                        the duplicate audit's key pair: the public key to [identity]\n"
    "                        audit_public_key, the secret key to FILE (0600, kept offline)\n"
    "  identities audit --secret-key FILE [--json] [--network-threshold N]\n"
    "                        open the sealed identity records and list likely duplicates\n"
    "  user add --role committee|mission --username U [--replace]\n"
    "                        create a staff account; the password (12+ characters) is read\n"
    "                        from stdin. With [redis] embedded = true, budgetd must be running\n"
    "                        (its Redis listens on DATA_DIR/redis.sock only while it runs)\n"
    "  close [--reason TEXT]  close the vote now (audited); no ballot is accepted afterwards,\n"
    "                        whatever a server's clock says\n"
    "  initiatives import FILE.json\n"
    "                        add initiatives (one, a list, or {\"initiatives\":[...]}); every\n"
    "                        row is checked and nothing is written if one is refused\n"
    "  tally --rule RULE [--out DIR]\n"
    "                        count the closed vote, sign the results (draft until published)\n"
    "                        and write results.json, ballots.json and results.csv into DIR\n"
    "  pabulib export FILE.pb\n"
    "                        the closed campaign as an anonymous pabulib instance\n"
    "  purge [--dry-run] [--holders]\n"
    "                        after publication: remove codes, counters, bindings, voted markers,\n"
    "                        claims, sessions and the outbox, keep ballots, log, heads, results\n"
    "                        and audit; --holders: also holders' contacts and attachments, once\n"
    "                        [privacy] holders_retention_days have passed (docs/api.md)\n"
    "  storage keys | ledger | seal-ballot FILE.json\n"
    "                        the campaign's Redis keys by name; each shard's log, voted markers\n"
    "                        and participation; seal a ballot document given whole (load tests)\n"
    "       budgetctl verify RESULTS.json --ballots EXPORT.json (--public-key BASE64 | "
    "--fingerprint HEX)\n"
    "                        check the signature, the root and the count (no config needed)\n"
    "       budgetctl storage cast-script\n"
    "                        the Lua script that casts a ballot (for the ballot benchmark)\n";

int keys_command(const config::Config& cfg, const std::vector<std::string>& args) {
    if (args.empty()) {
        std::cerr << kUsage;
        return 2;
    }
    if (args[0] == "init") {
        const bool force = args.size() > 1 && args[1] == "--force";
        if (auto error = server::init_keys(cfg.storage.data_dir, force)) {
            std::cerr << "budgetctl: " << *error << "\n";
            return 1;
        }
        const auto key = server::load_signing_key(cfg.storage.data_dir);
        std::cout << "keys written to " << cfg.storage.data_dir << "/keys (mode 0600)\n"
                  << "public key: "
                  << server::base64_encode(key->public_key.data(), key->public_key.size()) << "\n"
                  << "fingerprint (sha256): " << server::key_fingerprint(key->public_key) << "\n";
        return 0;
    }
    if (args[0] == "show") {
        const auto key = server::load_signing_key(cfg.storage.data_dir);
        if (!key) {
            std::cerr << "budgetctl: no signing key in " << cfg.storage.data_dir
                      << "/keys; run `budgetctl keys init`\n";
            return 1;
        }
        std::cout << "public key: "
                  << server::base64_encode(key->public_key.data(), key->public_key.size()) << "\n"
                  << "fingerprint (sha256): " << server::key_fingerprint(key->public_key) << "\n";
        return 0;
    }
    if (args[0] == "identity-audit") return run_audit_keys_command(cfg, args, std::cout, std::cerr);
    if (args[0] == "redis-password") {
        const bool force = args.size() > 1 && args[1] == "--force";
        const auto path = cfg.redis.password_file.empty()
                              ? server::redis_password_path(cfg.storage.data_dir)
                              : cfg.redis.password_file;
        if (auto error = server::init_redis_password(path, force)) {
            std::cerr << "budgetctl: " << *error << "\n";
            return 1;
        }
        const auto password = server::load_secret_text(path);
        const auto user = cfg.redis.user.empty() ? std::string("default") : cfg.redis.user;
        std::cout << "Redis password written to " << path << " (mode 0600)\n"
                  << "ACL line for Redis (aclfile or redis.conf; on every node of a cluster):\n"
                  << server::redis::acl_user_line(user,
                                                  std::get<server::SecretText>(password).value)
                  << "\n";
        return 0;
    }
    std::cerr << "budgetctl: unknown keys command " << args[0] << "\n" << kUsage;
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (sodium_init() < 0) {
        std::cerr << "budgetctl: libsodium could not be initialised\n";
        return 1;
    }
    std::string config_path;
    if (args.size() >= 2 && args[0] == "--config") {
        config_path = args[1];
        args.erase(args.begin(), args.begin() + 2);
    }
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << kUsage;
        return args.empty() ? 2 : 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    if (command == "allocate") return server::run_allocate_command(args, std::cout, std::cerr);
    if (command == "verify") return run_verify_command(args, std::cout, std::cerr);
    if (command == "storage" && config_path.empty() && args.size() == 1 &&
        args[0] == "cast-script") {
        return run_storage_command(config::Config{}, args, std::cout, std::cerr);
    }

    if (config_path.empty()) {
        std::cerr << "budgetctl: " << command << " needs --config FILE\n" << kUsage;
        return 2;
    }
    config::Config cfg;
    try {
        cfg = config::load_config(config_path);
    } catch (const config::ConfigError& e) {
        std::cerr << "budgetctl: " << e.what() << "\n";
        return 2;
    }
    if (command == "keys") return keys_command(cfg, args);
    if (command == "identities") return run_identities_command(cfg, args, std::cout, std::cerr);
    if (command == "user") return run_user_command(cfg, args, std::cin, std::cout, std::cerr);
    if (command == "initiatives") {
        return run_initiatives_command(cfg, args, std::cout, std::cerr);
    }
    if (command == "close") return run_close_command(cfg, args, std::cout, std::cerr);
    if (command == "tally") return run_tally_command(cfg, args, std::cout, std::cerr);
    if (command == "pabulib") return run_pabulib_command(cfg, args, std::cout, std::cerr);
    if (command == "storage") return run_storage_command(cfg, args, std::cout, std::cerr);
    if (command == "purge") return run_purge_command(cfg, args, std::cout, std::cerr);
    std::cerr << "budgetctl: unknown command " << command << "\n" << kUsage;
    return 2;
}
