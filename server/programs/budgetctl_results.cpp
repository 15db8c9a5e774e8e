#include "server/programs/budgetctl_results.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <variant>

#include "server/api/tally_service.hpp"
#include "server/core/clock.hpp"
#include "server/programs/budgetctl_redis.hpp"
#include "server/programs/startup.hpp"
#include "server/storage/stores.hpp"
#include "voting/pabulib.hpp"
#include "voting/phase.hpp"
#include "voting/results.hpp"

namespace budget::server::programs {

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

// The campaign's stores over budgetctl's connection, and what they hold references to. The
// questionnaire and the key are the campaign's own because the campaign store seals the ballot
// on first use once the vote has opened: should nobody have sealed it during the vote, it is
// sealed here exactly as budgetd would have.
struct Campaign {
    std::unique_ptr<redis::BlockingClient> redis;
    labelling::Questionnaire questionnaire;
    Secrets secrets;
    SystemClock clock;
    boost::asio::thread_pool pool{1};  ///< the stores' file work (attachments)
    std::unique_ptr<storage::Stores> stores;
    std::unique_ptr<api::TallyService> service;

    template <typename T>
    T run(boost::asio::awaitable<T> work) {
        return redis->run(std::move(work));
    }
};

std::variant<std::unique_ptr<Campaign>, std::string> open_campaign(const config::Config& config) {
    auto secrets = load_secrets(config.storage.data_dir);
    if (!secrets) {
        return "no signing key in " + config.storage.data_dir + "/keys (budgetctl keys init)";
    }
    auto questionnaire = load_questionnaire(config);
    if (auto* reason = std::get_if<std::string>(&questionnaire)) return *reason;
    auto connected = connect_redis(config);
    if (auto* reason = std::get_if<std::string>(&connected)) return *reason;
    auto c = std::make_unique<Campaign>();
    c->redis = std::move(std::get<std::unique_ptr<redis::BlockingClient>>(connected));
    c->questionnaire = std::move(std::get<labelling::Questionnaire>(questionnaire));
    c->secrets = *secrets;
    c->stores = std::make_unique<storage::Stores>(c->redis->client(), config, c->questionnaire,
                                                  c->secrets.signing_key, c->clock,
                                                  c->secrets.pepper, c->pool);
    // No blocking pool: budgetctl has no I/O thread to keep free, allocation runs inline.
    c->service =
        std::make_unique<api::TallyService>(*c->stores, config, c->secrets.signing_key, c->clock);
    return c;
}

// The tally service's refusals, in budgetctl's words.
std::string describe(const api::TallyError& e, const config::Config& config) {
    using F = api::TallyFailure;
    const int shards = config.redis.ballot_shards;
    const auto of_shard = shards > 1 ? " of shard " + std::to_string(e.shard) : "";
    switch (e.failure) {
        case F::vote_not_closed:
            return "the vote is not closed yet (it closes " + config.campaign.vote_closes + ")";
        case F::already_published:
            return "the results are already published";
        case F::ballot_shards_mismatch:
            return "the ballots were cast into " + std::to_string(e.campaign_shards) +
                   " shards but [redis] ballot_shards = " + std::to_string(shards) +
                   "; set it back before the tally";
        case F::ballot_not_sealed:
            return "no sealed ballot: the vote never opened";
        case F::ballot_corrupt:
            return "the sealed ballot is corrupt (its digest does not match)";
        case F::storage_unavailable:
            return "redis: no answer (unreachable, timed out or refused)";
        case F::corrupt_log:
        case F::tally_failed:
            return e.reason;
        case F::tree_head_unreadable:
            return "a tree head" + of_shard +
                   " published during the vote is unreadable; refusing to sign";
        case F::log_not_extending_head:
            return "the log does not extend the tree head of size " + std::to_string(e.tree_size) +
                   of_shard + " published during the vote; refusing to sign";
    }
    return "the tally failed";
}

// results.json, ballots.json and results.csv, the files the Mission publishes.
bool write_results(const fs::path& dir, const api::Tallied& tallied, const json::object& document) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    const auto& log = tallied.log;
    return write_text(dir / "results.json", json::serialize(tallied.results.to_json())) &&
           write_text(dir / "ballots.json",
                      json::serialize(voting::make_ballot_export(log.entries, log.tally.tree()))) &&
           write_text(dir / "results.csv", api::results_csv(document));
}

void print_tally(const api::Tallied& tallied, const json::object& document,
                 const std::string& rule_name, const fs::path& dir, std::ostream& out) {
    const auto& tally = tallied.log.tally;
    out << "tallied " << tally.size() << (tally.size() == 1 ? " ballot" : " ballots") << " with "
        << rule_name << "; root " << voting::to_hex(tally.tree().root()) << "; "
        << tallied.tree_heads_checked
        << (tallied.tree_heads_checked == 1 ? " tree head consistent\n"
                                            : " tree heads consistent\n");
    for (const auto& w : document.at("winners").as_array()) {
        out << "  funded " << json::value_to<std::string>(w.at("id")) << ": "
            << w.at("amount_eur").to_number<std::int64_t>() << " EUR, "
            << w.at("votes").to_number<std::int64_t>() << " votes\n";
    }
    out << "wrote " << (dir / "results.json").string()
        << ", ballots.json and results.csv; publish with "
        << "POST /api/v1/admin/publish\n";
}

// dd.mm.yyyy, pabulib's date, from RFC 3339.
std::string pabulib_date(const std::string& rfc3339) {
    return rfc3339.substr(8, 2) + "." + rfc3339.substr(5, 2) + "." + rfc3339.substr(0, 4);
}

voting::PabulibInstance pabulib_instance(const config::CampaignConfig& c,
                                         const api::CountedLog& counted) {
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
    const auto& tally = counted.tally;
    for (std::size_t i = 0; i < counted.ballot->initiatives.size(); ++i) {
        const auto& b = counted.ballot->initiatives[i];
        instance.projects.push_back(voting::Project{b.id, b.amount_eur, b.territory});
        instance.project_fields.push_back(
            {std::to_string(tally.votes()[i]), b.title, b.category, b.territory});
    }
    // Voters are numbered in log order: nothing in the file points to a person.
    for (std::size_t i = 0; i < tally.ballots().size(); ++i)
        instance.voter_ids.push_back(std::to_string(i + 1));
    instance.ballots = tally.ballots();
    return instance;
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
    auto opened = open_campaign(config);
    if (auto* reason = std::get_if<std::string>(&opened)) {
        err << "budgetctl tally: " << *reason << "\n";
        return 1;
    }
    auto& campaign = *std::get<std::unique_ptr<Campaign>>(opened);
    // The raw log is kept: ballots.json is written from it.
    const auto tallied = campaign.run(campaign.service->tally(*rule, /*keep_entries=*/true));
    if (!tallied) {
        err << "budgetctl tally: " << describe(tallied.error(), config) << "\n";
        return 1;
    }
    const fs::path dir = option(args, "--out").value_or(".");
    const auto document = json::parse(tallied->results.document).as_object();
    if (!write_results(dir, *tallied, document)) {
        err << "budgetctl tally: cannot write into " << dir << "\n";
        return 1;
    }
    print_tally(*tallied, document, *rule_name, dir, out);
    return 0;
}

namespace {
constexpr const char* kVerifyUsage =
    "budgetctl verify RESULTS.json --ballots EXPORT.json (--public-key BASE64 | --fingerprint HEX)";
}  // namespace

int run_verify_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty() || args[0].rfind("--", 0) == 0) {
        err << "usage: " << kVerifyUsage << "\n";
        return 2;
    }
    voting::ExpectedKey expected{option(args, "--public-key").value_or(""),
                                 option(args, "--fingerprint").value_or("")};
    if (expected.public_key_b64.empty() && expected.fingerprint_hex.empty()) {
        // The key inside the results file proves nothing: anyone can re-sign a forged election.
        err << "budgetctl verify: give the campaign's announced key, --public-key BASE64 or "
               "--fingerprint HEX (`budgetctl keys show` prints both)\n"
            << "usage: " << kVerifyUsage << "\n";
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
    const auto verified = voting::verify_results(results, ballots, expected);
    if (!verified) {
        err << "verify: FAILED: " << verified.error() << "\n";
        return 1;
    }
    out << "verify: OK: signature valid with the expected key; the export's header is the signed "
           "document's; "
        << verified->ballots << " ballots rebuild the root " << verified->root
        << "; the recount and the rule give the published winners (" << verified->winners.size()
        << ")\n";
    return 0;
}

int run_close_command(const config::Config& config, const std::vector<std::string>& args,
                      std::ostream& out, std::ostream& err) {
    if (!args.empty() && (args.size() != 2 || args[0] != "--reason")) {
        err << "usage: budgetctl --config FILE close [--reason TEXT]\n";
        return 2;
    }
    auto opened = open_campaign(config);
    if (auto* reason = std::get_if<std::string>(&opened)) {
        err << "budgetctl close: " << *reason << "\n";
        return 1;
    }
    auto& campaign = *std::get<std::unique_ptr<Campaign>>(opened);
    const auto& store = campaign.stores->campaign;
    if (!voting::vote_has_opened(store.window(), campaign.clock.now())) {
        err << "budgetctl close: the vote has not opened yet (it opens "
            << config.campaign.vote_opens << ")\n";
        return 1;
    }
    const char* user = std::getenv("USER");
    storage::AuditEntry audit{std::string("budgetctl:") + (user ? user : "operator"),
                              "operator",
                              "close",
                              config.campaign.id,
                              json::object{{"reason", args.empty() ? "early" : args[1]}},
                              ""};
    const auto closed = campaign.run(
        campaign.stores->campaign.record_close(config.redis.ballot_shards, std::move(audit)));
    if (!closed) {
        err << "budgetctl close: redis: no answer (unreachable, timed out or refused)\n";
        return 1;
    }
    out << (*closed ? "closed: no ballot is accepted from now on, whatever a server's clock says\n"
                    : "already closed: nothing changed\n");
    return 0;
}

int run_pabulib_command(const config::Config& config, const std::vector<std::string>& args,
                        std::ostream& out, std::ostream& err) {
    if (args.size() != 2 || args[0] != "export") {
        err << "usage: budgetctl --config FILE pabulib export FILE.pb\n";
        return 2;
    }
    auto opened = open_campaign(config);
    if (auto* reason = std::get_if<std::string>(&opened)) {
        err << "budgetctl pabulib: " << *reason << "\n";
        return 1;
    }
    auto& campaign = *std::get<std::unique_ptr<Campaign>>(opened);
    const auto counted = campaign.run(campaign.service->read_closed(/*keep_entries=*/false));
    if (!counted) {
        err << "budgetctl pabulib: " << describe(counted.error(), config) << "\n";
        return 1;
    }
    const auto instance = pabulib_instance(config.campaign, *counted);
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

}  // namespace budget::server::programs
