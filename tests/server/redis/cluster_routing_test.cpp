#include <catch2/catch.hpp>

#include "server/redis/client.hpp"

using namespace budget::server::redis;

TEST_CASE("a key's hash slot is CRC16 mod 16384 as Redis Cluster computes it", "[unit][redis]") {
    // Values from the cluster specification and from CLUSTER KEYSLOT on Redis 7.
    CHECK(key_hash_slot("foo") == 12182);
    CHECK(key_hash_slot("123456789") == 0x31C3);
    CHECK(key_hash_slot("") == 0);
}

TEST_CASE("only the first non-empty hash tag decides the slot", "[unit][redis]") {
    CHECK(key_hash_slot("{user1000}.following") == key_hash_slot("{user1000}.followers"));
    CHECK(key_hash_slot("{user1000}.following") == key_hash_slot("user1000"));
    CHECK(key_hash_slot("foo{bar}{zap}") == key_hash_slot("bar"));
    CHECK(key_hash_slot("foo{{bar}}zap") == key_hash_slot("{bar"));
    // An empty tag does not count: the whole key is hashed.
    CHECK(key_hash_slot("foo{}{bar}") != key_hash_slot("bar"));
    CHECK(key_hash_slot("budget:{c2026:b3}:log") == key_hash_slot("budget:{c2026:b3}:voted:ab"));
}

TEST_CASE("a command is routed by its first key, a script by its first declared key",
          "[unit][redis]") {
    CHECK(routing_key({"GET", "budget:{c1}:ballot"}) == "budget:{c1}:ballot");
    CHECK(routing_key({"hget", "k", "f"}) == "k");
    CHECK(routing_key({"EVALSHA", "abc", "2", "first", "second", "arg"}) == "first");
    CHECK(routing_key({"eval", "return 1", "1", "only"}) == "only");
    CHECK_FALSE(routing_key({"EVAL", "return 1", "0", "arg"}).has_value());
    CHECK_FALSE(routing_key({"PING"}).has_value());
    CHECK_FALSE(routing_key({"CONFIG", "GET", "append*"}).has_value());
    CHECK_FALSE(routing_key({"WAIT", "1", "100"}).has_value());
    CHECK_FALSE(routing_key({"CLUSTER", "SLOTS"}).has_value());
}

TEST_CASE("MOVED and ASK errors are read into a slot and a node, anything else is not",
          "[unit][redis]") {
    const auto moved = parse_redirect("MOVED 3999 127.0.0.1:6381");
    REQUIRE(moved);
    CHECK_FALSE(moved->ask);
    CHECK(moved->slot == 3999);
    CHECK(moved->node.host == "127.0.0.1");
    CHECK(moved->node.port == 6381);

    const auto ask = parse_redirect("ASK 16383 10.0.0.2:7002");
    REQUIRE(ask);
    CHECK(ask->ask);
    CHECK(ask->slot == 16383);
    CHECK(ask->node.describe() == "10.0.0.2:7002");

    CHECK_FALSE(parse_redirect("MOVED 16384 127.0.0.1:6381"));
    CHECK_FALSE(parse_redirect("MOVED x 127.0.0.1:6381"));
    CHECK_FALSE(parse_redirect("MOVED 12 127.0.0.1"));
    CHECK_FALSE(parse_redirect("MOVED 12 127.0.0.1:0"));
    CHECK_FALSE(parse_redirect("ERR wrong number of arguments"));
    CHECK_FALSE(parse_redirect("NOSCRIPT No matching script"));
}
