#include "server/programs/budgetctl_storage.hpp"

#include <pwd.h>
#include <unistd.h>

#include <ostream>
#include <variant>

#include "config/files.hpp"
#include "config/paris_time.hpp"
#include "server/core/clock.hpp"
#include "server/programs/budgetctl_redis.hpp"
#include "server/programs/startup.hpp"
#include "server/storage/ballot_store.hpp"
#include "server/storage/campaign_store.hpp"
#include "server/storage/identity_audit_store.hpp"
#include "server/storage/keys.hpp"
#include "server/storage/purge_store.hpp"

namespace budget::server::programs {

namespace {

constexpr const char* kUsage =
    "usage: budgetctl --config FILE storage keys        the campaign's Redis keys, by name\n"
    "       budgetctl --config FILE storage ledger      each shard: log, voted markers, total\n"
    "       budgetctl storage cast-script               the Lua script that casts a ballot\n"
    "       budgetctl --config FILE storage seal-ballot FILE.json\n"
    "                 seal a ballot document given whole (load tests and benchmarks only: it\n"
    "                 skips the labelling), signed with the campaign key\n";

void print_keys(const config::Config& config, std::ostream& out) {
    const auto& c = config.campaign.id;
    namespace k = storage::keys;
    for (const auto& [name, key] :
         {std::pair<const char*, std::string>{"published", k::published(c)},
          {"closed", k::closed(c)},
          {"ballot_shards", k::ballot_shards(c)},
          {"sealed_ballot", k::sealed_ballot(c)},
          {"initiatives", k::initiatives(c)},
          {"evaluations", k::evaluations(c)},
          {"decisions", k::decisions(c)},
          {"labelling_version", k::labelling_version(c)},
          {"audit", k::audit(c)},
          {"results", k::results(c)},
          {"draft_results", k::draft_results(c)},
          // The purge (issue 18): when each stage first ran, and budgetd's claim on it.
          {"purged", k::purged(c)},
          {"holders_purged", k::holders_purged(c)},
          {"purge_claim", k::purge_claim(c)}}) {
        out << name << ' ' << key << '\n';
    }
    for (int shard = 0; shard < config.redis.ballot_shards; ++shard) {
        const auto suffix = ":" + std::to_string(shard) + " ";
        out << "ballot_log" << suffix << k::ballot_log(c, shard) << '\n'
            << "receipts" << suffix << k::receipts(c, shard) << '\n'
            << "ballot_stats" << suffix << k::ballot_stats(c, shard) << '\n'
            << "ballot_claims" << suffix << k::ballot_claims(c, shard) << '\n'
            << "tree_heads" << suffix << k::tree_heads(c, shard) << '\n'
            << "voted_markers" << suffix << k::voted_pattern(c, shard) << '\n';
    }
    // Holders' applications (issue 17): the files, each holder's set of files (one key per
    // holder), holder sessions (one key per session); holder codes live in their own slots.
    out << "applications " << k::applications(c) << '\n'
        << "holder_applications " << k::holder_applications(c, "*") << '\n'
        << "holder_codes " << k::email(k::holder_codes_campaign(c), "*") << '\n';
    // The sealed identities of the duplicate audit (docs/verifiability.md), in their own slots.
    for (int b = 0; b < storage::IdentityAuditStore::kBuckets; ++b)
        out << "identity_audit:" << b << ' ' << storage::IdentityAuditStore::bucket_key(c, b)
            << '\n';
}

std::string operator_name() {
    if (const auto* pw = ::getpwuid(::getuid())) return std::string("budgetctl:") + pw->pw_name;
    return "budgetctl:uid" + std::to_string(::getuid());
}

int print_ledger(const config::Config& config, redis::BlockingClient& redis, std::ostream& out,
                 std::ostream& err) {
    storage::BallotStore ballots(redis.client(), config);
    long long log = 0, voted = 0, total = 0;
    for (int shard = 0; shard < config.redis.ballot_shards; ++shard) {
        const auto ledger = redis.run(ballots.ledger(shard));
        if (!ledger) {
            err << "budgetctl storage: cannot read shard " << shard << "\n";
            return 1;
        }
        out << "shard " << shard << ": log " << ledger->log_length << ", voted "
            << ledger->voted_markers << ", participation " << ledger->stats_total << '\n';
        log += ledger->log_length;
        voted += ledger->voted_markers;
        total += ledger->stats_total;
    }
    out << "total: log " << log << ", voted " << voted << ", participation " << total << '\n';
    // After the purge (issue 18) the markers are gone on purpose: not a mismatch to chase.
    const auto purged = redis.run(storage::purged_at(redis.client(), config.campaign.id));
    if (purged && *purged) {
        out << "voted markers purged on " << config::format_paris_time(**purged)
            << " (budgetctl purge): the log and participation are the count\n";
    }
    return 0;
}

int seal_ballot(const config::Config& config, redis::BlockingClient& redis, const std::string& path,
                std::ostream& out, std::ostream& err) {
    const auto document = config::read_text_file(path);
    if (!document) {
        err << "budgetctl storage: cannot read " << path << "\n";
        return 1;
    }
    const auto secrets = load_secrets(config.storage.data_dir);
    auto questionnaire = load_questionnaire(config);
    if (!secrets || std::holds_alternative<std::string>(questionnaire)) {
        err << "budgetctl storage: no keys or no questionnaire for " << config.source << "\n";
        return 1;
    }
    const SystemClock clock;
    storage::CampaignStore campaign(redis.client(), config.campaign,
                                    std::get<labelling::Questionnaire>(questionnaire),
                                    secrets->signing_key, clock);
    const auto sealed = redis.run(campaign.seal_document(*document, operator_name()));
    if (!sealed) {
        err << "budgetctl storage: Redis did not take the ballot\n";
        return 1;
    }
    if (!*sealed) {
        err << "budgetctl storage: a ballot is sealed already; nothing changed\n";
        return 1;
    }
    out << "sealed " << path << " as the ballot of campaign " << config.campaign.id << "\n";
    return 0;
}

}  // namespace

int run_storage_command(const config::Config& config, const std::vector<std::string>& args,
                        std::ostream& out, std::ostream& err) {
    const auto command = args.empty() ? std::string() : args[0];
    if (command == "cast-script" && args.size() == 1) {
        out << storage::BallotStore::cast_script_source();
        return 0;
    }
    if (command == "keys" && args.size() == 1) {
        print_keys(config, out);
        return 0;
    }
    if (!((command == "ledger" && args.size() == 1) ||
          (command == "seal-ballot" && args.size() == 2))) {
        err << kUsage;
        return 2;
    }
    auto connected = connect_redis(config);
    if (auto* reason = std::get_if<std::string>(&connected)) {
        err << "budgetctl storage: " << *reason << "\n";
        return 1;
    }
    auto& redis = *std::get<std::unique_ptr<redis::BlockingClient>>(connected);
    if (command == "ledger") return print_ledger(config, redis, out, err);
    return seal_ballot(config, redis, args[1], out, err);
}

}  // namespace budget::server::programs
