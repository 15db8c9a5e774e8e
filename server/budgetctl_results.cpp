#include "server/budgetctl_results.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "config/paris_time.hpp"
#include "server/budgetctl_redis.hpp"
#include "server/redis_keys.hpp"
#include "server/campaign_store.hpp"
#include "server/log_api.hpp"
#include "server/secrets.hpp"
#include "server/tally_service.hpp"
#include "voting/ballot.hpp"
#include "voting/pabulib.hpp"
#include "voting/results.hpp"

namespace budget::server {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out);
}

std::optional<std::string> option(const std::vector<std::string>& args, const std::string& name) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == name) return args[i + 1];
    }
    return std::nullopt;
}

// The sealed ballot and the whole log of a closed campaign, read with a blocking connection.
struct ClosedCampaign {
    std::shared_ptr<SealedBallot> ballot;
    std::vector<std::string> log;
    std::vector<std::uint64_t> shard_sizes;  ///< entries of each shard, in log order
};

std::variant<ClosedCampaign, std::string> read_closed_campaign(const config::Config& config,
                                                               SyncRedis& redis) {
    const auto& c = config.campaign;
    if (config::unix_now() <= c.vote_closes_unix)
        return std::string("the vote is not closed yet (it closes " + c.vote_closes + ")");
    const auto fields =
        redis.command({"HMGET", ballot_key(c.id), "document", "digest", "signature", "public_key"});
    if (fields.is_error()) return "redis: " + fields.str;
    if (fields.elements.size() != 4 || fields.elements[0].is_nil())
        return std::string("no sealed ballot: the vote never opened");
    auto parsed = CampaignStore::parse_ballot(fields.elements[0].str, fields.elements[1].str,
                                              fields.elements[2].str, fields.elements[3].str);
    if (!parsed) return std::string("the sealed ballot is corrupt (its digest does not match)");
    // The shard count fixed by the first ballot: reading another would leave ballots out.
    const auto cast_shards = redis.command({"GET", keys::ballot_shards(c.id)});
    if (cast_shards.is_error()) return "redis: " + cast_shards.str;
    if (!cast_shards.is_nil() && cast_shards.str != std::to_string(config.redis.ballot_shards)) {
        return "the ballots were cast into " + cast_shards.str + " shards but [redis] " +
               "ballot_shards = " + std::to_string(config.redis.ballot_shards) +
               "; set it back before the tally";
    }
    ClosedCampaign out{*parsed, {}, {}};
    for (int shard = 0; shard < config.redis.ballot_shards; ++shard) {
        const auto before = out.log.size();
        for (long long start = 0;; start += kTallyPage) {
            auto page = redis.command({"LRANGE", ballot_log_key(c.id, shard), std::to_string(start),
                                       std::to_string(start + kTallyPage - 1)});
            if (page.is_error()) return "redis: " + page.str;
            for (auto& e : page.elements) out.log.push_back(std::move(e.str));
            if (static_cast<long long>(page.elements.size()) < kTallyPage) break;
        }
        out.shard_sizes.push_back(out.log.size() - before);
    }
    return out;
}

}  // namespace

int run_tally_command(const config::Config& config, const std::vector<std::string>& args,
                      std::ostream& out, std::ostream& err) {
    const auto rule_name = option(args, "--rule");
    const auto rule = rule_name ? voting::parse_rule(*rule_name) : std::nullopt;
    if (!rule) {
        err << "budgetctl tally: --rule greedy|greedy-territorial|mes|mes-add1|mes-completed is "
               "required\n";
        return 2;
    }
    const auto key = load_signing_key(config.storage.data_dir);
    if (!key) {
        err << "budgetctl tally: no signing key in " << config.storage.data_dir
            << "/keys (budgetctl keys init)\n";
        return 1;
    }
    auto connected = SyncRedis::connect(config);
    if (auto* reason = std::get_if<std::string>(&connected)) {
        err << "budgetctl tally: " << *reason << "\n";
        return 1;
    }
    auto& redis = std::get<SyncRedis>(connected);
    if (redis.command({"EXISTS", "budget:{c" + config.campaign.id + "}:published"}).integer == 1) {
        err << "budgetctl tally: the results are already published\n";
        return 1;
    }
    auto campaign = read_closed_campaign(config, redis);
    if (auto* reason = std::get_if<std::string>(&campaign)) {
        err << "budgetctl tally: " << *reason << "\n";
        return 1;
    }
    auto& closed = std::get<ClosedCampaign>(campaign);
    auto tally = make_tally_builder(*closed.ballot);
    for (const auto& entry : closed.log) {
        if (auto added = tally.add(entry); !added) {
            err << "budgetctl tally: " << voting::describe(added.error()) << "\n";
            return 1;
        }
    }
    const int shards = config.redis.ballot_shards;
    std::vector<std::vector<std::string>> shard_heads;
    for (int shard = 0; shard < shards; ++shard) {
        auto heads =
            redis.command({"LRANGE", tree_heads_key(config.campaign.id, shard), "0", "-1"});
        if (heads.is_error()) {
            err << "budgetctl tally: redis: " << heads.str << "\n";
            return 1;
        }
        auto& texts = shard_heads.emplace_back();
        for (auto& e : heads.elements) texts.push_back(std::move(e.str));
    }
    const auto checked = check_tree_heads(tally.tree(), closed.shard_sizes, shard_heads);
    if (!checked) {
        const auto& m = checked.error();
        const auto of_shard = shards > 1 ? " of shard " + std::to_string(m.shard) : "";
        if (m.unreadable) {
            err << "budgetctl tally: a tree head" << of_shard
                << " published during the vote is unreadable; refusing to sign\n";
        } else {
            err << "budgetctl tally: the log does not extend the tree head of size " << m.tree_size
                << of_shard << " published during the vote; refusing to sign\n";
        }
        return 1;
    }
    const std::uint64_t heads_checked = *checked;
    auto results = finish_tally(config, *closed.ballot, tally, *rule, *key,
                                config::format_paris_time(config::unix_now()), heads_checked);
    if (!results) {
        err << "budgetctl tally: " << results.error() << "\n";
        return 1;
    }
    const auto stored =
        redis.command({"HSET", draft_results_key(config.campaign.id), "document", results->document,
                       "signature", results->signature, "public_key", results->public_key});
    if (stored.is_error()) {
        err << "budgetctl tally: redis: " << stored.str << "\n";
        return 1;
    }
    const fs::path dir = option(args, "--out").value_or(".");
    std::error_code ec;
    fs::create_directories(dir, ec);
    const auto document = json::parse(results->document).as_object();
    if (!write_text(dir / "results.json", json::serialize(results->to_json())) ||
        !write_text(dir / "ballots.json",
                    json::serialize(voting::make_ballot_export(closed.log, tally.tree()))) ||
        !write_text(dir / "results.csv", results_csv(document))) {
        err << "budgetctl tally: cannot write into " << dir << "\n";
        return 1;
    }
    out << "tallied " << tally.size() << " ballots with " << *rule_name << "; root "
        << voting::to_hex(tally.tree().root()) << "; " << heads_checked
        << " tree heads consistent\n";
    for (const auto& w : document.at("winners").as_array()) {
        out << "  funded " << json::value_to<std::string>(w.at("id")) << ": "
            << w.at("amount_eur").to_number<std::int64_t>() << " EUR, "
            << w.at("votes").to_number<std::int64_t>() << " votes\n";
    }
    out << "wrote " << (dir / "results.json").string()
        << ", ballots.json and results.csv; publish with "
        << "POST /api/v1/admin/publish\n";
    return 0;
}

int run_verify_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty() || args[0].rfind("--", 0) == 0) {
        err << "usage: budgetctl verify RESULTS.json --ballots EXPORT.json [--public-key BASE64]\n";
        return 2;
    }
    const auto ballots_path = option(args, "--ballots");
    if (!ballots_path) {
        err << "budgetctl verify: --ballots EXPORT.json is required (GET /api/v1/ballots/export)\n";
        return 2;
    }
    const auto results_text = read_text(args[0]);
    const auto export_text = read_text(*ballots_path);
    if (!results_text || !export_text) {
        err << "budgetctl verify: cannot read " << (!results_text ? args[0] : *ballots_path)
            << "\n";
        return 2;
    }
    boost::system::error_code ec1, ec2;
    const auto results = json::parse(*results_text, ec1);
    const auto ballots = json::parse(*export_text, ec2);
    if (ec1 || ec2) {
        err << "budgetctl verify: " << (ec1 ? args[0] : *ballots_path) << " is not JSON\n";
        return 1;
    }
    const auto verified =
        voting::verify_results(results, ballots, option(args, "--public-key").value_or(""));
    if (!verified) {
        err << "verify: FAILED: " << verified.error() << "\n";
        return 1;
    }
    out << "verify: OK: signature valid; " << verified->ballots << " ballots rebuild the root "
        << verified->root << "; the recount and the rule give the published winners ("
        << verified->winners.size() << ")\n";
    return 0;
}

int run_pabulib_command(const config::Config& config, const std::vector<std::string>& args,
                        std::ostream& out, std::ostream& err) {
    if (args.size() != 2 || args[0] != "export") {
        err << "usage: budgetctl --config FILE pabulib export FILE.pb\n";
        return 2;
    }
    auto connected = SyncRedis::connect(config);
    if (auto* reason = std::get_if<std::string>(&connected)) {
        err << "budgetctl pabulib: " << *reason << "\n";
        return 1;
    }
    auto campaign = read_closed_campaign(config, std::get<SyncRedis>(connected));
    if (auto* reason = std::get_if<std::string>(&campaign)) {
        err << "budgetctl pabulib: " << *reason << "\n";
        return 1;
    }
    const auto& closed = std::get<ClosedCampaign>(campaign);
    auto tally = make_tally_builder(*closed.ballot);
    for (const auto& entry : closed.log) {
        if (auto added = tally.add(entry); !added) {
            err << "budgetctl pabulib: " << voting::describe(added.error()) << "\n";
            return 1;
        }
    }
    const auto& c = config.campaign;
    auto pabulib_date = [](const std::string& rfc3339) {  // dd.mm.yyyy
        return rfc3339.substr(8, 2) + "." + rfc3339.substr(5, 2) + "." + rfc3339.substr(0, 4);
    };
    voting::PabulibInstance instance;
    instance.meta = {{"description", c.title},
                     {"country", "France"},
                     {"unit", "Pas-de-Calais"},
                     {"instance", c.id},
                     {"vote_type", "approval"},
                     {"min_length", "1"},
                     {"max_length", std::to_string(c.max_choices)},
                     {"date_begin", pabulib_date(c.vote_opens)},
                     {"date_end", pabulib_date(c.vote_closes)},
                     {"language", "fr"},
                     {"currency", "EUR"},
                     {"comment", "Budget citoyen export: anonymous ballots in log order"}};
    instance.budget = c.envelope_eur;
    instance.project_columns = {"votes", "name", "category", "territory"};
    for (std::size_t i = 0; i < closed.ballot->initiatives.size(); ++i) {
        const auto& b = closed.ballot->initiatives[i];
        instance.projects.push_back(voting::Project{b.id, b.amount_eur, b.territory});
        instance.project_fields.push_back(
            {std::to_string(tally.votes()[i]), b.title, b.category, b.territory});
    }
    // Voters are numbered in log order: nothing in the file points to a person.
    for (std::size_t i = 0; i < tally.ballots().size(); ++i)
        instance.voter_ids.push_back(std::to_string(i + 1));
    instance.ballots = tally.ballots();
    std::ofstream file(args[1], std::ios::binary | std::ios::trunc);
    if (!file) {
        err << "budgetctl pabulib: cannot write " << args[1] << "\n";
        return 1;
    }
    voting::write_pabulib(file, instance);
    out << "wrote " << args[1] << ": " << instance.projects.size() << " projects, "
        << instance.ballots.size() << " anonymous approval ballots\n";
    return 0;
}

}  // namespace budget::server
