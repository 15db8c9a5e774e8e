#include "server/core/log.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <regex>
#include <string>

using namespace budget::server;

namespace {
// Runs `f` with stderr sent to a temporary file; returns what was written.
template <typename F>
std::string captured_stderr(F f) {
    std::FILE* tmp = std::tmpfile();
    REQUIRE(tmp != nullptr);
    const int saved = ::dup(STDERR_FILENO);
    ::dup2(::fileno(tmp), STDERR_FILENO);
    f();
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::rewind(tmp);
    std::string out;
    char buf[512];
    while (const auto n = std::fread(buf, 1, sizeof buf, tmp)) out.append(buf, n);
    std::fclose(tmp);
    return out;
}
}  // namespace

TEST_CASE("the access log line holds the request's figures and nothing else", "[log]") {
    const auto text = captured_stderr([] {
        log_request("POST", "/api/v1/ballots", 201, 1.23456);
        log_request("GET", "/cut\"here", 404, 0.0005);
    });
    const std::regex line(
        R"re(\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"info","event":"request",)re"
        R"re("method":"([A-Z]+)","path":"([^"]*)","status":(\d+),"latency_ms":([0-9.]+)\}\n)re");
    std::smatch m;
    REQUIRE(std::regex_search(text, m, line));
    CHECK(m.position(0) == 0);
    CHECK(m[1] == "POST");
    CHECK(m[2] == "/api/v1/ballots");
    CHECK(m[3] == "201");
    CHECK(m[4] == "1.235");  // as "%.3f" prints it
    const auto rest = m.suffix().str();
    REQUIRE(std::regex_match(rest, m, line));
    CHECK(m[2] == "/cut");
    CHECK(m[4] == "0.001");
}

TEST_CASE("timestamps are RFC 3339 UTC with milliseconds", "[log]") {
    const auto ts = now_rfc3339();
    CHECK(std::regex_match(ts, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}
