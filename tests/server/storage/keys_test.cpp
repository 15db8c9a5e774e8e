#include "server/storage/keys.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <stdexcept>

#include "server/redis/cluster.hpp"

namespace keys = budget::server::storage::keys;
using budget::server::redis::key_hash_slot;

namespace {
const std::string kIdentity = "00000007" + std::string(56, 'a');  // first 32 bits: 7
}

TEST_CASE("every key of a campaign carries the campaign in its hash tag", "[keys]") {
    for (const auto& key :
         {keys::published("2026"), keys::sealed_ballot("2026"), keys::initiatives("2026"),
          keys::audit("2026"), keys::tree_heads("2026", 0), keys::draft_results("2026")}) {
        CHECK(key.rfind("budget:{c2026}:", 0) == 0);
        CHECK(key_hash_slot(key) == key_hash_slot(keys::published("2026")));
    }
}

TEST_CASE("shard 0's tree heads keep the key of the single-shard log", "[keys]") {
    CHECK(keys::tree_heads("2026", 0) == "budget:{c2026}:heads");
    CHECK(keys::tree_heads("2026", 3) == "budget:{c2026}:heads:3");
}

TEST_CASE("an identity's shard is its first 32 bits modulo the shard count", "[keys]") {
    CHECK(keys::shard_of(kIdentity, 1) == 0);
    CHECK(keys::shard_of(kIdentity, 4) == 3);
    CHECK(keys::shard_of(kIdentity, 16) == 7);
    CHECK(keys::shard_of("ffffffff" + std::string(56, '0'), 16) == 15);
    SECTION("an identity that is not hex is a broken invariant, not a shard") {
        CHECK_THROWS_AS(keys::shard_of("not-hex-at-all", 4), std::invalid_argument);
        CHECK_THROWS_AS(keys::shard_of("abc", 4), std::invalid_argument);
    }
}

TEST_CASE("the keys of a ballot all sit in the slot of the identity's shard", "[keys]") {
    const auto k = keys::ballot_keys("2026", 16, kIdentity);
    CHECK(k.shard == 7);
    CHECK(k.tag == "budget:{c2026:b7}:");
    CHECK(k.voted == "budget:{c2026:b7}:voted:" + kIdentity);
    CHECK(k.log == keys::ballot_log("2026", 7));
    CHECK(k.receipts == keys::receipts("2026", 7));
    CHECK(k.stats == keys::ballot_stats("2026", 7));
    CHECK(k.claims == "budget:{c2026:b7}:claims");
    const auto slot = key_hash_slot(k.voted);
    for (const auto& key : {k.log, k.receipts, k.stats, k.claims, k.retry(std::string(64, 'b'))}) {
        CHECK(key_hash_slot(key) == slot);
    }
    SECTION("the retry key keeps 32 hex digits of its hash") {
        CHECK(k.retry(std::string(64, 'b')) == "budget:{c2026:b7}:retry:" + std::string(32, 'b'));
    }
}

TEST_CASE("shards spread over distinct slots", "[keys]") {
    std::set<std::uint16_t> slots;
    for (int k = 0; k < 16; ++k) slots.insert(key_hash_slot(keys::ballot_log("2026", k)));
    CHECK(slots.size() == 16);
}

TEST_CASE("an address's keys share its slot and never hold the address", "[keys]") {
    const std::string hash(64, 'c');
    const auto code = keys::email_code("2026", hash);
    CHECK(code == "budget:{c2026:e" + std::string(32, 'c') + "}:otp");
    CHECK(key_hash_slot(code) == key_hash_slot(keys::email_counter("2026", hash)));
    CHECK(key_hash_slot(code) == key_hash_slot(keys::email_binding("2026", hash)));
    CHECK(keys::address_counter("2026", hash) == "budget:{c2026:ip}:" + std::string(32, 'c'));
}

TEST_CASE("staff keys are shared by every campaign and hash the session id", "[keys]") {
    CHECK(keys::staff_user("alice") == "budget:{staff}:user:alice");
    const auto session = keys::staff_session("secret-session-id");
    CHECK(session.rfind("budget:{staff}:session:", 0) == 0);
    CHECK(session.find("secret-session-id") == std::string::npos);
    CHECK(key_hash_slot(session) == key_hash_slot(keys::staff_user("alice")));
}
