// Integration: a real Redis Cluster of 3 masters and 3 replicas on loopback. The client routes
// by hash slot, follows MOVED and ASK, counts a replica with WAIT and survives a failover; budgetd
// takes ballots over the cluster and `budgetctl tally` reads every shard back.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "server/core/crypto.hpp"
#include "server/redis/client.hpp"
#include "server/storage/keys.hpp"
#include "tests/server/redis/event_loop.hpp"
#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::server;
using namespace budget::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

redis::Target node(int port) {
    redis::Target t;
    t.host = "127.0.0.1";
    t.port = port;
    return t;
}

// One cluster for the whole file: creating one takes a few seconds.
struct ClusterFixture {
    TempDir dir;
    RedisCluster cluster{dir.path(), 3, 1};
    Loop loop;
    redis::Client client;

    ClusterFixture()
        : client(std::vector<asio::io_context*>{&loop.ioc},
                 redis::ClusterSeeds{{node(cluster.ports().front())}}, options(), 1) {
        client.start();
    }
    static redis::Options options() {
        redis::Options o;
        o.command_timeout = 3000ms;
        return o;
    }
    redis::Result command(std::vector<std::string> args) {
        return loop.run(client.command(std::move(args)));
    }
    // A key that no test used yet, and its slot.
    static std::string fresh_key(const std::string& what) {
        static int n = 0;
        return "test:" + what + ":" + std::to_string(++n);
    }
    std::string master_id(int slot) const { return cluster.node_id(cluster.master_of_slot(slot)); }
    int other_master(int port) {
        for (int p : cluster.ports()) {
            if (p == port) continue;
            if (cluster.node_on(p)->cli("ROLE").rfind("master", 0) == 0) return p;
        }
        return 0;
    }
    // Moves an empty slot the way redis-cli --cluster reshard does: importing on the target,
    // migrating on the source, then NODE on the target first (which bumps its config epoch, so
    // that no late gossip from the source can take the slot back), the source, the others.
    void move_slot(int slot, int from, int to) {
        const auto s = std::to_string(slot);
        const auto to_id = cluster.node_id(to);
        cluster.node_on(to)->cli("CLUSTER SETSLOT " + s + " IMPORTING " + cluster.node_id(from));
        cluster.node_on(from)->cli("CLUSTER SETSLOT " + s + " MIGRATING " + to_id);
        cluster.node_on(to)->cli("CLUSTER SETSLOT " + s + " NODE " + to_id);
        cluster.node_on(from)->cli("CLUSTER SETSLOT " + s + " NODE " + to_id);
        for (int p : cluster.ports()) {
            if (p != to && p != from)
                cluster.node_on(p)->cli("CLUSTER SETSLOT " + s + " NODE " + to_id);
        }
        REQUIRE(eventually([&] { return cluster.master_of_slot(slot) == to; }, 10s));
    }
};

ClusterFixture& fixture() {
    static ClusterFixture f;
    return f;
}

}  // namespace

TEST_CASE("commands reach the master of their slot from a single seed node",
          "[integration][cluster]") {
    auto& f = fixture();
    REQUIRE(eventually([&] { return f.client.masters().size() == 3; }, 10s));
    std::set<int> masters_used;
    for (int i = 0; i < 60; ++i) {
        const auto key = "route:" + std::to_string(i);
        const auto set = f.command({"SET", key, "v" + std::to_string(i)});
        REQUIRE(set.has_value());
        REQUIRE(set->str == "OK");
        // Read directly on the node that serves the slot: the value is there, not elsewhere.
        const int owner = f.cluster.master_of_slot(redis::key_hash_slot(key));
        CHECK(f.cluster.node_on(owner)->cli("GET " + key) == "v" + std::to_string(i));
        masters_used.insert(owner);
    }
    CHECK(masters_used.size() == 3);
    // And Redis agrees with our slot computation.
    for (const auto* key : {"foo", "budget:{c2026:b7}:log", "x{}y", "{a}{b}"}) {
        CHECK(f.cluster.nodes().front()->cli(std::string("CLUSTER KEYSLOT '") + key + "'") ==
              std::to_string(redis::key_hash_slot(key)));
    }
}

TEST_CASE("a slot moved to another master is followed through MOVED", "[integration][cluster]") {
    auto& f = fixture();
    REQUIRE(eventually([&] { return f.client.masters().size() == 3; }, 10s));
    const auto key = ClusterFixture::fresh_key("moved");
    const int slot = redis::key_hash_slot(key);
    const int from = f.cluster.master_of_slot(slot);
    const int to = f.other_master(from);
    REQUIRE(to != 0);
    f.move_slot(slot, from, to);  // the client's map still says `from` until it refreshes
    const auto set = f.command({"SET", key, "moved"});
    REQUIRE(set.has_value());
    CHECK(set->str == "OK");
    CHECK(f.cluster.node_on(to)->cli("GET " + key) == "moved");
    CHECK(f.cluster.node_on(from)->cli("CLUSTER COUNTKEYSINSLOT " + std::to_string(slot)) == "0");
}

TEST_CASE("a command during a slot migration reaches the importing node through ASK",
          "[integration][cluster]") {
    auto& f = fixture();
    REQUIRE(eventually([&] { return f.client.masters().size() == 3; }, 10s));
    const auto key = ClusterFixture::fresh_key("ask");
    const int slot = redis::key_hash_slot(key);
    const int from = f.cluster.master_of_slot(slot);
    const int to = f.other_master(from);
    const auto s = std::to_string(slot);
    REQUIRE(f.cluster.node_on(to)->cli("CLUSTER SETSLOT " + s + " IMPORTING " +
                                       f.cluster.node_id(from)) == "OK");
    REQUIRE(f.cluster.node_on(from)->cli("CLUSTER SETSLOT " + s + " MIGRATING " +
                                         f.cluster.node_id(to)) == "OK");
    // The key is not on the migrating node: it answers ASK, and only ASKING + SET succeeds.
    const auto set = f.command({"SET", key, "asked"});
    REQUIRE(set.has_value());
    CHECK(set->str == "OK");
    CHECK(f.cluster.node_on(to)->cli("CLUSTER COUNTKEYSINSLOT " + s) == "1");
    CHECK(f.cluster.node_on(from)->cli("CLUSTER COUNTKEYSINSLOT " + s) == "0");
    f.move_slot(slot, from, to);
    const auto get = f.command({"GET", key});
    REQUIRE(get.has_value());
    CHECK(get->str == "asked");
}

TEST_CASE("a script and its WAIT run on one connection and count the replica",
          "[integration][cluster]") {
    auto& f = fixture();
    const redis::Script script("redis.call('SET', KEYS[1], ARGV[1]) return 1");
    const auto key = "{" + ClusterFixture::fresh_key("wait") + "}:a";
    auto [r, acked] = f.loop.run(f.client.eval_and_wait(script, {key}, {"x"}, 1, 2000ms));
    REQUIRE(r.has_value());
    CHECK(r->integer == 1);
    REQUIRE(acked.has_value());
    REQUIRE(acked->type == redis::Reply::Type::integer);
    CHECK(acked->integer >= 1);
}

TEST_CASE("a script over keys of two slots is refused: scripts must stay in one slot",
          "[integration][cluster]") {
    auto& f = fixture();
    const redis::Script script("return redis.call('MGET', KEYS[1], KEYS[2])");
    auto r = f.loop.run(f.client.eval(script, {"{left}:k", "{right}:k"}, {}));
    REQUIRE_FALSE(r.has_value());
    REQUIRE(r.error() == redis::Errc::error_reply);
    CHECK(r.error().message.find("CROSSSLOT") != std::string::npos);
}

TEST_CASE("every master is asked for its persistence settings", "[integration][cluster]") {
    auto& f = fixture();
    REQUIRE(eventually([&] { return f.client.masters().size() == 3; }, 10s));
    auto replies = f.loop.run(f.client.command_on_masters({"CONFIG", "GET", "appendfsync"}));
    REQUIRE(replies.size() == 3);
    for (const auto& r : replies) {
        REQUIRE(r.has_value());
        REQUIRE(r->elements.size() == 2);
        CHECK(r->elements[1].str == "always");
    }
}

TEST_CASE("budgetd takes ballots over the cluster and budgetctl tallies every shard",
          "[integration][cluster][voting]") {
    auto& f = fixture();
    // The sealed ballot, written through the cluster by budgetctl (it follows MOVED).
    TestCampaign c({.cluster_ports = {f.cluster.ports().front()},
                    .ballot_shards = 8,
                    .wait_replicas = 1,
                    .wait_timeout_ms = 2000,
                    .campaign = "k",
                    .window = VoteWindow::relative(-3600, 3600),
                    .otp_lines = "max_requests_per_ip_hour = 1000\n"},
                   {.redis = TestRedis::none, .ballot = {{"a"}, {"b"}, {"c"}}});
    std::vector<std::string> receipts;
    for (int i = 0; i < 16; ++i) {
        // Born on different days: a person's shard comes from their birth date (all their
        // claims in one slot, issue 15).
        const auto token = c.verify_resident({"r" + std::to_string(i) + "@example.org", "Prénom",
                                              "Nom" + std::string(1, static_cast<char>('a' + i)),
                                              "1980-05-" + std::to_string(10 + i)});
        REQUIRE(!token.empty());
        const auto voted =
            c.cast(token, i % 2 ? R"({"choices":["a","b"]})" : R"({"choices":["c"]})");
        INFO(voted.body);
        REQUIRE(voted.status == 201);
        receipts.emplace_back(json::parse(voted.body).at("receipt").at("ballot_id").as_string());
        // The same person again, through the cluster's atomic script: refused.
        CHECK(c.cast(token, R"({"choices":["a"]})").status == 409);
    }
    // The ballots went to several shards, hence several masters.
    std::set<int> owners;
    for (int shard = 0; shard < 8; ++shard) {
        const auto key = storage::keys::ballot_log("k", shard);
        const int owner = f.cluster.master_of_slot(redis::key_hash_slot(key));
        if (f.cluster.node_on(owner)->cli("LLEN '" + key + "'") != "0") owners.insert(owner);
    }
    CHECK(owners.size() >= 2);

    // After the close, the tally reads all shards from the cluster.
    c.config().window = VoteWindow::relative(-3600, -1);
    const auto closed = c.write_config("closed.toml");
    const auto [code, out] = run_command(std::string(BUDGETCTL_PATH) + " --config " + closed +
                                         " tally --rule greedy --out " + c.dir() + "/results");
    INFO(out);
    REQUIRE(code == 0);
    CHECK(out.find("tallied 16 ballots") != std::string::npos);
    std::ifstream in(c.dir() + "/results/ballots.json");
    std::stringstream text;
    text << in.rdbuf();
    for (const auto& id : receipts) CHECK(text.str().find(id) != std::string::npos);
}

// Last in the file: it kills a master.
TEST_CASE("after its master is killed, a slot is served by the promoted replica",
          "[integration][cluster][failover]") {
    auto& f = fixture();
    const auto key = ClusterFixture::fresh_key("failover");
    REQUIRE(f.command({"SET", key, "before"}).has_value());
    const int slot = redis::key_hash_slot(key);
    const int old_master = f.cluster.master_of_slot(slot);
    // Let the replica catch up, then kill the master without warning.
    REQUIRE(f.cluster.node_on(old_master)->cli("WAIT 1 2000") == "1");
    f.cluster.node_on(old_master)->kill();
    const bool served = eventually(
        [&] {
            const auto r = f.command({"GET", key});
            return r && r->type == redis::Reply::Type::string && r->str == "before";
        },
        20s);
    CHECK(served);
    CHECK(f.cluster.master_of_slot(slot) != old_master);
    const auto set = f.command({"SET", key, "after"});
    REQUIRE(set.has_value());
    CHECK(set->str == "OK");
}
