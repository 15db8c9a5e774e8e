// Integration (issue 18): after a campaign is published, `budgetctl purge` leaves no key or
// value that holds or derives from a resident's e-mail address, names or birth date, and
// `budgetctl verify` still succeeds on the published results and ballots. Real redis-server,
// budgetd and budgetctl; the test knows the pepper, so it computes every keyed hash budgetd
// could have stored and looks for each in every key and every value of every type.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "server/api/identity_keys.hpp"
#include "server/core/crypto.hpp"
#include "server/core/key_files.hpp"
#include "server/redis/blocking_client.hpp"
#include "server/storage/audit_log.hpp"
#include "server/storage/identity_audit_store.hpp"
#include "server/storage/keys.hpp"
#include "tests/server/support/campaign_fixture.hpp"
#include "voting/eligibility.hpp"
#include "voting/identity.hpp"

using namespace budget;
using namespace budget::test;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace keys = server::storage::keys;
namespace fs = std::filesystem;
using Family = keys::PurgeFamily;

namespace {

// Distinctive people, so that a match can only be theirs: an address with a +tag and gmail's
// dots (the canonical mailbox differs from what was typed), accented names.
const std::vector<Resident> kResidents = {
    {"anais.vandenbussche+budget@gmail.com", "Anaïs", "Vandenbussche", "1984-03-07", "62193"},
    {"benoit.wisniewski@example.org", "Benoît", "Wiśniewski", "1979-11-23", "62041"},
    {"eloise.delattre@example.net", "Éloïse Marie", "Delattre", "2001-06-30", "62498"},
    {"quentin.carpentier@example.fr", "Quentin", "Carpentier", "1968-01-15", "62160"},
};
// Asks for a code and never uses it: the code and its counters are what is left.
const Resident kUndecided = {"gaelle.lecomte@example.org", "Gaëlle", "Lecomte", "1990-09-09",
                             "62193"};

CampaignLaunch sealed_ballot() {
    CampaignLaunch launch;
    for (const auto& [id, amount] : {std::pair{"a", 6000}, {"b", 5000}, {"c", 3000}})
        launch.ballot.push_back({id, amount, "cooperation"});
    return launch;
}

EngineConfig in_vote(const std::string& privacy_lines = "") {
    // The fixture writes [otp] last (and [privacy] only in production): a [privacy] table after
    // the [otp] lines is this test's.
    return {.window = VoteWindow::relative(-3600, 3600),
            .envelope_eur = 10000,
            .tree_head_interval_s = 1,
            .otp_lines = privacy_lines};
}

VoteWindow closed() { return VoteWindow::relative(-7200, -10); }

std::pair<int, std::string> budgetctl(const TestCampaign& c, const std::string& args) {
    return run_command(BUDGETCTL_PATH " --config " + c.config_path() + " " + args);
}

std::unique_ptr<server::redis::BlockingClient> connect(TestCampaign& c) {
    auto connected =
        server::redis::BlockingClient::connect(server::redis::Target::parse_url(c.redis().url()));
    REQUIRE(std::holds_alternative<std::unique_ptr<server::redis::BlockingClient>>(connected));
    return std::move(std::get<std::unique_ptr<server::redis::BlockingClient>>(connected));
}

server::redis::Reply command(server::redis::BlockingClient& redis, std::vector<std::string> args) {
    auto r = redis.command(std::move(args));
    REQUIRE(r.has_value());
    return *r;
}

/// Every string of a reply, nested ones included.
void strings_of(const server::redis::Reply& r, std::vector<std::string>& out) {
    if (!r.str.empty()) out.push_back(r.str);
    for (const auto& e : r.elements) strings_of(e, out);
}

/// Every key of the Redis and every value it holds, whatever its type (sorted per key: a hash
/// table's order may change between two reads).
std::map<std::string, std::vector<std::string>> everything(server::redis::BlockingClient& redis) {
    std::map<std::string, std::vector<std::string>> out;
    std::string cursor = "0";
    do {
        const auto page = command(redis, {"SCAN", cursor, "COUNT", "1000"});
        cursor = page.elements.at(0).str;
        for (const auto& k : page.elements.at(1).elements) out[k.str];
    } while (cursor != "0");
    for (auto it = out.begin(); it != out.end();) {
        const auto& key = it->first;
        auto& values = it->second;
        const auto type = command(redis, {"TYPE", key}).str;
        if (type == "none") {  // gone since the SCAN (expired, or purged meanwhile)
            it = out.erase(it);
            continue;
        }
        server::redis::Reply r;
        if (type == "string") {
            r = command(redis, {"GET", key});
        } else if (type == "hash") {
            r = command(redis, {"HGETALL", key});
        } else if (type == "list") {
            r = command(redis, {"LRANGE", key, "0", "-1"});
        } else if (type == "set") {
            r = command(redis, {"SMEMBERS", key});
        } else if (type == "zset") {
            r = command(redis, {"ZRANGE", key, "0", "-1", "WITHSCORES"});
        } else if (type == "stream") {
            r = command(redis, {"XRANGE", key, "-", "+"});
        } else {
            FAIL("a key of an unexpected type: " << key << " (" << type << ")");
        }
        strings_of(r, values);
        std::sort(values.begin(), values.end());
        ++it;
    }
    return out;
}

std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

/// What must not be found anywhere once the campaign is purged, for one resident: the text
/// they typed and its normal forms, and every keyed hash budgetd derives from them.
struct Forbidden {
    std::vector<std::string> anywhere;
    std::string shard;  ///< the birth date's 8 hex digits: an identity key starts with them
};

Forbidden forbidden_of(const Resident& r, const server::crypto::Key32& pepper) {
    namespace crypto = server::crypto;
    Forbidden f;
    auto& out = f.anywhere;
    // The address as typed, in lower case, and canonical; its keyed hash (the key names use its
    // first 32 digits).
    const auto mailbox = voting::canonical_mailbox(r.email);
    REQUIRE(mailbox.has_value());
    const auto email_hash = crypto::hmac_hex(crypto::derive_key(pepper, "email"), *mailbox);
    out.insert(out.end(),
               {r.email, lower(r.email), *mailbox, email_hash, email_hash.substr(0, 32)});
    // The names as typed, in lower case, and as the deduplication keys them.
    for (const auto& name : {r.first_name, r.last_name}) {
        out.push_back(name);
        out.push_back(lower(name));
        const auto key = voting::name_key(name);
        REQUIRE(key.has_value());
        out.push_back(*key);
    }
    for (const auto& given : {std::string("Marie"), std::string("Éloïse")}) {
        if (r.first_name.find(given) != std::string::npos) out.push_back(given);
    }
    // The birth date, ISO, French and compact.
    const auto date = voting::parse_date(r.birth_date);
    REQUIRE(date.has_value());
    char french[16], compact[16];
    std::snprintf(french, sizeof french, "%02d/%02d/%04d", date->day, date->month, date->year);
    std::snprintf(compact, sizeof compact, "%04d%02d%02d", date->year, date->month, date->day);
    out.insert(out.end(), {r.birth_date, french, compact});
    // Every identity claim (40 digits), its 32 digits after the shard, and what it hashes.
    voting::CivilIdentity person;
    person.given_names = r.first_name;
    person.birth_name = r.last_name;
    person.birth_date = *date;
    const auto identity = server::api::IdentityKeyring(pepper).keys_of(person);
    REQUIRE(identity.has_value());
    REQUIRE_FALSE(identity->claims.empty());
    for (const auto& claim : identity->claims) {
        out.push_back(claim);
        out.push_back(claim.substr(8));
    }
    const auto materials = voting::identity_claims(person);
    REQUIRE(materials.has_value());
    out.insert(out.end(), materials->begin(), materials->end());
    f.shard = identity->primary.substr(0, 8);
    return f;
}

/// What of `f` appears in `store`, "" when nothing: each needle in every key and value (and in
/// lower case), the shard digits at the start of any 40-digit hex token (an identity key).
std::string found_in(const std::map<std::string, std::vector<std::string>>& store,
                     const Forbidden& f) {
    const auto look = [&](const std::string& where, const std::string& text) -> std::string {
        const auto folded = lower(text);
        for (const auto& needle : f.anywhere) {
            if (text.find(needle) != std::string::npos ||
                folded.find(lower(needle)) != std::string::npos)
                return "\"" + needle + "\" in " + where;
        }
        for (auto at = folded.find(f.shard); at != std::string::npos;
             at = folded.find(f.shard, at + 1)) {
            const auto hex = [&](std::size_t i) {
                return i < folded.size() && std::isxdigit(static_cast<unsigned char>(folded[i]));
            };
            const bool starts = at == 0 || !hex(at - 1);
            std::size_t end = at;
            while (hex(end)) ++end;
            if (starts && end - at == 40)
                return "an identity key of shard " + f.shard + " in " + where;
        }
        return "";
    };
    for (const auto& [key, values] : store) {
        if (auto hit = look("the key name " + key, key); !hit.empty()) return hit;
        for (const auto& v : values) {
            if (auto hit = look("a value of " + key, v); !hit.empty()) return hit;
        }
    }
    return "";
}

/// The keys of a family the purge removes, and their values: what a refused purge must leave.
std::map<std::string, std::vector<std::string>> removable(
    const std::map<std::string, std::vector<std::string>>& store) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [key, values] : store) {
        if (keys::purge_family("t", key) != Family::keep) out[key] = values;
    }
    return out;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Every file of the fixture's Redis directory (the AOF's base and increments, an RDB), once no
/// AOF rewrite is running: what a disk holds of the campaign.
std::map<std::string, std::vector<std::string>> redis_files(TestCampaign& c) {
    for (int i = 0; i < 200; ++i) {
        const auto info = c.redis().cli("INFO persistence");
        if (info.find("aof_rewrite_in_progress:0") != std::string::npos &&
            info.find("aof_rewrite_scheduled:0") != std::string::npos)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::map<std::string, std::vector<std::string>> files;
    for (const auto& entry : fs::recursive_directory_iterator(c.dir() + "/redis")) {
        if (!entry.is_regular_file()) continue;
        files[entry.path().string()].push_back(read_text(entry.path().string()));
    }
    return files;
}

/// Tally and publish as the Mission does (the API), then save what anyone can download.
void tally_and_publish(TestCampaign& c) {
    const auto mission = c.staff_login("mission").headers();
    REQUIRE(http_request(c.port(), "POST", "/api/v1/admin/tally", R"({"rule":"greedy"})", mission)
                .status == 200);
    REQUIRE(http_request(c.port(), "POST", "/api/v1/admin/publish", "", mission).status == 200);
}

}  // namespace

TEST_CASE(
    "after publication budgetctl purge leaves nothing of a resident's address, names or "
    "birth date, and the results still verify",
    "[integration][purge]") {
    // budgetd starts with the duplicate audit's key (the fixture makes it): each verified
    // identity gets its sealed record, which the purge must remove too.
    TestCampaign c(in_vote(), sealed_ballot());
    const auto pepper = server::load_key32(server::identity_pepper_path(c.dir() + "/data"));
    REQUIRE(pepper.has_value());

    std::map<std::string, std::string> receipts;
    const std::vector<std::vector<std::string>> choices = {{"a", "b"}, {"a"}, {"b", "c"}, {"c"}};
    for (std::size_t i = 0; i < kResidents.size(); ++i)
        receipts[kResidents[i].email] = c.vote(kResidents[i], choices[i]);
    REQUIRE(c.challenge(kUndecided.email).status == 202);
    auto redis = connect(c);

    // While the campaign lasts, the binding's TTL ends at the close + purge_after_days (30).
    {
        const auto mailbox = voting::canonical_mailbox(kResidents[0].email);
        const auto hash =
            server::crypto::hmac_hex(server::crypto::derive_key(*pepper, "email"), *mailbox);
        const auto ttl = command(*redis, {"TTL", keys::email_binding("t", hash)}).integer;
        CHECK(ttl > 30 * 86400);
        CHECK(ttl <= 30 * 86400 + 3600);
    }

    // Closed and counted, not yet published: the purge refuses and removes nothing.
    c.restart(closed());
    const auto mission = c.staff_login("mission").headers();
    REQUIRE(http_request(c.port(), "POST", "/api/v1/admin/tally", R"({"rule":"greedy"})", mission)
                .status == 200);
    const auto before_refusal = everything(*redis);
    const auto refused = budgetctl(c, "purge");
    CHECK(refused.first == 1);
    CHECK(refused.second.find("not published") != std::string::npos);
    CHECK(refused.second.find("Nothing removed") != std::string::npos);
    const auto after_refusal = everything(*redis);
    CHECK(removable(after_refusal) == removable(before_refusal));
    CHECK(after_refusal.size() == before_refusal.size());
    CHECK(fs::file_size(c.outbox()) > 0);

    // Before the purge, the resident's traces are there to find (else the scan proves nothing).
    for (const auto& r : kResidents) {
        INFO(r.email);
        CHECK_FALSE(found_in(before_refusal, forbidden_of(r, *pepper)).empty());
    }
    // And in the append-only file on disk.
    const auto disk_before = redis_files(c);
    for (const auto& r : kResidents) {
        INFO(r.email);
        CHECK_FALSE(found_in(disk_before, forbidden_of(r, *pepper)).empty());
    }
    int buckets = 0;
    for (int b = 0; b < server::storage::IdentityAuditStore::kBuckets; ++b) {
        buckets += static_cast<int>(
            before_refusal.contains(server::storage::IdentityAuditStore::bucket_key("t", b)));
    }
    CHECK(buckets > 0);

    // Published: anyone downloads the results and the ballots.
    REQUIRE(http_request(c.port(), "POST", "/api/v1/admin/publish", "", mission).status == 200);
    const auto results = http_request(c.port(), "GET", "/api/v1/results");
    const auto exported = http_request(c.port(), "GET", "/api/v1/ballots/export");
    REQUIRE(results.status == 200);
    REQUIRE(exported.status == 200);
    std::ofstream(c.dir() + "/results.json") << results.body;
    std::ofstream(c.dir() + "/ballots.json") << exported.body;
    const auto shown = budgetctl(c, "keys show");
    REQUIRE(shown.first == 0);
    const auto key_at = shown.second.find("public key: ") + 12;
    const auto public_key = shown.second.substr(key_at, shown.second.find('\n', key_at) - key_at);

    // The holders' stage is a year away: said, nothing removed.
    const auto early = budgetctl(c, "purge --holders");
    CHECK(early.first == 1);
    CHECK(early.second.find("holders' stage is due on") != std::string::npos);
    CHECK(removable(everything(*redis)) == removable(before_refusal));

    const auto dry = budgetctl(c, "purge --dry-run");
    INFO(dry.second);
    CHECK(dry.first == 0);
    CHECK(dry.second.find("dry run") != std::string::npos);
    CHECK(dry.second.find("voted markers: 4\n") != std::string::npos);
    const auto before = everything(*redis);
    CHECK(removable(before) == removable(before_refusal));

    const auto purged = budgetctl(c, "purge");
    INFO(purged.second);
    REQUIRE(purged.first == 0);
    CHECK(purged.second.find("voted markers: 4\n") != std::string::npos);
    CHECK(purged.second.find("e-mail bindings: 4\n") != std::string::npos);
    CHECK(purged.second.find("one-time codes: 1\n") != std::string::npos);  // the undecided's
    CHECK(purged.second.find("identity-audit buckets: " + std::to_string(buckets) + "\n") !=
          std::string::npos);
    CHECK(purged.second.find("staff sessions: 0\n") == std::string::npos);
    CHECK(purged.second.find("outbox lines: 0\n") == std::string::npos);

    // Every key and every value of every type: none of them holds or derives from a resident.
    const auto after = everything(*redis);
    for (const auto& r : {kResidents[0], kResidents[1], kResidents[2], kResidents[3], kUndecided}) {
        INFO(r.email);
        CHECK(found_in(after, forbidden_of(r, *pepper)) == "");
    }
    for (int b = 0; b < server::storage::IdentityAuditStore::kBuckets; ++b)
        CHECK_FALSE(after.contains(server::storage::IdentityAuditStore::bucket_key("t", b)));
    // The append-only file was rewritten from what is left: the disk holds no trace either.
    CHECK(purged.second.find("append-only file rewritten on") != std::string::npos);
    const auto disk_after = redis_files(c);
    for (const auto& r : {kResidents[0], kResidents[1], kResidents[2], kResidents[3], kUndecided}) {
        INFO(r.email);
        CHECK(found_in(disk_after, forbidden_of(r, *pepper)) == "");
    }
    for (const auto& [k, values] : after) {
        INFO(k);
        CHECK(keys::purge_family("t", k) == Family::keep);
    }
    CHECK(fs::file_size(c.outbox()) == 0);

    // What stays is untouched: the ballots, receipts, heads, results... (the audit stream has one
    // more entry, the purge's; the purge's mark is new).
    for (const auto& [k, values] : before) {
        if (keys::purge_family("t", k) != Family::keep || k == keys::audit("t")) continue;
        INFO(k);
        REQUIRE(after.contains(k));
        CHECK(after.at(k) == values);
    }
    CHECK(after.at(keys::audit("t")).size() > before.at(keys::audit("t")).size());
    const auto audit = command(*redis, {"XREVRANGE", keys::audit("t"), "+", "-", "COUNT", "1"});
    const auto entry = server::storage::audit_entry_json(audit.elements.at(0));
    REQUIRE(entry.has_value());
    CHECK(entry->at("action").as_string() == "purge");
    CHECK(std::string(entry->at("username").as_string()).starts_with("budgetctl:"));
    CHECK(entry->at("details").at("voted markers").to_number<int>() == 4);

    // The published results still verify against the export, and every receipt is served.
    const auto verified =
        run_command(BUDGETCTL_PATH " verify " + c.dir() + "/results.json --ballots " + c.dir() +
                    "/ballots.json --public-key " + public_key);
    INFO(verified.second);
    CHECK(verified.first == 0);
    CHECK(verified.second.find("verify: OK") != std::string::npos);
    CHECK(http_request(c.port(), "GET", "/api/v1/ballots/export").body == exported.body);
    for (const auto& [who, id] : receipts) {
        INFO(who);
        CHECK(http_request(c.port(), "GET", "/api/v1/receipts/" + id).status == 200);
    }
    const auto ledger = budgetctl(c, "storage ledger");
    CHECK(ledger.first == 0);
    CHECK(ledger.second.find("voted markers purged on ") != std::string::npos);

    // Again: nothing new to remove, and it says when it ran.
    const auto again = budgetctl(c, "purge");
    INFO(again.second);
    CHECK(again.first == 0);
    CHECK(again.second.find("ran on ") != std::string::npos);
    CHECK(again.second.find("removed 0 in all") != std::string::npos);
    const auto after_again = everything(*redis);
    CHECK(after_again.size() == after.size());
}

TEST_CASE("budgetd purges by itself once purge_after_days have passed since publication",
          "[integration][purge]") {
    // Under the ACL of docs/deploy.md: every command of the purge must be budgetd's to send.
    // Not while automatic_purge is false, whatever the delay.
    auto config = in_vote("[privacy]\npurge_after_days = 0\nautomatic_purge = false\n");
    config.redis_acl = true;
    TestCampaign c(config, sealed_ballot());
    c.vote(kResidents[1], {"a"});
    c.restart(closed());
    tally_and_publish(c);
    c.restart();  // it looks at start
    // The ledger counts the voted markers; after the purge it says when they went.
    const auto ledger = [&] {
        const auto [code, out] = budgetctl(c, "storage ledger");
        REQUIRE(code == 0);
        return out;
    };
    const auto quoted = [](const std::string& key) { return "'" + key + "'"; };
    const auto audit_length = [&] { return c.redis().cli("XLEN " + quoted(keys::audit("t"))); };
    std::this_thread::sleep_for(1500ms);
    CHECK(ledger().find("total: log 1, voted 1,") != std::string::npos);
    const auto before = audit_length();

    c.config().otp_lines = "[privacy]\npurge_after_days = 0\n";
    c.restart();
    const bool purged = eventually(
        [&] { return ledger().find("voted markers purged on") != std::string::npos; }, 10s);
    INFO(c.budgetd().log());
    REQUIRE(purged);
    CHECK(ledger().find("total: log 1, voted 0,") != std::string::npos);
    const auto newest = c.redis().cli("XREVRANGE " + quoted(keys::audit("t")) + " + - COUNT 1");
    CHECK(newest.find("purge") != std::string::npos);
    CHECK(newest.find("budgetd:automatic") != std::string::npos);
    CHECK(newest.find("\"voted markers\":1") != std::string::npos);
    CHECK(std::stoi(audit_length()) == std::stoi(before) + 1);
    CHECK(c.budgetd().log().find("purge_failed") == std::string::npos);
    // Once: a restart does not purge again.
    c.restart();
    std::this_thread::sleep_for(1500ms);
    CHECK(std::stoi(audit_length()) == std::stoi(before) + 1);
}
