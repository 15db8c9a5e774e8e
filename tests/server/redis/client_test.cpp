#include "server/redis/client.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "tests/server/redis/event_loop.hpp"
#include "tests/server/support/process_support.hpp"

using namespace budget::server;
using namespace budget::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// Runs the client's event loop on two threads, like budgetd, for the duration of a test.
redis::Target target_of(const RedisServer& s) { return redis::Target::parse_url(s.url()); }

// What the client reports, counted.
struct CountingObserver final : redis::Observer {
    std::atomic<long long> roundtrips{0};
    std::atomic<int> ups{0}, downs{0};
    void roundtrip(std::chrono::nanoseconds) override { ++roundtrips; }
    void connection_changed(bool up) override { ++(up ? ups : downs); }
};

redis::Options observed_by(redis::Observer& observer) {
    redis::Options o;
    o.observer = &observer;
    return o;
}

}  // namespace

TEST_CASE("concurrent commands on the pool are all answered, in order per connection",
          "[integration][redis]") {
    TempDir dir;
    RedisServer server(dir.path());
    // Outlives the loop: connections still queued on it report to the observer as they go.
    CountingObserver observer;
    Loop loop;
    redis::Client client(loop.ioc, target_of(server), observed_by(observer), 2);
    client.start();
    REQUIRE(eventually([&] { return client.connected(); }, 5s));

    constexpr int kCommands = 2000;
    std::vector<std::future<long long>> results;
    results.reserve(kCommands);
    for (int i = 0; i < kCommands; ++i) {
        results.push_back(asio::co_spawn(
            loop.ioc,
            [&]() -> asio::awaitable<long long> {
                std::vector<std::string> incr{"INCR", "test:{t}:counter"};
                auto r = co_await client.command(std::move(incr));
                co_return r ? r->integer : -1;
            },
            asio::use_future));
    }
    std::set<long long> seen;
    for (auto& f : results) seen.insert(f.get());
    CHECK(seen.size() == kCommands);  // every INCR answered with a distinct value
    CHECK(*seen.begin() == 1);
    CHECK(*seen.rbegin() == kCommands);
    CHECK(observer.roundtrips == kCommands);  // each answer reported once to the observer
    CHECK(observer.ups == 2);                 // both connections came up, none went down
    CHECK(observer.downs == 0);
    client.stop();
}

TEST_CASE("a script runs by its SHA-1 and is re-sent when Redis forgot it",
          "[integration][redis]") {
    TempDir dir;
    RedisServer server(dir.path());
    Loop loop;
    redis::Client client(loop.ioc, target_of(server), {}, 1);
    const redis::Script script("return redis.call('SET', KEYS[1], ARGV[1]) and 7");
    client.preload(script);
    client.start();
    REQUIRE(eventually([&] { return client.connected(); }, 5s));
    REQUIRE(eventually([&] { return server.cli("SCRIPT EXISTS " + script.sha1) == "1"; }, 2s));

    auto run = [&]() -> asio::awaitable<redis::Result> {
        std::vector<std::string> keys{"k:{t}"}, args{"v"};
        co_return co_await client.eval(script, std::move(keys), std::move(args));
    };
    auto first = loop.run(run());
    REQUIRE(first.has_value());
    CHECK(first->integer == 7);

    server.cli("SCRIPT FLUSH");
    REQUIRE(server.cli("SCRIPT EXISTS " + script.sha1) == "0");
    auto second = loop.run(run());
    REQUIRE(second.has_value());
    CHECK(second->integer == 7);
    CHECK(server.cli("GET k:{t}") == "v");

    SECTION(
        "a script error comes back as an error reply with Redis's text, not as a transport "
        "failure") {
        const redis::Script bad("return redis.call('NOPE')");
        auto r = loop.run([&]() -> asio::awaitable<redis::Result> {
            std::vector<std::string> none;
            co_return co_await client.eval(bad, none, none);
        }());
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == redis::Errc::error_reply);
        CHECK_FALSE(r.error().outcome_unknown());  // Redis answered: nothing is in doubt
        CHECK(r.error().message.find("Unknown Redis command") != std::string::npos);
    }
    client.stop();
}

TEST_CASE("a command that gets no answer fails with a timeout instead of hanging",
          "[integration][redis]") {
    TempDir dir;
    RedisServer server(dir.path());
    Loop loop;
    redis::Options options;
    options.command_timeout = 200ms;
    redis::Client client(loop.ioc, target_of(server), options, 1);
    client.start();
    REQUIRE(eventually([&] { return client.connected(); }, 5s));
    server.cli("CLIENT PAUSE 1000 ALL");
    const auto started = std::chrono::steady_clock::now();
    auto r = loop.run([&]() -> asio::awaitable<redis::Result> {
        std::vector<std::string> ping{"PING"};
        co_return co_await client.command(std::move(ping));
    }());
    CHECK(r.has_error());
    CHECK(r.error() == redis::Errc::timeout);
    CHECK(std::chrono::steady_clock::now() - started < 900ms);
    // The late answer is dropped and the connection keeps working: once Redis answers again.
    REQUIRE(eventually([&] { return server.cli("PING") == "PONG"; }, 5s));
    auto after = loop.run([&]() -> asio::awaitable<redis::Result> {
        std::vector<std::string> ping{"PING"};
        co_return co_await client.command(std::move(ping));
    }());
    REQUIRE(after.has_value());
    CHECK(after->str == "PONG");
    client.stop();
}

TEST_CASE("the client reports Redis unavailable, then reconnects by itself",
          "[integration][redis]") {
    TempDir dir;
    const int port = free_port();
    Loop loop;
    redis::Target target;
    target.host = "127.0.0.1";
    target.port = port;
    redis::Client client(loop.ioc, target, {}, 1);
    client.start();
    auto ping = [&]() -> asio::awaitable<redis::Result> {
        std::vector<std::string> cmd{"PING"};
        co_return co_await client.command(std::move(cmd));
    };
    auto down = loop.run(ping());
    REQUIRE(down.has_error());
    CHECK(down.error() == redis::Errc::unavailable);

    RedisServer server(dir.path(), port);
    REQUIRE(eventually([&] { return client.connected(); }, 5s));
    auto up = loop.run(ping());
    REQUIRE(up.has_value());
    CHECK(up->str == "PONG");

    SECTION("a command in flight when Redis dies fails cleanly") {
        server.kill();
        CHECK(eventually([&] { return !client.connected(); }, 2s));
        auto lost = loop.run(ping());
        CHECK(lost.has_error());
    }
    client.stop();
}
