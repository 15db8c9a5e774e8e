// Integration: a real redis-server on a free loopback port and a real budgetd over HTTP.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "server/http/server.hpp"
#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;
using namespace std::chrono_literals;

namespace {

// Short limits and timeouts, so that each is met quickly; no vote window.
EngineConfig limits() {
    return {.server_lines =
                "read_timeout_ms = 600\nidle_timeout_ms = 900\nheader_limit_bytes = 4096\n"
                "body_limit_bytes = 16384\n",
            .command_timeout_ms = 500,
            .window = std::nullopt};
}

// A connection to 127.0.0.1:`port` from `source`: every 127.0.0.0/8 address routes to lo on
// Linux, so each one stands for another client. -1 when the connection is refused.
int connect_from(const std::string& source, int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    REQUIRE(::inet_pton(AF_INET, source.c_str(), &from.sin_addr) == 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Whether the server has closed `fd` (end of stream or reset), waiting at most `wait`.
bool closed_by_server(int fd, std::chrono::milliseconds wait) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
    char byte = 0;
    return ::recv(fd, &byte, 1, MSG_DONTWAIT) <= 0;
}

// One request from `source`, on its own connection, and what came back within `timeout`.
std::string exchange_from(const std::string& source, int port, const std::string& bytes,
                          std::chrono::milliseconds timeout) {
    const int fd = connect_from(source, port);
    if (fd < 0) return "(refused)";
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    std::string received;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::array<char, 4096> buf;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 1))) <= 0) break;
        const auto n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) break;
        received.append(buf.data(), static_cast<std::size_t>(n));
    }
    ::close(fd);
    return received;
}

// Counts the lines of `log` holding `text`.
std::size_t count_lines_with(const std::string& log, const std::string& text) {
    std::size_t n = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
}

boost::json::value json_of(const HttpResult& r) { return boost::json::parse(r.body); }

std::string error_code_of(const HttpResult& r) {
    return std::string(json_of(r).at("error").at("code").as_string());
}

}  // namespace

TEST_CASE("health follows Redis going away and coming back without a restart of budgetd",
          "[integration][http]") {
    TestCampaign c(limits(), {.redis = TestRedis::plain});

    REQUIRE(eventually(
        [&] { return http_request(c.port(), "GET", "/api/v1/health").status == 200; }, 5s));
    CHECK(http_request(c.port(), "GET", "/api/v1/health").body == R"({"status":"ok"})");

    c.redis().stop();
    const auto stopped = std::chrono::steady_clock::now();
    const bool down = eventually(
        [&] { return http_request(c.port(), "GET", "/api/v1/health").status == 503; }, 1s);
    CHECK(down);
    CHECK(std::chrono::steady_clock::now() - stopped < 1s);
    const auto unavailable = http_request(c.port(), "GET", "/api/v1/health");
    CHECK(unavailable.status == 503);
    CHECK(unavailable.headers.count("retry-after") == 1);
    CHECK(error_code_of(unavailable) == "storage_unavailable");
    CHECK(http_request(c.port(), "GET", "/metrics").body.find("budget_redis_up 0") !=
          std::string::npos);

    c.redis().start();
    CHECK(eventually([&] { return http_request(c.port(), "GET", "/api/v1/health").status == 200; },
                     5s));
    CHECK(http_request(c.port(), "GET", "/metrics").body.find("budget_redis_up 1") !=
          std::string::npos);
    CHECK(c.budgetd().terminate() == 0);
}

TEST_CASE("a frozen Redis makes health answer 503 within the command timeout",
          "[integration][http]") {
    TestCampaign c(limits(), {.redis = TestRedis::plain});
    REQUIRE(eventually(
        [&] { return http_request(c.port(), "GET", "/api/v1/health").status == 200; }, 5s));
    // CLIENT PAUSE stops Redis from answering anyone for a while without closing connections.
    c.redis().cli("CLIENT PAUSE 1500 ALL");
    const auto before = std::chrono::steady_clock::now();
    const auto r = http_request(c.port(), "GET", "/api/v1/health");
    CHECK(r.status == 503);
    CHECK(std::chrono::steady_clock::now() - before < 1s);
    CHECK(eventually([&] { return http_request(c.port(), "GET", "/api/v1/health").status == 200; },
                     5s));
}

TEST_CASE("the campaign, metrics, errors and static pages answer as the contract says",
          "[integration][http]") {
    TestCampaign c(limits(), {.redis = TestRedis::plain});
    const int port = c.port();

    SECTION("campaign") {
        const auto r = http_request(port, "GET", "/api/v1/campaign");
        REQUIRE(r.status == 200);
        CHECK(r.headers.at("content-type") == "application/json; charset=utf-8");
        const auto j = json_of(r).as_object();
        CHECK(j.at("id") == "t");
        for (const char* key : {"title", "phase", "vote_opens", "vote_closes", "max_choices",
                                "min_age", "envelope_eur"}) {
            CHECK(j.contains(key));
        }
        const auto phase = std::string(j.at("phase").as_string());
        CHECK((phase == "labelling" || phase == "voting" || phase == "closed" ||
               phase == "published"));
    }
    SECTION("metrics in the Prometheus text format") {
        http_request(port, "GET", "/api/v1/health");
        const auto r = http_request(port, "GET", "/metrics");
        REQUIRE(r.status == 200);
        CHECK(r.headers.at("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
        CHECK(r.body.find("budget_http_requests_total{route=\"/api/v1/"
                          "health\",method=\"GET\",status=\"200\"}") != std::string::npos);
        CHECK(r.body.find("budget_http_request_duration_seconds_bucket{le=\"+Inf\"}") !=
              std::string::npos);
        CHECK(r.body.find("budget_redis_roundtrip_seconds_count") != std::string::npos);
        CHECK(r.body.find("budget_redis_up 1") != std::string::npos);
    }
    SECTION("unknown path and wrong method are JSON errors") {
        const auto missing = http_request(port, "GET", "/api/v1/nothing-here");
        CHECK(missing.status == 404);
        CHECK(error_code_of(missing) == "not_found");
        const auto wrong = http_request(port, "DELETE", "/api/v1/health");
        CHECK(wrong.status == 405);
        CHECK(error_code_of(wrong) == "method_not_allowed");
    }
    SECTION("every answer carries the security headers") {
        const auto r = http_request(port, "GET", "/api/v1/health");
        CHECK(r.headers.at("x-content-type-options") == "nosniff");
        CHECK(r.headers.count("content-security-policy") == 1);
    }
    SECTION("the home page is served, with an ETag honoured on revalidation") {
        const auto r = http_request(port, "GET", "/");
        REQUIRE(r.status == 200);
        CHECK(r.headers.at("content-type") == "text/html; charset=utf-8");
        CHECK(r.body.find("Budget citoyen") != std::string::npos);
        const auto again =
            http_request(port, "GET", "/", "", {{"If-None-Match", r.headers.at("etag")}});
        CHECK(again.status == 304);
        CHECK(http_request(port, "GET", "/../../etc/passwd").status == 404);
        CHECK(http_request(port, "GET", "/%2e%2e/%2e%2e/etc/passwd").status == 404);
    }
    SECTION("each request is logged as one JSON line without personal data") {
        http_request(port, "GET", "/api/v1/campaign?email=someone%40example.org");
        REQUIRE(eventually(
            [&] { return c.budgetd().log().find("/api/v1/campaign") != std::string::npos; }, 2s));
        const auto log = c.budgetd().log();
        CHECK(log.find("\"event\":\"request\",\"method\":\"GET\",\"path\":\"/api/v1/"
                       "campaign\",\"status\":200") != std::string::npos);
        CHECK(log.find("someone") == std::string::npos);
        CHECK(log.find("127.0.0.1\"") == std::string::npos);  // no client address
    }
}

TEST_CASE("made-up methods and paths add no series to the metrics", "[integration][http]") {
    TestCampaign c(limits(), {.redis = TestRedis::plain});
    const int port = c.port();
    // Every label a legitimate client can produce, once, so that what follows may add nothing.
    for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
        http_request(port, method, "/api/v1/health");
        http_request(port, method, "/api/v1/nothing-here");
        http_request(port, method, "/nothing-here");
    }
    for (const char* path : {"/api/v1/health", "/nothing-here", "/api/v1/nothing-here"}) {
        raw_exchange(
            port, std::string("BREW ") + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
            3s);
    }
    http_request(port, "GET", "/metrics");  // counted after it answers: its series, too
    const auto series = [&] {
        const auto r = http_request(port, "GET", "/metrics");
        REQUIRE(r.status == 200);
        std::set<std::string> out;
        std::istringstream lines(r.body);
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("budget_http_requests_total{", 0) == 0)
                out.insert(line.substr(0, line.find('}') + 1));
        }
        return std::pair{out, r.body.size()};
    };
    const auto [before, before_size] = series();

    // 3,000 requests, each with its own method token and its own path, pipelined 100 per
    // connection (Beast accepts any token as a method).
    std::mt19937 random(14);
    const auto token = [&](std::size_t length) {
        static constexpr std::string_view kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        std::string t;
        for (std::size_t i = 0; i < length; ++i) t += kLetters[random() % kLetters.size()];
        return t;
    };
    std::vector<std::string> methods;
    for (int connection = 0; connection < 30; ++connection) {
        std::string bytes;
        for (int i = 0; i < 100; ++i) {
            methods.push_back("X" + token(12));
            const auto path = (i % 2 ? "/api/v1/" : "/") + token(10);
            bytes += methods.back() + " " + path + " HTTP/1.1\r\nHost: t\r\n" +
                     (i == 99 ? "Connection: close\r\n" : "") + "\r\n";
        }
        const auto r = raw_exchange(port, bytes, 10s);
        CHECK(r.closed_by_server);
        CHECK(r.received.rfind("HTTP/1.1 404", 0) == 0);
    }

    const auto [after, after_size] = series();
    std::vector<std::string> added;
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                        std::back_inserter(added));
    INFO("new series: " << added.size() << (added.empty() ? "" : ", first " + added.front()));
    CHECK(added.empty());
    // The counters grow, the exposition does not: a few digits at most.
    CHECK(after_size < before_size + 200);
    const auto body = http_request(port, "GET", "/metrics").body;
    CHECK(body.find(methods.front()) == std::string::npos);
    CHECK(body.find("method=\"other\"") != std::string::npos);
}

TEST_CASE("idle connections from one address cannot take the descriptors other clients need",
          "[integration][http]") {
    // budgetd starts with 256 descriptors (the limit is inherited at exec; this process gets its
    // own back at once): it must derive a connection cap below that and hold it.
    TestCampaign c({.server_lines = "read_timeout_ms = 3000\nidle_timeout_ms = 20000\n"
                                    "max_connections_per_address = 32\n",
                    .window = std::nullopt},
                   {.redis = TestRedis::plain, .start_budgetd = false});
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
    REQUIRE(saved.rlim_cur >= 1024);  // room for this test's own 300 connections
    rlimit low = saved;
    low.rlim_cur = 256;
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    c.start();
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
    const int port = c.port();
    REQUIRE(http_request(port, "GET", "/api/v1/health").status == 200);

    // 300 connections from 127.0.0.1 that never send a byte: more than the per-address cap, and
    // more than budgetd has descriptors.
    std::vector<int> idle;
    for (int i = 0; i < 300; ++i) {
        const int fd = connect_from("127.0.0.1", port);
        if (fd >= 0) idle.push_back(fd);
    }
    REQUIRE(idle.size() == 300);

    SECTION("those over the per-address cap are closed at once, the rest after read_timeout") {
        std::size_t closed = 0;
        for (const int fd : idle) closed += closed_by_server(fd, 0ms) ? 1 : 0;
        if (closed < 300 - 32) {
            eventually(
                [&] {
                    closed = 0;
                    for (const int fd : idle) closed += closed_by_server(fd, 0ms) ? 1 : 0;
                    return closed >= 300 - 32;
                },
                1000ms);
        }
        CHECK(closed == 300 - 32);
        CHECK(accepted_connections(port) == 32);
        // Never a byte: the first request is awaited read_timeout (3 s), not idle_timeout (20 s).
        CHECK(eventually(
            [&] {
                return std::all_of(idle.begin(), idle.end(),
                                   [](int fd) { return closed_by_server(fd, 0ms); });
            },
            6s));
    }
    SECTION("health and other addresses are served meanwhile") {
        const auto health = exchange_from(
            "127.0.0.2", port,
            "GET /api/v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 3s);
        CHECK(health.rfind("HTTP/1.1 200", 0) == 0);
        const auto campaign = exchange_from(
            "127.0.0.3", port,
            "GET /api/v1/campaign HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 3s);
        CHECK(campaign.rfind("HTTP/1.1 200", 0) == 0);
        // The same address, once its idle connections are gone, is served again.
        for (const int fd : idle) ::close(fd);
        idle.clear();
        CHECK(eventually(
            [&] {
                return exchange_from(
                           "127.0.0.1", port,
                           "GET /api/v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                           1s)
                           .rfind("HTTP/1.1 200", 0) == 0;
            },
            3s));
    }
    for (const int fd : idle) ::close(fd);
    // Never out of descriptors; the refusals are logged once per period, not one line each.
    const auto log = c.budgetd().log();
    CHECK(count_lines_with(log, "\"accept_failed\"") == 0);
    CHECK(count_lines_with(log, "\"connections_refused\"") == 1);
    CHECK(log.find("\"max_connections\":192") != std::string::npos);  // 256 less an eighth
}

TEST_CASE("the connection cap is derived below the descriptor limit", "[http][unit]") {
    using budget::server::http::derived_max_connections;
    CHECK(derived_max_connections(256) == 192);
    CHECK(derived_max_connections(1024) == 896);
    CHECK(derived_max_connections(65536) == 57344);
    CHECK(derived_max_connections(40) == 16);
}

TEST_CASE("an IPv6 client is counted per /64, an IPv4 one per address", "[http][unit]") {
    using boost::asio::ip::make_address;
    using budget::server::http::connection_key;
    CHECK(connection_key(make_address("2001:db8:1:2::1")) ==
          connection_key(make_address("2001:db8:1:2:ffff::9")));
    CHECK(connection_key(make_address("2001:db8:1:2::1")) !=
          connection_key(make_address("2001:db8:1:3::1")));
    CHECK(connection_key(make_address("192.0.2.1")) != connection_key(make_address("192.0.2.2")));
    CHECK(connection_key(make_address("::ffff:192.0.2.1")) ==
          connection_key(make_address("192.0.2.1")));
}

TEST_CASE("malformed, oversized and slow requests get a clear answer and a closed connection",
          "[integration][http]") {
    TestCampaign c(limits(), {.redis = TestRedis::plain});
    const int port = c.port();

    SECTION("a request line that is not HTTP gets 400") {
        const auto r = raw_exchange(port, "HELLO WORLD\r\n\r\n", 3s);
        CHECK(r.received.rfind("HTTP/1.1 400", 0) == 0);
        CHECK(r.received.find("malformed_request") != std::string::npos);
        CHECK(r.closed_by_server);
    }
    SECTION("a header block over the limit gets 413") {
        const auto r = http_request(port, "GET", "/api/v1/health", "",
                                    {{"X-Padding", std::string(8000, 'a')}});
        CHECK(r.status == 413);
        CHECK(error_code_of(r) == "headers_too_large");
    }
    SECTION("a body over the limit gets 413") {
        const auto r = http_request(port, "POST", "/api/v1/health", std::string(1 << 20, 'x'));
        CHECK(r.status == 413);
        CHECK(error_code_of(r) == "too_large");
    }
    SECTION("a client that sends half a request and stalls is cut off after the read timeout") {
        const auto r = raw_exchange(port, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n", 5s);
        CHECK(r.closed_by_server);
        CHECK(r.elapsed < 3s);
        CHECK(r.received.empty());
    }
    SECTION("a body that never arrives is cut off too") {
        const auto r = raw_exchange(
            port, "POST /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{", 5s);
        CHECK(r.closed_by_server);
        CHECK(r.elapsed < 3s);
    }
    SECTION("a client that never sends a byte is closed after the read timeout") {
        // Not the idle timeout: a connection that never sent a request is not waiting between
        // two requests, and would otherwise hold a descriptor 30 s for nothing.
        const auto r = raw_exchange(port, "", 5s);
        CHECK(r.closed_by_server);
        CHECK(r.received.empty());
        CHECK(r.elapsed >= 500ms);
        CHECK(r.elapsed < 3s);
    }
    SECTION("a silent keep-alive client is closed after the idle timeout") {
        const auto r = raw_exchange(port, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 5s);
        CHECK(r.received.rfind("HTTP/1.1 200", 0) == 0);
        CHECK(r.closed_by_server);
        CHECK(r.elapsed >= 800ms);  // idle_timeout_ms = 900; read_timeout_ms = 600
        CHECK(r.elapsed < 3s);
    }
    SECTION("keep-alive serves several requests on one connection, pipelined") {
        const std::string two =
            "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
            "GET /api/v1/campaign HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        const auto r = raw_exchange(port, two, 5s);
        CHECK(r.received.find("{\"status\":\"ok\"}") != std::string::npos);
        CHECK(r.received.find("\"envelope_eur\"") != std::string::npos);
        CHECK(r.closed_by_server);
    }
    // The server is still healthy after all of that.
    CHECK(http_request(port, "GET", "/api/v1/health").status == 200);
}

TEST_CASE("SIGTERM lets a request in flight finish and exits 0", "[integration][http]") {
    TestCampaign c(limits(), {.redis = TestRedis::plain});
    const int port = c.port();
    // An idle keep-alive connection must not hold the shutdown back.
    std::thread idle([&] { raw_exchange(port, "", 3s); });
    CHECK(eventually([&] { return accepted_connections(port) == 1; }, 2s));
    const auto started = std::chrono::steady_clock::now();
    CHECK(c.budgetd().terminate() == 0);
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    idle.join();
    CHECK(c.budgetd().log().find("\"event\":\"stopped\"") != std::string::npos);
}

TEST_CASE("a bad configuration is refused with a one-line reason and a non-zero exit",
          "[integration][config]") {
    TempDir dir;
    SECTION("unknown key") {
        const auto [code, err] = run_budgetd_expecting_exit(dir.path(), "[server]\nthread = 2\n");
        CHECK(code != 0);
        CHECK(err == "budgetd: " + dir.path() + "/refused.toml: [server] thread: unknown key\n");
    }
    SECTION("bad value") {
        const auto [code, err] =
            run_budgetd_expecting_exit(dir.path(), "[campaign]\nmin_age = -1\n");
        CHECK(code != 0);
        CHECK(err.find("[campaign] min_age: must be between 0 and 120, got -1") !=
              std::string::npos);
        CHECK(std::count(err.begin(), err.end(), '\n') == 1);
    }
    SECTION("a port already taken") {
        TestCampaign taken({}, {.redis = TestRedis::plain, .start_budgetd = false});
        taken.config().port = taken.redis().port();
        const auto [code, err] = taken.start_expecting_exit();
        CHECK(code != 0);
        CHECK(err.find("cannot listen") != std::string::npos);
    }
}

TEST_CASE("the embedded default runs its own Redis with AOF always and stops it on exit",
          "[integration][embedded]") {
    TestCampaign c({.embedded_redis = true, .campaign = "", .window = std::nullopt},
                   {.redis = TestRedis::none});
    CHECK(eventually([&] { return http_request(c.port(), "GET", "/api/v1/health").status == 200; },
                     5s));
    const auto sock = c.dir() + "/data/redis.sock";
    // The embedded server wants budgetd's own user and password (generated into the data dir).
    const auto cli = "redis-cli --no-auth-warning --user budgetd --pass \"$(cat " + c.dir() +
                     "/data/keys/redis-password)\" -s " + sock;
    CHECK(run_command(cli + " CONFIG GET appendfsync").second.find("always") != std::string::npos);
    CHECK(run_command(cli + " CONFIG GET appendonly").second.find("yes") != std::string::npos);
    CHECK(run_command(cli + " CONFIG GET port").second.find("\n0") != std::string::npos);

    SECTION("a second budgetd on the same data directory is refused") {
        const auto [code, err] = c.start_expecting_exit();
        CHECK(code != 0);
        CHECK(err.find("in use") != std::string::npos);
    }
    SECTION("a killed embedded Redis is restarted by budgetd") {
        run_command("pkill -9 -f 'redis-server.*" + c.dir() + "'");
        CHECK(eventually(
            [&] { return http_request(c.port(), "GET", "/api/v1/health").status == 200; }, 5s));
    }
    CHECK(c.budgetd().terminate() == 0);
    CHECK(run_command(cli + " PING").second.find("PONG") == std::string::npos);
}
