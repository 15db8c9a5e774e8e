// Integration: the client authenticates with Redis's ACL on every connection (issue 14, item 13).
#include <boost/asio/co_spawn.hpp>
#include <catch2/catch.hpp>

#include "server/redis/blocking_client.hpp"
#include "server/redis/client.hpp"
#include "tests/server/redis/event_loop.hpp"
#include "tests/server/support/process_support.hpp"

using namespace budget::server;
using namespace budget::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPassword = "0123456789abcdef-client-test";

/// Runs a command as an administrator once the default user is off.
std::string admin(const RedisServer& server, const std::string& command) {
    return server.cli("--user admin --pass admin-password --no-auth-warning " + command);
}

/// An administrator, budgetd's user (every command, keys under budget: only) and the default
/// user turned off: what a deployment looks like to a client.
void lock_down(RedisServer& server) {
    REQUIRE(server.cli("ACL SETUSER admin on '>admin-password' '~*' '&*' '+@all'") == "OK");
    REQUIRE(server.cli(std::string("ACL SETUSER budgetd on '>") + kPassword +
                       "' resetkeys '~budget:*' '+@all'") == "OK");
    REQUIRE(server.cli("ACL SETUSER default off") == "OK");
}

redis::Options with_credentials(const std::string& user, const std::string& password) {
    redis::Options o;
    o.user = user;
    o.password = password;
    return o;
}

struct UpDown final : redis::Observer {
    std::atomic<int> ups{0}, downs{0};
    void roundtrip(std::chrono::nanoseconds) override {}
    void connection_changed(bool up) override { ++(up ? ups : downs); }
};

}  // namespace

TEST_CASE("the client authenticates as its ACL user, again after Redis drops the connection",
          "[integration][redis][auth]") {
    TempDir dir;
    RedisServer server(dir.path());
    lock_down(server);
    // Without credentials, Redis answers nothing but NOAUTH.
    CHECK(server.cli("SET budget:x 1").find("NOAUTH") != std::string::npos);

    UpDown observer;
    auto options = with_credentials("budgetd", kPassword);
    options.observer = &observer;
    Loop loop;
    redis::Client client(loop.ioc, redis::Target::parse_url(server.url()), options, 2);
    client.start();
    REQUIRE(eventually([&] { return observer.ups == 2; }, 5s));
    const auto incr = [&]() -> boost::asio::awaitable<long long> {
        std::vector<std::string> cmd{"INCR", "budget:{t}:n"};
        auto r = co_await client.command(std::move(cmd));
        co_return r ? r->integer : -1;
    };
    CHECK(loop.run(incr()) == 1);
    CHECK(client.auth_refusal().empty());

    // Every connection of budgetd's user killed: the client reconnects and authenticates again
    // before it sends anything (an unauthenticated command would get NOAUTH, not 2 or 3).
    CHECK(admin(server, "CLIENT KILL USER budgetd") == "2");
    REQUIRE(eventually([&] { return observer.downs == 2 && observer.ups == 4; }, 5s));
    const auto second = loop.run(incr());
    const auto third = loop.run(incr());
    CHECK(second == 2);
    CHECK(third == 3);
    CHECK(admin(server, "GET budget:{t}:n") == "3");
    client.stop();
}

TEST_CASE("a refused password leaves the client down, with Redis's reason",
          "[integration][redis][auth]") {
    TempDir dir;
    RedisServer server(dir.path());
    lock_down(server);
    auto attempt = redis::BlockingClient::connect(redis::Target::parse_url(server.url()),
                                                  with_credentials("budgetd", "wrong"), 1s);
    auto* reason = std::get_if<std::string>(&attempt);
    REQUIRE(reason != nullptr);
    CHECK(reason->find("refused budgetd's credentials") != std::string::npos);
    CHECK(reason->find("WRONGPASS") != std::string::npos);

    // The right one, as the blocking client of budgetctl: connected and allowed its keys only.
    auto good = redis::BlockingClient::connect(redis::Target::parse_url(server.url()),
                                               with_credentials("budgetd", kPassword), 2s);
    REQUIRE(std::holds_alternative<std::unique_ptr<redis::BlockingClient>>(good));
    auto& client = *std::get<std::unique_ptr<redis::BlockingClient>>(good);
    CHECK(client.command({"SET", "budget:{t}:k", "v"}).has_value());
    const auto other = client.command({"SET", "elsewhere", "v"});
    REQUIRE_FALSE(other.has_value());
    CHECK(other.error().message.find("NOPERM") != std::string::npos);
}

TEST_CASE("the cluster client authenticates on every master, redirections included",
          "[integration][redis][auth][cluster]") {
    TempDir dir;
    RedisCluster cluster(dir.path(), 3, 0);
    for (auto& node : cluster.nodes()) lock_down(*node);
    redis::ClusterSeeds seeds;
    seeds.nodes.push_back(redis::Target::parse_url(cluster.nodes().front()->url()));
    auto attempt = redis::BlockingClient::connect(std::move(seeds),
                                                  with_credentials("budgetd", kPassword), 5s);
    REQUIRE(std::holds_alternative<std::unique_ptr<redis::BlockingClient>>(attempt));
    auto& client = *std::get<std::unique_ptr<redis::BlockingClient>>(attempt);
    // The blocking client's loop runs only inside its calls: keep calling while the map fills.
    REQUIRE(eventually(
        [&] {
            client.command({"PING"});
            return client.client().masters().size() == 3;
        },
        5s));
    // Keys over many slots: every master answers, whichever node a first attempt reached.
    for (int i = 0; i < 60; ++i) {
        const auto key = "budget:{k" + std::to_string(i) + "}:n";
        auto r = client.command({"INCR", key});
        INFO(key << ": " << (r ? "" : r.error().message));
        CHECK(r.has_value());
    }
    for (auto& node : cluster.nodes()) {
        CHECK(admin(*node, "DBSIZE") != "0");  // each master holds some of them
    }
}
