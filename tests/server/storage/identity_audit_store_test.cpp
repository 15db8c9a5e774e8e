// Integration: the duplicate audit's store against a real redis-server (issue 15).
#include "server/storage/identity_audit_store.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>
#include <set>

#include "server/core/sealed_box.hpp"
#include "server/redis/blocking_client.hpp"
#include "tests/server/support/process_support.hpp"
#include "voting/duplicates.hpp"

using namespace budget;
using namespace budget::test;
using server::storage::IdentityAuditStore;
using voting::AuditRecord;

TEST_CASE("the identity store keeps sealed records in hashed buckets, each once",
          "[integration][identity_audit]") {
    REQUIRE(sodium_init() >= 0);
    TempDir dir;
    RedisServer redis{dir.path() + "/redis"};
    auto connected =
        server::redis::BlockingClient::connect(server::redis::Target::parse_url(redis.url()));
    REQUIRE(std::holds_alternative<std::unique_ptr<server::redis::BlockingClient>>(connected));
    auto& client = *std::get<std::unique_ptr<server::redis::BlockingClient>>(connected);
    IdentityAuditStore store(client.client(), "t");
    const auto keys = server::make_seal_key_pair();

    // Even the emptiest record seals to more than 64 bytes: Redis keeps such values in a hash
    // table (hash-max-listpack-value), never in a list in the order of arrival.
    CHECK(server::seal_to(keys.public_key, voting::audit_record_json(AuditRecord{})).size() > 200);
    std::set<std::string> sealed;
    for (int i = 0; i < 300; ++i) {
        AuditRecord r;
        r.birth_name = "record" + std::to_string(i);
        sealed.insert(server::seal_to(keys.public_key, voting::audit_record_json(r)));
    }
    for (const auto& s : sealed) REQUIRE(client.run(store.add(s)).has_value());
    // A retried write (its answer lost) stores nothing twice.
    REQUIRE(client.run(store.add(*sealed.begin())).has_value());

    std::multiset<std::string> read;
    std::size_t used = 0;
    for (int k = 0; k < IdentityAuditStore::kBuckets; ++k) {
        const auto bucket = client.run(store.bucket(k));
        REQUIRE(bucket.has_value());
        used += bucket->empty() ? 0 : 1;
        read.insert(bucket->begin(), bucket->end());
        if (!bucket->empty()) {
            // A hash table: its order is its fields' hashes', not the order of arrival.
            CHECK(redis.cli("OBJECT ENCODING '" + IdentityAuditStore::bucket_key("t", k) + "'") ==
                  "hashtable");
        }
    }
    CHECK(read == std::multiset<std::string>(sealed.begin(), sealed.end()));
    CHECK(used > IdentityAuditStore::kBuckets / 2);
    CHECK(IdentityAuditStore::bucket_key("t", 7) == "budget:{ct:a7}:identity-audit");
}
