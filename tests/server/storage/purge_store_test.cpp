// Integration (issue 18): the purge of personal data against a real redis-server (and a real
// Redis Cluster) and a real directory: every key family it removes, everything it keeps, its
// counts, its refusals, its audit entries, a second run, a dry run, the holders' stage.
#include "server/storage/purge_store.hpp"

#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "config/paris_time.hpp"
#include "server/core/clock.hpp"
#include "server/redis/blocking_client.hpp"
#include "server/storage/application_store.hpp"
#include "server/storage/identity_audit_store.hpp"
#include "server/storage/keys.hpp"
#include "tests/server/support/process_support.hpp"

using namespace budget;
using namespace budget::test;
using server::storage::ApplicationStore;
using server::storage::AttachmentMeta;
using server::storage::AuditEntry;
using server::storage::PurgeCounts;
using server::storage::PurgeRefusal;
using server::storage::PurgeRequest;
using server::storage::PurgeStage;
using server::storage::PurgeStore;
using server::storage::StoredApplication;
using Family = server::storage::keys::PurgeFamily;
namespace keys = server::storage::keys;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::int64_t kDay = 24 * 3600;
// Published on 2026-10-10 at noon, Paris time.
const std::int64_t kPublished = *config::parse_rfc3339("2026-10-10T12:00:00+02:00");

std::string hash(char c) { return std::string(32, c); }
std::string claim(char c) { return std::string(40, c); }

/// The keys a campaign holds after its vote, by what the purge must do with them.
struct Seeded {
    std::map<std::string, Family> removed;  ///< at the residents' stage
    std::vector<std::string> kept;
    std::vector<std::string> holder_sets;  ///< at the holders' stage
};

/// The campaign "t" with two shards, its holders, its staff, and a campaign "u" beside it.
struct Fixture {
    TempDir dir;
    std::unique_ptr<RedisServer> redis;
    std::unique_ptr<RedisCluster> cluster;
    boost::asio::thread_pool pool{1};
    std::unique_ptr<server::redis::BlockingClient> client;
    fs::path attachments = fs::path(dir.path()) / "attachments";
    server::FixedClock clock{kPublished + kDay};
    config::Config config;
    std::unique_ptr<ApplicationStore> applications;
    std::unique_ptr<PurgeStore> purge;

    explicit Fixture(bool on_cluster = false) {
        config.campaign.id = "t";
        config.otp.delivery = "outbox";
        config.otp.outbox = dir.path() + "/outbox.jsonl";
        config.privacy.purge_after_days = 30;
        config.privacy.holders_retention_days = 365;
        std::variant<std::unique_ptr<server::redis::BlockingClient>, std::string> connected;
        if (on_cluster) {
            cluster = std::make_unique<RedisCluster>(dir.path() + "/cluster", 3, 0);
            server::redis::Target seed;
            seed.host = "127.0.0.1";
            seed.port = cluster->ports().front();
            connected = server::redis::BlockingClient::connect(server::redis::ClusterSeeds{{seed}});
        } else {
            redis = std::make_unique<RedisServer>(dir.path() + "/redis");
            connected = server::redis::BlockingClient::connect(
                server::redis::Target::parse_url(redis->url()));
        }
        REQUIRE(std::holds_alternative<std::unique_ptr<server::redis::BlockingClient>>(connected));
        client = std::move(std::get<std::unique_ptr<server::redis::BlockingClient>>(connected));
        applications = std::make_unique<ApplicationStore>(client->client(), "t", attachments, pool);
        purge = std::make_unique<PurgeStore>(client->client(), config, *applications, pool, clock);
    }
    ~Fixture() { pool.join(); }

    template <typename T>
    T run(boost::asio::awaitable<T> work) {
        return client->run(std::move(work));
    }
    server::redis::Reply command(std::vector<std::string> args) {
        auto r = client->command(std::move(args));
        REQUIRE(r.has_value());
        return *r;
    }
    bool exists(const std::string& key) { return command({"EXISTS", key}).integer == 1; }
    void set(const std::string& key, const std::string& value = "1") {
        command({"SET", key, value});
    }

    Seeded seed() {
        Seeded s;
        const std::string c = "t";
        const auto h = keys::holder_codes_campaign(c);
        auto removed = [&](const std::string& key, Family family) { s.removed[key] = family; };
        // Residents' addresses: code, counters, failed tries, binding.
        for (const char a : {'1', '2'}) {
            command({"HSET", keys::email_code(c, hash(a)), "mac", "x", "tries", "0"});
            removed(keys::email_code(c, hash(a)), Family::codes);
            set(keys::email_counter(c, hash(a)));
            removed(keys::email_counter(c, hash(a)), Family::counters);
            set(keys::email_counter(c, hash(a)) + ":" + hash('n'));
            removed(keys::email_counter(c, hash(a)) + ":" + hash('n'), Family::counters);
            set(keys::email(c, hash(a)) + ":misses");
            removed(keys::email(c, hash(a)) + ":misses", Family::counters);
            set(keys::email_binding(c, hash(a)), claim(a));
            removed(keys::email_binding(c, hash(a)), Family::bindings);
        }
        set(keys::address_counter(c, hash('i')));
        removed(keys::address_counter(c, hash('i')), Family::counters);
        // A holder's codes, counters and binding (campaign "t:h").
        command({"HSET", keys::email_code(h, hash('h')), "mac", "x", "tries", "0"});
        removed(keys::email_code(h, hash('h')), Family::codes);
        set(keys::email_binding(h, hash('h')), hash('h'));
        removed(keys::email_binding(h, hash('h')), Family::bindings);
        set(keys::address_counter(h, hash('j')));
        removed(keys::address_counter(h, hash('j')), Family::counters);
        // Two ballot shards: markers, claims, a retry key; the log and counts stay.
        for (int k = 0; k < 2; ++k) {
            for (int i = 0; i < 3 - k; ++i) {
                const auto voted =
                    keys::ballot_keys(c, 2, claim(static_cast<char>('a' + 2 * i + k))).voted;
                set(voted, "email 2026-09-14");
                removed(voted, Family::voted_marker);
            }
            command({"SADD", keys::ballot_claims(c, k), claim('a'), claim('b')});
            removed(keys::ballot_claims(c, k), Family::claims_set);
            command({"RPUSH", keys::ballot_log(c, k), R"({"ballot_id":"x","choices":["a"]})"});
            command({"HSET", keys::receipts(c, k), "x", "0"});
            command({"HSET", keys::ballot_stats(c, k), "total", "1"});
            command({"RPUSH", keys::tree_heads(c, k), "{}"});
            s.kept.insert(s.kept.end(), {keys::ballot_log(c, k), keys::receipts(c, k),
                                         keys::ballot_stats(c, k), keys::tree_heads(c, k)});
        }
        const auto retry = keys::shard(c, 1) + "retry:" + hash('r');
        set(retry, "receipt");
        removed(retry, Family::retry);
        // The duplicate audit's buckets.
        for (const int b : {0, 17, 63}) {
            const auto key = server::storage::IdentityAuditStore::bucket_key(c, b);
            command({"HSET", key, hash('s'), "sealed"});
            removed(key, Family::identity_audit);
        }
        // Holder and staff sessions, staff login counters; the staff account stays.
        command({"HSET", keys::holder_session(c, "session-1"), "email", "porteur@example.org"});
        removed(keys::holder_session(c, "session-1"), Family::holder_session);
        for (const auto* id : {"staff-1", "staff-2"}) {
            command({"HSET", keys::staff_session(id), "username", "mission"});
            removed(keys::staff_session(id), Family::staff_session);
        }
        set(keys::login_user(hash('l')));
        set(keys::login_user(hash('l')) + ":delay");
        set(keys::login_address(hash('m')));
        for (const auto& key : {keys::login_user(hash('l')), keys::login_user(hash('l')) + ":delay",
                                keys::login_address(hash('m'))})
            removed(key, Family::login_counter);
        command({"HSET", keys::staff_user("mission"), "role", "mission"});
        s.kept.push_back(keys::staff_user("mission"));
        // The campaign's public record.
        command({"HSET", keys::sealed_ballot(c), "document", "{}"});
        command({"HSET", keys::initiatives(c), "a", "{}"});
        command({"HSET", keys::results(c), "document", "{}"});
        command({"XADD", keys::audit(c), "*", "action", "seal"});
        set(keys::ballot_shards(c), "2");
        s.kept.insert(s.kept.end(), {keys::sealed_ballot(c), keys::initiatives(c), keys::results(c),
                                     keys::audit(c), keys::ballot_shards(c)});
        // Holders' sets of applications: the holders' stage.
        for (const char o : {'o', 'p'}) {
            command({"SADD", keys::holder_applications(c, hash(o)), "d-1"});
            s.holder_sets.push_back(keys::holder_applications(c, hash(o)));
        }
        // Another campaign of the same Redis: none of its keys is this purge's.
        for (const auto& key :
             {keys::email_code("u", hash('1')), keys::ballot_keys("u", 1, claim('a')).voted,
              keys::holder_session("u", "session-1"), keys::email_code("t2", hash('1'))}) {
            set(key);
            s.kept.push_back(key);
        }
        return s;
    }

    void publish() { set(keys::published("t"), config::format_paris_time(kPublished)); }

    /// One application of holder 'o' with an attachment, as the holder API writes it.
    StoredApplication apply(const std::string& sha) {
        StoredApplication a;
        a.id = "d-1";
        a.owner = hash('o');
        a.owner_email = "porteur@example.org";
        a.created_at = a.updated_at = "2026-05-02T10:00:00+02:00";
        a.fields.holder = "Les Jardins partagés";
        a.fields.contact_name = "Camille Porteur";
        a.fields.contact_email = "camille@example.org";
        a.fields.contact_phone = "0612345678";
        a.fields.title = "Un jardin";
        a.fields.summary = "Des bacs dans la cour.";
        a.fields.requested_eur = 4000;
        a.attachments = {AttachmentMeta{sha, "budget.pdf", 4, "2026-05-02T10:00:00+02:00"}};
        const AuditEntry audit{"holder:oooo", "holder", "application_created", "d-1", {}, ""};
        REQUIRE(run(applications->create(a, audit)).value() ==
                server::storage::ApplicationWrite::ok);
        return a;
    }

    /// A file in the attachments directory, written `age` ago.
    std::string attachment(char c, std::chrono::seconds age) {
        fs::create_directories(attachments);
        const auto sha = std::string(64, c);
        const auto path = attachments / (sha + ".pdf");
        std::ofstream(path) << "%PDF";
        fs::last_write_time(path, fs::file_time_type::clock::now() - age);
        return sha;
    }
    bool has_file(const std::string& sha) { return fs::exists(attachments / (sha + ".pdf")); }

    void outbox(int lines) {
        std::ofstream out(config.otp.outbox);
        for (int i = 0; i < lines; ++i)
            out << R"({"email":"ana@example.org","code":"123456","at":"x"})" << '\n';
    }
    std::uintmax_t outbox_size() { return fs::file_size(config.otp.outbox); }

    /// Every key of the Redis, with its type (to compare before and after a refusal).
    std::set<std::string> all_keys() {
        std::set<std::string> out;
        for (const auto& master : client->client().masters()) {
            std::string cursor = "0";
            do {
                auto r = client->run(
                    client->client().command_on_master(master, {"SCAN", cursor, "COUNT", "1000"}));
                REQUIRE(r.has_value());
                cursor = r->elements[0].str;
                for (const auto& k : r->elements[1].elements) out.insert(k.str);
            } while (cursor != "0");
        }
        return out;
    }

    json::object last_audit() {
        const auto r = command({"XREVRANGE", keys::audit("t"), "+", "-", "COUNT", "1"});
        REQUIRE(r.elements.size() == 1);
        const auto entry = server::storage::audit_entry_json(r.elements[0]);
        REQUIRE(entry.has_value());
        return *entry;
    }

    server::storage::PurgeReport purge_now(PurgeStage stage = PurgeStage::residents,
                                           bool dry_run = false) {
        auto report = run(purge->purge(PurgeRequest{stage, dry_run, "budgetctl:test", "operator"}));
        REQUIRE(report.has_value());
        return *report;
    }
};

/// The counts of the seeded keys, by kind.
PurgeCounts expected_counts(const Seeded& s) {
    PurgeCounts counts;
    for (const auto& [key, family] : s.removed) {
        switch (family) {
            case Family::codes:
                ++counts.codes;
                break;
            case Family::counters:
                ++counts.counters;
                break;
            case Family::bindings:
                ++counts.bindings;
                break;
            case Family::voted_marker:
                ++counts.voted_markers;
                break;
            case Family::claims_set:
                ++counts.claims_sets;
                break;
            case Family::retry:
                ++counts.retry_keys;
                break;
            case Family::identity_audit:
                ++counts.identity_audit_buckets;
                break;
            case Family::holder_session:
                ++counts.holder_sessions;
                break;
            case Family::staff_session:
                ++counts.staff_sessions;
                break;
            case Family::login_counter:
                ++counts.login_counters;
                break;
            default:
                FAIL("unexpected family");
        }
    }
    return counts;
}

void check_counts(const PurgeCounts& got, const PurgeCounts& want) {
    CHECK(got.codes == want.codes);
    CHECK(got.counters == want.counters);
    CHECK(got.bindings == want.bindings);
    CHECK(got.voted_markers == want.voted_markers);
    CHECK(got.claims_sets == want.claims_sets);
    CHECK(got.retry_keys == want.retry_keys);
    CHECK(got.identity_audit_buckets == want.identity_audit_buckets);
    CHECK(got.holder_sessions == want.holder_sessions);
    CHECK(got.staff_sessions == want.staff_sessions);
    CHECK(got.login_counters == want.login_counters);
}

}  // namespace

TEST_CASE("every key of the campaign is sorted into what the purge removes and what it keeps",
          "[unit][purge]") {
    CHECK(keys::purge_family("t", keys::email_code("t", hash('1'))) == Family::codes);
    CHECK(keys::purge_family("t", keys::email_binding("t", hash('1'))) == Family::bindings);
    CHECK(keys::purge_family("t", keys::email(keys::holder_codes_campaign("t"), hash('1')) +
                                      "codes:" + hash('n')) == Family::counters);
    CHECK(keys::purge_family("t", keys::address_counter("t", hash('1'))) == Family::counters);
    CHECK(keys::purge_family("t", keys::ballot_keys("t", 4, claim('a')).voted) ==
          Family::voted_marker);
    CHECK(keys::purge_family("t", keys::ballot_claims("t", 3)) == Family::claims_set);
    CHECK(keys::purge_family("t", keys::ballot_keys("t", 4, claim('a')).retry(hash('r'))) ==
          Family::retry);
    CHECK(keys::purge_family("t", server::storage::IdentityAuditStore::bucket_key("t", 9)) ==
          Family::identity_audit);
    CHECK(keys::purge_family("t", keys::holder_applications("t", hash('o'))) == Family::holder_set);
    CHECK(keys::purge_family("t", keys::staff_session("x")) == Family::staff_session);
    CHECK(keys::purge_family("t", keys::login_user(hash('l')) + ":delay") == Family::login_counter);
    // Kept: the count, the record, the accounts, the purge's own marks, other campaigns.
    for (const auto& key :
         {keys::ballot_log("t", 0), keys::receipts("t", 1), keys::ballot_stats("t", 0),
          keys::tree_heads("t", 1), keys::head_mark("t", 0), keys::sealed_ballot("t"),
          keys::results("t"), keys::audit("t"), keys::applications("t"), keys::initiatives("t"),
          keys::published("t"), keys::purged("t"), keys::purge_claim("t"),
          keys::staff_user("mission"), keys::email_code("u", hash('1')),
          keys::email_code("t2", hash('1')), keys::ballot_keys("tt", 2, claim('a')).voted}) {
        INFO(key);
        CHECK(keys::purge_family("t", key) == Family::keep);
    }
}

TEST_CASE("the purge refuses before publication and writes nothing", "[integration][purge]") {
    Fixture f;
    f.seed();
    f.outbox(2);
    const auto orphan = f.attachment('a', std::chrono::hours(2));
    const auto before = f.all_keys();
    const auto outbox = f.outbox_size();
    for (const auto stage : {PurgeStage::residents, PurgeStage::holders}) {
        const auto report = f.purge_now(stage);
        CHECK(report.refused == PurgeRefusal::not_published);
        CHECK(report.counts.total() == 0);
    }
    CHECK(f.all_keys() == before);
    CHECK(f.outbox_size() == outbox);
    CHECK(f.has_file(orphan));
    CHECK(f.command({"XLEN", keys::audit("t")}).integer == 1);  // the seed's one entry
}

TEST_CASE("after publication the purge removes each kind, keeps the count and the record",
          "[integration][purge]") {
    Fixture f;
    const auto seeded = f.seed();
    const auto named = f.attachment('b', std::chrono::hours(2));
    f.apply(named);
    const auto orphan = f.attachment('c', std::chrono::hours(2));
    const auto fresh = f.attachment('d', std::chrono::seconds(0));  // an upload in progress
    f.outbox(3);
    f.publish();

    SECTION("a dry run counts and removes nothing") {
        const auto before = f.all_keys();
        const auto report = f.purge_now(PurgeStage::residents, true);
        CHECK(report.refused == PurgeRefusal::none);
        check_counts(report.counts, expected_counts(seeded));
        CHECK(report.counts.outbox_lines == 3);
        CHECK(report.counts.attachment_files == 1);
        CHECK(f.all_keys() == before);
        CHECK(f.has_file(orphan));
        CHECK(f.outbox_size() > 0);
        CHECK_FALSE(f.exists(keys::purged("t")));
    }

    SECTION("a run removes, counts, audits and marks; a second one removes only what is new") {
        const auto audit_before = f.command({"XLEN", keys::audit("t")}).integer;
        const auto report = f.purge_now();
        CHECK(report.refused == PurgeRefusal::none);
        CHECK_FALSE(report.before.purged_at.has_value());
        check_counts(report.counts, expected_counts(seeded));
        CHECK(report.counts.outbox_lines == 3);
        CHECK(report.counts.attachment_files == 1);
        CHECK(report.counts.holder_sets == 0);
        for (const auto& [key, family] : seeded.removed) {
            INFO(key);
            CHECK_FALSE(f.exists(key));
        }
        for (const auto& key : seeded.kept) {
            INFO(key);
            CHECK(f.exists(key));
        }
        for (const auto& key : seeded.holder_sets) CHECK(f.exists(key));
        CHECK(f.command({"LLEN", keys::ballot_log("t", 0)}).integer == 1);
        CHECK(f.exists(keys::applications("t")));
        CHECK(f.outbox_size() == 0);
        CHECK_FALSE(f.has_file(orphan));
        CHECK(f.has_file(named));
        CHECK(f.has_file(fresh));
        CHECK(f.command({"GET", keys::purged("t")}).str == std::to_string(f.clock.now()));
        CHECK(f.command({"XLEN", keys::audit("t")}).integer == audit_before + 1);
        const auto entry = f.last_audit();
        CHECK(entry.at("action").as_string() == "purge");
        CHECK(entry.at("username").as_string() == "budgetctl:test");
        CHECK(entry.at("role").as_string() == "operator");
        CHECK(entry.at("target").as_string() == "t");
        CHECK(entry.at("details").at("voted markers").to_number<int>() == 5);
        CHECK(entry.at("details").at("identity-audit buckets").to_number<int>() == 3);
        CHECK_FALSE(entry.at("details").as_object().contains("first_run"));

        // A day later: a staff member logged in since; only that goes.
        const auto first = f.clock.now();
        f.clock.set(first + kDay);
        f.command({"HSET", keys::staff_session("staff-3"), "username", "mission"});
        const auto again = f.purge_now();
        REQUIRE(again.before.purged_at.has_value());
        CHECK(*again.before.purged_at == first);
        CHECK(again.counts.total() == 1);
        CHECK(again.counts.staff_sessions == 1);
        CHECK_FALSE(f.exists(keys::staff_session("staff-3")));
        CHECK(f.command({"GET", keys::purged("t")}).str == std::to_string(first));
        CHECK(f.last_audit().at("details").at("first_run").as_string() ==
              config::format_paris_time(first));
        for (const auto& key : seeded.kept) CHECK(f.exists(key));
    }
}

TEST_CASE("the holders' stage waits for its delay, then blanks contacts and removes the files",
          "[integration][purge]") {
    Fixture f;
    const auto seeded = f.seed();
    const auto named = f.attachment('b', std::chrono::hours(2));
    const auto a = f.apply(named);
    f.publish();
    REQUIRE(f.purge_now().refused == PurgeRefusal::none);

    f.clock.set(kPublished + 364 * kDay);
    const auto early = f.purge_now(PurgeStage::holders);
    CHECK(early.refused == PurgeRefusal::holders_not_due);
    CHECK(early.before.holders_due == kPublished + 365 * kDay);
    CHECK(f.has_file(named));
    for (const auto& key : seeded.holder_sets) CHECK(f.exists(key));

    f.clock.set(kPublished + 365 * kDay);
    const auto dry = f.purge_now(PurgeStage::holders, true);
    CHECK(dry.counts.applications_blanked == 1);
    CHECK(dry.counts.holder_sets == 2);
    CHECK(dry.counts.attachment_files == 1);
    CHECK(f.has_file(named));
    CHECK(f.run(f.applications->get("d-1")).value()->owner_email == "porteur@example.org");

    const auto report = f.purge_now(PurgeStage::holders);
    CHECK(report.refused == PurgeRefusal::none);
    CHECK(report.counts.applications_blanked == 1);
    CHECK(report.counts.holder_sets == 2);
    CHECK(report.counts.attachment_files == 1);
    CHECK(report.counts.voted_markers == 0);  // the residents' stage is not run again
    for (const auto& key : seeded.holder_sets) CHECK_FALSE(f.exists(key));
    CHECK_FALSE(f.has_file(named));
    const auto stored = f.command({"HGET", keys::applications("t"), "d-1"}).str;
    for (const auto* personal : {"porteur@example.org", "Camille Porteur", "camille@example.org",
                                 "0612345678", named.c_str()}) {
        INFO(personal);
        CHECK(stored.find(personal) == std::string::npos);
    }
    CHECK(stored.find(a.owner) == std::string::npos);
    const auto blanked = f.run(f.applications->get("d-1")).value();
    REQUIRE(blanked.has_value());
    CHECK(blanked->owner == ApplicationStore::kPurgedOwner);
    CHECK(blanked->fields.title == a.fields.title);
    CHECK(blanked->fields.holder == a.fields.holder);
    CHECK(blanked->fields.summary == a.fields.summary);
    CHECK(blanked->fields.requested_eur == 4000);
    CHECK(blanked->status == a.status);
    CHECK(blanked->history.size() == 1);
    CHECK(blanked->attachments.empty());
    CHECK(f.command({"GET", keys::holders_purged("t")}).str == std::to_string(f.clock.now()));
    CHECK(f.last_audit().at("action").as_string() == "purge_holders");
    CHECK(f.last_audit().at("details").at("applications blanked").to_number<int>() == 1);

    const auto again = f.purge_now(PurgeStage::holders);
    CHECK(again.before.holders_purged_at.has_value());
    CHECK(again.counts.total() == 0);
}

TEST_CASE("the purge walks every master of a Redis Cluster", "[integration][purge][cluster]") {
    Fixture f(true);
    const auto seeded = f.seed();
    f.publish();
    // Many markers of one shard (one slot), more than a batch: removed, counted once each.
    const int extra = static_cast<int>(PurgeStore::kUnlinkBatch) + 7;
    for (int i = 0; i < extra; ++i) {
        char id[48];
        std::snprintf(id, sizeof id, "%08x%032x", 0u, static_cast<unsigned>(i + 1));
        f.set(keys::ballot_keys("t", 1, id).voted);
    }
    const auto report = f.purge_now();
    auto want = expected_counts(seeded);
    want.voted_markers += extra;
    check_counts(report.counts, want);
    for (const auto& [key, family] : seeded.removed) CHECK_FALSE(f.exists(key));
    for (const auto& key : seeded.kept) CHECK(f.exists(key));
    std::set<std::string> left(seeded.kept.begin(), seeded.kept.end());
    left.insert(seeded.holder_sets.begin(), seeded.holder_sets.end());
    left.insert({keys::published("t"), keys::purged("t")});
    CHECK(f.all_keys() == left);
}
