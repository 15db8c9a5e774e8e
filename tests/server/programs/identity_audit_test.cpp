// Integration (issue 15): the duplicate audit end to end. A thousand identities, near-duplicates
// seeded among them, are sealed to the audit key and stored in a real redis-server as budgetd
// stores them; then `budgetctl identities audit --secret-key` runs as a process and every seeded
// pair must come out of its --json output with the rule it was seeded for.
#include <sys/stat.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "config/config.hpp"
#include "server/core/sealed_box.hpp"
#include "server/core/signing.hpp"
#include "server/redis/blocking_client.hpp"
#include "server/storage/identity_audit_store.hpp"
#include "tests/server/support/campaign_fixture.hpp"
#include "voting/duplicates.hpp"
#include "voting/identity.hpp"

using namespace budget;
using namespace budget::test;
namespace json = boost::json;
using server::storage::IdentityAuditStore;
using voting::AuditRecord;

namespace {

// Names as residents write them, and their normalised form (what voting::name_key gives:
// case folded, accents and separators removed, ł -> l).
struct Name {
    const char* shown;
    const char* key;
};
const std::vector<Name> kGiven = {{"Jean", "jean"},
                                  {"Marie", "marie"},
                                  {"Élodie", "elodie"},
                                  {"Léa", "lea"},
                                  {"Chloé", "chloe"},
                                  {"Inès", "ines"},
                                  {"Noémie", "noemie"},
                                  {"Hélène", "helene"},
                                  {"Gaëlle", "gaelle"},
                                  {"Maëlys", "maelys"},
                                  {"Zoé", "zoe"},
                                  {"Anaïs", "anais"},
                                  {"François", "francois"},
                                  {"Jérôme", "jerome"},
                                  {"Benoît", "benoit"},
                                  {"Raphaël", "raphael"},
                                  {"Loïc", "loic"},
                                  {"Mathéo", "matheo"},
                                  {"Jean-Pierre", "jeanpierre"},
                                  {"Marie-Thérèse", "marietherese"},
                                  {"Łukasz", "lukasz"},
                                  {"Wojciech", "wojciech"},
                                  {"Agnieszka", "agnieszka"},
                                  {"Małgorzata", "malgorzata"},
                                  {"Stanisław", "stanislaw"},
                                  {"Karim", "karim"},
                                  {"Yasmine", "yasmine"},
                                  {"Mohamed", "mohamed"},
                                  {"Fatima", "fatima"},
                                  {"João", "joao"},
                                  {"Conceição", "conceicao"},
                                  {"Thierry", "thierry"},
                                  {"Sylvie", "sylvie"},
                                  {"Nathalie", "nathalie"},
                                  {"Christophe", "christophe"},
                                  {"Stéphane", "stephane"},
                                  {"Céline", "celine"},
                                  {"Aurélie", "aurelie"},
                                  {"Grégory", "gregory"},
                                  {"Sébastien", "sebastien"},
                                  {"Camille", "camille"},
                                  {"Manon", "manon"},
                                  {"Hugo", "hugo"},
                                  {"Lucas", "lucas"},
                                  {"Théo", "theo"},
                                  {"Emma", "emma"},
                                  {"Louise", "louise"},
                                  {"Jade", "jade"},
                                  {"Gabriel", "gabriel"},
                                  {"Arthur", "arthur"},
                                  {"Océane", "oceane"},
                                  {"Bernadette", "bernadette"},
                                  {"Ginette", "ginette"},
                                  {"Marcel", "marcel"},
                                  {"René", "rene"},
                                  {"Josiane", "josiane"},
                                  {"Joël", "joel"},
                                  {"Mélanie", "melanie"},
                                  {"Quentin", "quentin"},
                                  {"Clément", "clement"}};
const std::vector<Name> kSurnames = {
    {"Martin", "martin"},         {"Dupont", "dupont"},
    {"Lefebvre", "lefebvre"},     {"Lefèvre", "lefevre"},
    {"Dubois", "dubois"},         {"Leroy", "leroy"},
    {"Deschamps", "deschamps"},   {"Delattre", "delattre"},
    {"Vasseur", "vasseur"},       {"Dufour", "dufour"},
    {"Delahaye", "delahaye"},     {"Lemaire", "lemaire"},
    {"Caron", "caron"},           {"Carpentier", "carpentier"},
    {"Fournier", "fournier"},     {"Lecomte", "lecomte"},
    {"Wallet", "wallet"},         {"Delplanque", "delplanque"},
    {"Dewailly", "dewailly"},     {"Vandenbussche", "vandenbussche"},
    {"Vanhoutte", "vanhoutte"},   {"Kowalski", "kowalski"},
    {"Kowalska", "kowalska"},     {"Nowak", "nowak"},
    {"Wiśniewski", "wisniewski"}, {"Dąbrowski", "dabrowski"},
    {"Szymański", "szymanski"},   {"Łukaszewicz", "lukaszewicz"},
    {"Wójcik", "wojcik"},         {"Kamiński", "kaminski"},
    {"Benali", "benali"},         {"Haddad", "haddad"},
    {"El Amrani", "elamrani"},    {"Ben Youssef", "benyoussef"},
    {"Da Silva", "dasilva"},      {"Gonçalves", "goncalves"},
    {"Ferreira", "ferreira"},     {"Pereira", "pereira"},
    {"D’Artagnan", "dartagnan"},  {"N’Diaye", "ndiaye"},
    {"Le Gall", "legall"},        {"Lefranc", "lefranc"},
    {"Déprez", "deprez"},         {"Hénon", "henon"},
    {"Bécourt", "becourt"},       {"Cœurdacier", "coeurdacier"},
    {"Lætitiaz", "laetitiaz"},    {"Boulanger", "boulanger"},
    {"Petit", "petit"},           {"Durand", "durand"},
    {"Moreau", "moreau"},         {"Lambert", "lambert"},
    {"Bonnet", "bonnet"},         {"François", "francois"},
    {"Roussel", "roussel"},       {"Mercier", "mercier"},
    {"Blanchard", "blanchard"},   {"Guérin", "guerin"},
    {"Marchand", "marchand"},     {"Hubert", "hubert"},
    {"Bouchez", "bouchez"},       {"Descamps", "descamps"},
    {"Maillard", "maillard"},     {"Sauvage", "sauvage"},
    {"Devos", "devos"},           {"Desmet", "desmet"},
    {"Verbeke", "verbeke"},       {"Lebrun", "lebrun"},
    {"Courtois", "courtois"},     {"Queste", "queste"}};
// Arras, Boulogne-sur-Mer, Calais, Lens, Liévin, Béthune, Saint-Omer, Hénin-Beaumont.
const std::vector<std::string> kCommunes = {"62041", "62160", "62193", "62498",
                                            "62510", "62119", "62765", "62427"};

voting::Date add_days(const voting::Date& d, int days) {
    using namespace std::chrono;
    const sys_days from{year{d.year} / month{static_cast<unsigned>(d.month)} /
                        day{static_cast<unsigned>(d.day)}};
    const year_month_day to{from + std::chrono::days{days}};
    return voting::Date{static_cast<int>(to.year()), static_cast<int>(unsigned(to.month())),
                        static_cast<int>(unsigned(to.day()))};
}

std::string date_text(const voting::Date& d) {
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02d-%02d", d.year, d.month, d.day);
    return out;
}

/// A resident generated from `random`: one or two given names, a birth date over 80 years.
AuditRecord random_person(std::mt19937& random) {
    const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
    AuditRecord r;
    const auto& g1 = kGiven[pick(kGiven.size())];
    r.given_names.push_back(g1.key);
    r.shown_given_names = g1.shown;
    if (random() % 4 == 0) {
        const auto& g2 = kGiven[pick(kGiven.size())];
        if (std::string(g2.key) != g1.key) {
            r.given_names.push_back(g2.key);
            r.shown_given_names += std::string(" ") + g2.shown;
        }
    }
    const auto& s = kSurnames[pick(kSurnames.size())];
    r.birth_name = s.key;
    r.shown_birth_name = s.shown;
    if (random() % 6 == 0) {
        const auto& u = kSurnames[pick(kSurnames.size())];
        if (std::string(u.key) != s.key) {
            r.usage_name = u.key;
            r.shown_usage_name = u.shown;
        }
    }
    r.birth_date = add_days(voting::Date{1930, 1, 1}, static_cast<int>(pick(80 * 365)));
    r.commune = kCommunes[pick(kCommunes.size())];
    r.method = random() % 3 == 0 ? "franceconnect" : "email";
    if (r.method == "email") {
        static const char* kDomains[] = {"gmail.com",   "orange.fr", "free.fr",
                                         "laposte.net", "sfr.fr",    "outlook.fr"};
        r.mailbox_domain = kDomains[pick(6)];
    }
    char hour[32];
    std::snprintf(hour, sizeof hour, "2026-09-%02dT%02d", 1 + static_cast<int>(pick(28)),
                  8 + static_cast<int>(pick(14)));
    r.hour = hour;
    char network[40];
    std::snprintf(network, sizeof network, "%08x%08x%08x%08x", static_cast<unsigned>(random()),
                  static_cast<unsigned>(random()), static_cast<unsigned>(random()),
                  static_cast<unsigned>(random()));
    r.network = network;
    return r;
}

/// `key` with one edit at a place chosen by `random`: a letter changed, dropped, doubled, or two
/// different adjacent letters swapped. Never `key` itself.
std::string one_edit(const std::string& key, std::mt19937& random) {
    for (;;) {
        auto out = key;
        const auto at = static_cast<std::size_t>(random() % key.size());
        switch (random() % 4) {
            case 0:
                out[at] = static_cast<char>('a' + (out[at] - 'a' + 1 + random() % 25) % 26);
                break;
            case 1:
                if (key.size() > 3) out.erase(at, 1);
                break;
            case 2:
                out.insert(at, 1, out[at]);
                break;
            default:
                if (at + 1 < out.size() && out[at] != out[at + 1]) std::swap(out[at], out[at + 1]);
        }
        if (out != key) return out;
    }
}

/// What identifies a generated record in budgetctl's output (the network is random per record).
std::string identify(const json::object& r) {
    const auto& shown = r.at("shown").as_object();
    return json::serialize(shown) + "|" + std::string(r.at("birth_date").as_string()) + "|" +
           std::string(r.at("commune").as_string()) + "|" + std::string(r.at("hour").as_string()) +
           "|" + std::string(r.at("network").as_string());
}
std::string identify(const AuditRecord& r) {
    return identify(json::parse(voting::audit_record_json(r)).as_object());
}

/// Stores one sealed record as budgetd does; whether Redis took it.
bool put(server::redis::BlockingClient& client, IdentityAuditStore& store, std::string sealed) {
    return client.run(store.add(std::move(sealed))).has_value();
}

std::pair<int, std::string> budgetctl(const std::string& config, const std::string& args) {
    return run_command(BUDGETCTL_PATH " --config " + config + " " + args);
}

/// budgetctl's stdout alone (its warnings go to stderr).
std::pair<int, std::string> budgetctl_stdout(const std::string& config, const std::string& args,
                                             const std::string& stderr_file) {
    return run_command("{ " BUDGETCTL_PATH " --config " + config + " " + args + " 2>" +
                       stderr_file + "; }");
}

int mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return static_cast<int>(st.st_mode & 0777);
}

}  // namespace

TEST_CASE(
    "the audit finds every near-duplicate seeded among a thousand identities, with its rule, "
    "and reports the records it cannot open",
    "[integration][identity_audit]") {
    TestCampaign c({}, {.redis = TestRedis::plain, .start_budgetd = false});
    const auto config_path = c.write_config();
    const auto config = config::load_config(config_path);
    const auto secret = c.dir() + "/mission/identity-audit.secret";
    std::filesystem::create_directories(c.dir() + "/mission");

    // The Mission makes the key pair; budgetd's side gets the public key only.
    auto [code, out] = budgetctl(config_path, "keys identity-audit --secret-key " + secret);
    INFO(out);
    REQUIRE(code == 0);
    CHECK(out.find("fingerprint (sha256): ") != std::string::npos);
    CHECK(mode_of(secret) == 0600);
    const auto public_key = server::load_seal_public_key(config.identity.audit_public_key);
    REQUIRE(std::holds_alternative<server::SealPublicKey>(public_key));
    CHECK(out.find(server::seal_key_fingerprint(std::get<server::SealPublicKey>(public_key))) !=
          std::string::npos);
    // Never replaced.
    std::tie(code, out) = budgetctl(config_path, "keys identity-audit --secret-key " + secret);
    CHECK(code == 1);
    CHECK(out.find("refusing to replace") != std::string::npos);

    // The names' keys are those of the identity module, as budgetd seals them.
    for (const auto& names : {kGiven, kSurnames}) {
        for (const auto& n : names) {
            INFO(n.shown);
            CHECK(voting::name_key(n.shown) == std::string(n.key));
            CHECK(voting::display_name(n.shown) == std::string(n.shown));
        }
    }

    // A thousand identities: 920 people, 40 near-duplicates of the first kind and 40 of the
    // second; 25 people verified from one network in one hour, 19 from another (not enough).
    std::mt19937 random(1515);
    std::vector<AuditRecord> records;
    std::set<std::string> people;  // names and birth date: each person once
    while (records.size() < 920) {
        auto r = random_person(random);
        if (people.insert(r.shown_given_names + "|" + r.birth_name + "|" + date_text(r.birth_date))
                .second)
            records.push_back(std::move(r));
    }
    struct Seeded {
        std::size_t a, b;
        std::string rule;
    };
    std::vector<Seeded> seeded;
    for (std::size_t i = 0; i < 40; ++i) {
        // close_names: the same birth date and commune, the names with one or two edits, or
        // swapped and edited.
        auto twin = records[i];
        switch (i % 4) {
            case 0:
                twin.birth_name = one_edit(twin.birth_name, random);
                break;
            case 1:
                twin.given_names[0] = one_edit(twin.given_names[0], random);
                break;
            case 2:
                twin.birth_name = one_edit(twin.birth_name, random);
                twin.given_names.back() = one_edit(twin.given_names.back(), random);
                break;
            default: {
                auto given = twin.given_names;
                twin.given_names = {one_edit(twin.birth_name, random)};
                twin.birth_name.clear();
                for (const auto& g : given) twin.birth_name += g;
                twin.usage_name.clear();
            }
        }
        // No usage name this time: with it unchanged, the two would share a ballot claim.
        twin.usage_name.clear();
        twin.shown_birth_name = twin.birth_name;
        twin.shown_given_names = twin.given_names[0];
        twin.shown_usage_name.clear();
        twin.hour = "2026-09-29T20";
        twin.network = "seeded-a-" + std::to_string(i);
        seeded.push_back({i, records.size(), "close_names"});
        records.push_back(std::move(twin));
    }
    for (std::size_t i = 40; i < 80; ++i) {
        // close_birth_dates: the same names (given names reordered, or swapped with the birth
        // name, for some), born 1 to 31 days earlier or later, in any commune.
        auto twin = records[i];
        const int shift = 1 + static_cast<int>(random() % 31);
        twin.birth_date = add_days(twin.birth_date, random() % 2 ? shift : -shift);
        twin.commune = kCommunes[random() % kCommunes.size()];
        if (i % 3 == 0) std::reverse(twin.given_names.begin(), twin.given_names.end());
        if (i % 5 == 0 && twin.given_names.size() == 1)
            std::swap(twin.birth_name, twin.given_names[0]);
        twin.hour = "2026-09-30T21";
        twin.network = "seeded-b-" + std::to_string(i);
        seeded.push_back({i, records.size(), "close_birth_dates"});
        records.push_back(std::move(twin));
    }
    for (std::size_t i = 100; i < 125; ++i) {
        records[i].network = "busy-network";
        records[i].hour = "2026-09-12T19";
    }
    for (std::size_t i = 200; i < 219; ++i) {
        records[i].network = "quiet-network";
        records[i].hour = "2026-09-12T19";
    }
    REQUIRE(records.size() == 1000);

    // Sealed and stored as budgetd does, in the campaign's Redis.
    {
        auto connected = server::redis::BlockingClient::connect(
            server::redis::Target::parse_url(c.redis().url()));
        REQUIRE(std::holds_alternative<std::unique_ptr<server::redis::BlockingClient>>(connected));
        auto& client = *std::get<std::unique_ptr<server::redis::BlockingClient>>(connected);
        IdentityAuditStore store(client.client(), config.campaign.id);
        for (const auto& r : records) {
            REQUIRE(put(client, store,
                        (server::seal_to(std::get<server::SealPublicKey>(public_key),
                                         voting::audit_record_json(r)))));
        }
    }

    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < records.size(); ++i) index.emplace(identify(records[i]), i);
    REQUIRE(index.size() == records.size());

    std::tie(code, out) = budgetctl_stdout(
        config_path, "identities audit --json --secret-key " + secret, c.dir() + "/audit.err");
    INFO(out);
    REQUIRE(code == 0);
    const auto report = json::parse(out).as_object();
    CHECK(report.at("records").as_int64() == 1000);
    CHECK(report.at("unreadable").as_int64() == 0);
    CHECK_FALSE(report.at("truncated").as_bool());

    std::map<std::pair<std::size_t, std::size_t>, std::set<std::string>> found;
    for (const auto& p : report.at("pairs").as_array()) {
        const auto& members = p.at("records").as_array();
        const auto a = index.at(identify(members[0].as_object()));
        const auto b = index.at(identify(members[1].as_object()));
        auto& rules = found[{std::min(a, b), std::max(a, b)}];
        for (const auto& rule : p.at("rules").as_array())
            rules.insert(std::string(rule.as_string()));
    }
    for (const auto& s : seeded) {
        INFO("seeded " << s.rule << ": " << voting::audit_record_json(records[s.a]) << " / "
                       << voting::audit_record_json(records[s.b]));
        const auto it = found.find({s.a, s.b});
        REQUIRE(it != found.end());
        CHECK(it->second.count(s.rule) == 1);
    }
    std::set<std::pair<std::size_t, std::size_t>> seeded_pairs;
    for (const auto& s : seeded) seeded_pairs.emplace(s.a, s.b);
    for (const auto& [pair, rules] : found) {
        if (seeded_pairs.count(pair) == 0) {
            WARN("unseeded pair (" << *rules.begin()
                                   << "): " << voting::audit_record_json(records[pair.first])
                                   << " / " << voting::audit_record_json(records[pair.second]));
        }
    }
    const auto false_positives = found.size() - seeded.size();
    WARN("unseeded pairs listed (false positives): " << false_positives << " among "
                                                     << records.size() << " identities");
    CHECK(false_positives <= 5);

    const auto& networks = report.at("busy_networks").as_array();
    REQUIRE(networks.size() == 1);
    CHECK(networks[0].at("rule") == "busy_network");
    CHECK(networks[0].at("count").as_int64() == 25);
    CHECK(networks[0].at("hour") == "2026-09-12T19");
    // The threshold is the Mission's to choose.
    std::tie(code, out) = budgetctl_stdout(
        config_path, "identities audit --json --network-threshold 19 --secret-key " + secret,
        c.dir() + "/audit.err");
    REQUIRE(code == 0);
    CHECK(json::parse(out).at("busy_networks").as_array().size() == 2);

    // The human listing says the same, in the words of the other commands.
    std::tie(code, out) = budgetctl(config_path, "identities audit --secret-key " + secret);
    CHECK(code == 0);
    CHECK(out.find("1000 record(s) opened, 0 could not be opened") != std::string::npos);
    CHECK(out.find(std::to_string(found.size()) + " likely duplicate pair(s)") !=
          std::string::npos);
    CHECK(out.find("1 busy network(s)") != std::string::npos);

    // Records that do not open are counted and reported, never skipped in silence.
    {
        auto connected = server::redis::BlockingClient::connect(
            server::redis::Target::parse_url(c.redis().url()));
        auto& client = *std::get<std::unique_ptr<server::redis::BlockingClient>>(connected);
        IdentityAuditStore store(client.client(), config.campaign.id);
        const auto stranger = server::make_seal_key_pair();
        REQUIRE(put(client, store,
                    (server::seal_to(stranger.public_key, voting::audit_record_json(records[0])))));
        REQUIRE(put(client, store, ("not a sealed record at all, but long enough to be one")));
        REQUIRE(
            put(client, store, server::seal_to(std::get<server::SealPublicKey>(public_key), "{}")));
    }
    std::tie(code, out) = budgetctl_stdout(
        config_path, "identities audit --json --secret-key " + secret, c.dir() + "/audit.err");
    CHECK(code == 1);
    const auto again = json::parse(out).as_object();
    CHECK(again.at("records").as_int64() == 1000);
    CHECK(again.at("unreadable").as_int64() == 3);
    CHECK(again.at("pairs").as_array().size() == found.size());
    std::ifstream err_file(c.dir() + "/audit.err");
    const std::string err((std::istreambuf_iterator<char>(err_file)), {});
    CHECK(err.find("3 record(s) could not be opened") != std::string::npos);

    // Another secret key opens nothing, and says so.
    const auto stray = c.dir() + "/mission/stray.secret";
    std::tie(code, out) =
        budgetctl(c.write_config("stray.toml"), "keys identity-audit --secret-key " + stray);
    CHECK(code == 1);  // the configured public key exists: not replaced
    {
        const auto pair = server::make_seal_key_pair();
        std::ofstream(stray) << server::base64_encode(pair.secret_key.data(), 32) << "\n";
        ::chmod(stray.c_str(), 0600);
    }
    std::tie(code, out) = budgetctl(config_path, "identities audit --secret-key " + stray);
    CHECK(code == 1);
    CHECK(out.find("is not the secret key of") != std::string::npos);
    CHECK(out.find("0 record(s) opened, 1003 could not be opened") != std::string::npos);
}

TEST_CASE(
    "in production budgetd refuses to start without the audit public key; elsewhere it says the "
    "audit is off and starts",
    "[integration][identity_audit]") {
    TestCampaign c({.production = true,
                    .smtp_port = free_port(),
                    .otp_lines = "smtp_from = \"budget@example.org\"\n"},
                   {.redis = TestRedis::plain, .start_budgetd = false});
    const auto config = c.write_config();
    REQUIRE(budgetctl(config, "keys init").first == 0);
    auto [code, out] = run_command("timeout 30 " BUDGETD_PATH " --config " + config);
    INFO(out);
    CHECK(code == 2);
    CHECK(out.find("[identity] audit_public_key") != std::string::npos);
    CHECK(out.find("budgetctl keys identity-audit") != std::string::npos);

    c.config().production = false;
    const auto open = c.write_config("open.toml");
    std::tie(code, out) = run_command("timeout 8 " BUDGETD_PATH " --config " + open);
    CHECK(code == 124);  // still running when timeout stopped it
    CHECK(out.find("identity_audit_off") != std::string::npos);
}

TEST_CASE("budgetctl identities audit reads the records under budgetd's Redis ACL",
          "[integration][identity_audit]") {
    TestCampaign c({.redis_acl = true}, {.redis = TestRedis::plain, .start_budgetd = false});
    const auto config = c.write_config();
    const auto secret = c.dir() + "/audit.secret";
    REQUIRE(budgetctl(config, "keys identity-audit --secret-key " + secret).first == 0);
    const auto [code, out] = budgetctl(config, "identities audit --secret-key " + secret);
    INFO(out);
    CHECK(code == 0);
    CHECK(out.find("0 record(s) opened, 0 could not be opened") != std::string::npos);
    CHECK(out.find("0 likely duplicate pair(s)") != std::string::npos);
}

TEST_CASE("budgetctl storage keys names the duplicate audit's buckets with the campaign's keys",
          "[integration][identity_audit]") {
    TestCampaign c({}, {.redis = TestRedis::plain, .start_budgetd = false});
    const auto [code, out] = budgetctl(c.write_config(), "storage keys");
    INFO(out);
    CHECK(code == 0);
    const auto last = IdentityAuditStore::kBuckets - 1;
    CHECK(out.find("identity_audit:0 " + IdentityAuditStore::bucket_key("t", 0) + "\n") !=
          std::string::npos);
    CHECK(out.find("identity_audit:" + std::to_string(last) + " " +
                   IdentityAuditStore::bucket_key("t", last) + "\n") != std::string::npos);
}
