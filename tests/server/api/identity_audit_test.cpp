// The sealed record of a verified identity (issue 15): what it holds and what it never holds,
// and that a failure to record never refuses the resident.
#include "server/api/identity_audit.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>

#include "config/paris_time.hpp"
#include "server/redis/blocking_client.hpp"
#include "tests/server/support/process_support.hpp"

using namespace budget;
using namespace budget::server;
using api::AuditedIdentity;

namespace {

AuditedIdentity mallory() {
    return AuditedIdentity{{"D\u2019Artagnan", "\u0141ukaszewska", "Jean  Pierre", {1980, 5, 17}},
                           "62041",
                           "email",
                           "Mallory+4@Example.ORG",
                           "203.0.113.77"};
}

// 2026-09-12 08:42:07 UTC: 10:42 in Paris (summer time).
const std::int64_t kAt = *config::parse_rfc3339("2026-09-12T08:42:07Z");

}  // namespace

TEST_CASE(
    "the record of a verified identity holds its names normalised and as written, the hour and "
    "a keyed network, never the address, the IP or the instant",
    "[identity_audit]") {
    const crypto::Key32 key{1, 2, 3};
    const auto record = api::audit_record_of(mallory(), key, kAt);
    REQUIRE(record);
    CHECK(record->birth_name == "dartagnan");
    CHECK(record->usage_name == "lukaszewska");
    CHECK(record->given_names == std::vector<std::string>{"jean", "pierre"});
    CHECK(record->shown_birth_name == "D\u2019Artagnan");
    CHECK(record->shown_given_names == "Jean Pierre");
    CHECK(record->birth_date == voting::Date{1980, 5, 17});
    CHECK(record->commune == "62041");
    CHECK(record->method == "email");
    CHECK(record->mailbox_domain == "example.org");
    CHECK(record->hour == "2026-09-12T10");
    CHECK(record->network.size() == 32);

    const auto text = voting::audit_record_json(*record);
    for (const auto* secret : {"allory", "203.0.113", ":42", "T08", "+4"}) {
        INFO(secret);
        CHECK(text.find(secret) == std::string::npos);
    }
    // One network per /24, keyed: another address of it gives the same hash, another network
    // or another key another one.
    auto neighbour = mallory();
    neighbour.client_ip = "203.0.113.5";
    CHECK(api::audit_record_of(neighbour, key, kAt)->network == record->network);
    neighbour.client_ip = "203.0.114.77";
    CHECK(api::audit_record_of(neighbour, key, kAt)->network != record->network);
    CHECK(api::audit_record_of(mallory(), crypto::Key32{9}, kAt)->network != record->network);

    // FranceConnect: no mailbox domain, whatever is given.
    auto fc = mallory();
    fc.method = "franceconnect";
    CHECK(api::audit_record_of(fc, key, kAt)->mailbox_domain.empty());
    // Winter: UTC+1.
    CHECK(api::paris_hour(*config::parse_rfc3339("2026-12-02T23:30:00Z")) == "2026-12-03T00");
    // A name that is none gives no record.
    auto robot = mallory();
    robot.person.given_names = "R2D2";
    CHECK_FALSE(api::audit_record_of(robot, key, kAt));
    CHECK(api::mailbox_domain("no address").empty());
}

TEST_CASE(
    "IdentityAudit seals each record to the audit key; without a key it records nothing; a "
    "Redis that does not answer is counted, never thrown at the resident",
    "[integration][identity_audit]") {
    REQUIRE(sodium_init() >= 0);
    test::TempDir dir;
    test::RedisServer redis{dir.path() + "/redis"};
    auto connected = redis::BlockingClient::connect(redis::Target::parse_url(redis.url()));
    REQUIRE(std::holds_alternative<std::unique_ptr<redis::BlockingClient>>(connected));
    auto& client = *std::get<std::unique_ptr<redis::BlockingClient>>(connected);
    storage::IdentityAuditStore store(client.client(), "t");
    const auto keys = make_seal_key_pair();
    const crypto::Key32 pepper{7};
    const FixedClock clock{kAt};
    http::Metrics metrics;

    const auto stored = [&] {
        std::vector<std::string> all;
        for (int k = 0; k < storage::IdentityAuditStore::kBuckets; ++k) {
            auto bucket = client.run(store.bucket(k));
            REQUIRE(bucket.has_value());
            all.insert(all.end(), bucket->begin(), bucket->end());
        }
        return all;
    };

    api::IdentityAudit audit(keys.public_key, pepper, clock, metrics, store);
    CHECK(audit.enabled());
    client.run(audit.record(mallory()));
    const auto sealed = stored();
    REQUIRE(sealed.size() == 1);
    CHECK(sealed[0].find("rtagnan") == std::string::npos);
    const auto opened = open_sealed(keys, sealed[0]);
    REQUIRE(opened);
    const auto record = voting::parse_audit_record(*opened);
    REQUIRE(record);
    CHECK(*record == *api::audit_record_of(
                         mallory(), crypto::derive_key(pepper, "identity-audit-network"), kAt));
    CHECK(metrics.render().find("budget_events_total{event=\"identity_audit_recorded\"} 1") !=
          std::string::npos);

    api::IdentityAudit off(std::nullopt, pepper, clock, metrics, store);
    CHECK_FALSE(off.enabled());
    client.run(off.record(mallory()));
    CHECK(stored().size() == 1);

    redis.stop();
    client.run(audit.record(mallory()));  // returns: the verification goes on
    CHECK(metrics.render().find("budget_events_total{event=\"identity_audit_failed\"} 1") !=
          std::string::npos);
}
