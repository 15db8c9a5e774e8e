#include "server/programs/budgetctl_identities.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <charconv>
#include <ostream>
#include <variant>

#include "server/core/sealed_box.hpp"
#include "server/programs/budgetctl_redis.hpp"
#include "server/storage/identity_audit_store.hpp"
#include "voting/duplicates.hpp"

namespace budget::server::programs {

namespace json = boost::json;

namespace {

constexpr const char* kUsage =
    "usage: budgetctl --config FILE keys identity-audit --secret-key FILE\n"
    "           a new key pair for the duplicate audit: the public key to [identity]\n"
    "           audit_public_key (default DATA_DIR/keys/identity-audit.pub), the secret key to\n"
    "           FILE (0600), to keep offline with the Mission; never replaces either\n"
    "       budgetctl --config FILE identities audit --secret-key FILE [--json]\n"
    "                 [--network-threshold N]\n"
    "           open every sealed identity record and list the likely duplicates: same birth\n"
    "           date and commune with names at edit distance <= 2 (close_names); same names\n"
    "           with birth dates <= 31 days apart (close_birth_dates); N or more identities\n"
    "           from one network in one hour (busy_network, default 20)\n";

/// The options of both commands.
struct Options {
    std::string secret_key;
    bool json = false;
    int network_threshold = voting::DuplicateRules{}.network_hour_threshold;
};

std::optional<Options> parse_options(const std::vector<std::string>& args, bool audit,
                                     std::ostream& err) {
    Options o;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const auto& a = args[i];
        if (a == "--secret-key" && i + 1 < args.size()) {
            o.secret_key = args[++i];
        } else if (audit && a == "--json") {
            o.json = true;
        } else if (audit && a == "--network-threshold" && i + 1 < args.size()) {
            const auto& v = args[++i];
            const auto [end, ec] =
                std::from_chars(v.data(), v.data() + v.size(), o.network_threshold);
            if (ec != std::errc() || end != v.data() + v.size() || o.network_threshold < 2) {
                err << "budgetctl: --network-threshold takes a whole number of at least 2\n";
                return std::nullopt;
            }
        } else {
            err << "budgetctl: unexpected argument " << a << "\n" << kUsage;
            return std::nullopt;
        }
    }
    if (o.secret_key.empty()) {
        err << "budgetctl: --secret-key FILE is required\n" << kUsage;
        return std::nullopt;
    }
    return o;
}

std::string date_text(const voting::Date& d) {
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02d-%02d", d.year, d.month, d.day);
    return out;
}

json::value record_json(const voting::AuditRecord& r) {
    return json::parse(voting::audit_record_json(r));
}

/// One line a person reads: "Jean Pierre DUPONT (usage name MARTIN), born 1980-05-17, commune
/// 62041, email (example.org), 2026-09-12T10h, network 3fa2c4d1".
std::string record_line(const voting::AuditRecord& r) {
    std::string line = r.shown_given_names + " " + r.shown_birth_name;
    if (!r.shown_usage_name.empty()) line += " (usage name " + r.shown_usage_name + ")";
    line += ", born " + date_text(r.birth_date) + ", commune " + r.commune + ", " + r.method;
    if (!r.mailbox_domain.empty()) line += " (" + r.mailbox_domain + ")";
    line += ", verified " + r.hour + "h, network " + r.network.substr(0, 8);
    return line;
}

std::vector<std::string> rules_of(const voting::DuplicatePair& p) {
    std::vector<std::string> out;
    if (p.close_names) out.emplace_back("close_names");
    if (p.close_birth_dates) out.emplace_back("close_birth_dates");
    return out;
}

void print_json(const std::vector<voting::AuditRecord>& records, std::size_t unreadable,
                const voting::DuplicateRules& rules, const voting::Duplicates& found,
                std::ostream& out) {
    json::array pairs;
    for (const auto& p : found.pairs) {
        json::array names;
        for (const auto& r : rules_of(p)) names.emplace_back(r);
        json::object o{{"rules", std::move(names)},
                       {"days_apart", p.days_apart},
                       {"records", json::array{record_json(records[p.first]),
                                               record_json(records[p.second])}}};
        if (p.name_distance <= rules.max_name_distance) o["name_distance"] = p.name_distance;
        pairs.push_back(std::move(o));
    }
    json::array networks;
    for (const auto& n : found.busy_networks) {
        json::array members;
        for (const auto i : n.records) members.push_back(record_json(records[i]));
        networks.push_back(json::object{{"rule", "busy_network"},
                                        {"network", n.network},
                                        {"hour", n.hour},
                                        {"count", n.records.size()},
                                        {"records", std::move(members)}});
    }
    out << json::serialize(
               json::object{{"records", records.size()},
                            {"unreadable", unreadable},
                            {"rules",
                             {{"max_name_distance", rules.max_name_distance},
                              {"max_days_apart", rules.max_days_apart},
                              {"network_hour_threshold", rules.network_hour_threshold}}},
                            {"pairs", std::move(pairs)},
                            {"busy_networks", std::move(networks)},
                            {"truncated", found.truncated}})
        << "\n";
}

void print_text(const config::Config& config, const std::vector<voting::AuditRecord>& records,
                std::size_t unreadable, const voting::DuplicateRules& rules,
                const voting::Duplicates& found, std::ostream& out) {
    out << "identity audit of campaign " << config.campaign.id << ": " << records.size()
        << " record(s) opened, " << unreadable << " could not be opened\n"
        << "rules: close_names (same birth date and commune, names at edit distance <= "
        << rules.max_name_distance
        << "), close_birth_dates (same names, birth dates <= " << rules.max_days_apart
        << " days apart), busy_network (" << rules.network_hour_threshold
        << " or more identities from one network in one hour)\n";
    out << found.pairs.size() << " likely duplicate pair(s)"
        << (found.truncated ? " (truncated: more were found)" : "") << "\n";
    std::size_t n = 0;
    for (const auto& p : found.pairs) {
        out << "  " << ++n << ".";
        for (const auto& r : rules_of(p)) out << " " << r;
        if (p.name_distance <= rules.max_name_distance)
            out << " (names at distance " << p.name_distance << ")";
        if (p.days_apart > 0) out << " (born " << p.days_apart << " day(s) apart)";
        out << "\n     " << record_line(records[p.first]) << "\n     "
            << record_line(records[p.second]) << "\n";
    }
    out << found.busy_networks.size() << " busy network(s)\n";
    for (const auto& b : found.busy_networks) {
        out << "  network " << b.network.substr(0, 8) << ", " << b.hour << "h: " << b.records.size()
            << " identities\n";
        for (const auto i : b.records) out << "     " << record_line(records[i]) << "\n";
    }
    out << "These are leads for the Mission to investigate, not proofs: see "
           "docs/verifiability.md.\n";
}

}  // namespace

int run_audit_keys_command(const config::Config& config, const std::vector<std::string>& args,
                           std::ostream& out, std::ostream& err) {
    const auto options = parse_options(args, false, err);
    if (!options) return 2;
    const auto& public_path = config.identity.audit_public_key;
    const auto written = write_seal_key_pair(public_path, options->secret_key);
    if (const auto* reason = std::get_if<std::string>(&written)) {
        err << "budgetctl: " << *reason << "\n";
        return 1;
    }
    out << "audit public key written to " << public_path << "\n"
        << "secret key written to " << options->secret_key
        << " (mode 0600): keep it offline with the Mission; budgetd never needs it\n"
        << "fingerprint (sha256): " << seal_key_fingerprint(std::get<SealPublicKey>(written))
        << "\n";
    return 0;
}

int run_identities_command(const config::Config& config, const std::vector<std::string>& args,
                           std::ostream& out, std::ostream& err) {
    if (args.empty() || args[0] != "audit") {
        err << kUsage;
        return 2;
    }
    const auto options = parse_options(args, true, err);
    if (!options) return 2;
    auto loaded = load_seal_key_pair(options->secret_key);
    if (const auto* reason = std::get_if<std::string>(&loaded)) {
        err << "budgetctl: " << *reason << "\n";
        return 1;
    }
    auto& keys = std::get<SealKeyPair>(loaded);
    // A secret key of another pair opens nothing: say so before reading a million records.
    if (const auto configured = load_seal_public_key(config.identity.audit_public_key);
        std::holds_alternative<SealPublicKey>(configured) &&
        std::get<SealPublicKey>(configured) != keys.public_key) {
        err << "budgetctl: warning: " << options->secret_key << " is not the secret key of "
            << config.identity.audit_public_key << " (fingerprint "
            << seal_key_fingerprint(std::get<SealPublicKey>(configured))
            << "); records sealed to that key will not open\n";
    }

    auto connection = connect_redis(config);
    if (auto* reason = std::get_if<std::string>(&connection)) {
        err << "budgetctl: " << *reason << "\n";
        sodium_memzero(keys.secret_key.data(), keys.secret_key.size());
        return 1;
    }
    auto& client = *std::get<std::unique_ptr<redis::BlockingClient>>(connection);
    storage::IdentityAuditStore store(client.client(), config.campaign.id);
    std::vector<voting::AuditRecord> records;
    std::size_t unreadable = 0;
    for (int k = 0; k < storage::IdentityAuditStore::kBuckets; ++k) {
        const auto sealed = client.run(store.bucket(k));
        if (!sealed) {
            err << "budgetctl: cannot read the identity records from Redis (bucket " << k
                << "); nothing is listed\n";
            sodium_memzero(keys.secret_key.data(), keys.secret_key.size());
            return 1;
        }
        for (const auto& blob : *sealed) {
            auto opened = open_sealed(keys, blob);
            auto record = opened ? voting::parse_audit_record(*opened) : std::nullopt;
            if (opened) sodium_memzero(opened->data(), opened->size());
            if (record) {
                records.push_back(std::move(*record));
            } else {
                ++unreadable;
            }
        }
    }
    sodium_memzero(keys.secret_key.data(), keys.secret_key.size());

    voting::DuplicateRules rules;
    rules.network_hour_threshold = options->network_threshold;
    const auto found = voting::find_duplicates(records, rules);
    if (options->json) {
        print_json(records, unreadable, rules, found, out);
    } else {
        print_text(config, records, unreadable, rules, found, out);
    }
    if (unreadable > 0) {
        err << "budgetctl: " << unreadable
            << " record(s) could not be opened: sealed to another key, or altered\n";
        return 1;
    }
    return 0;
}

}  // namespace budget::server::programs
