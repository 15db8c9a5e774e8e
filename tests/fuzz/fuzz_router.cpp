// Fuzz target: request targets through the router (server::http::Router::match with every route the
// engine registers), percent_decode of path segments and query values, and query_parameter.
// The first byte picks the method; the rest is the request target.

#include <boost/beast/http/verb.hpp>
#include <string>

#include "server/http/router.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace budget;
using server::http::verb;

namespace {

struct RouteSpec {
    verb method;
    const char* pattern;
};

// Every route of server/*.cpp (grep router.add), so that the fuzzer sees the real table.
constexpr RouteSpec kRoutes[] = {
    {verb::get, "/api/v1/admin/audit"},
    {verb::get, "/api/v1/admin/initiatives"},
    {verb::get, "/api/v1/admin/initiatives/{id}/evaluation"},
    {verb::get, "/api/v1/admin/initiatives/{id}/radar"},
    {verb::get, "/api/v1/admin/initiatives/{id}/radar.svg"},
    {verb::get, "/api/v1/admin/me"},
    {verb::get, "/api/v1/admin/questionnaire"},
    {verb::get, "/api/v1/admin/stats"},
    {verb::get, "/api/v1/ballot-definition"},
    {verb::get, "/api/v1/ballots/export"},
    {verb::get, "/api/v1/campaign"},
    {verb::get, "/api/v1/communes"},
    {verb::get, "/api/v1/health"},
    {verb::get, "/api/v1/initiatives"},
    {verb::get, "/api/v1/initiatives/{id}/radar.svg"},
    {verb::get, "/api/v1/log/consistency"},
    {verb::get, "/api/v1/log/head"},
    {verb::get, "/api/v1/log/heads"},
    {verb::get, "/api/v1/log/inclusion"},
    {verb::get, "/api/v1/receipts/{ballot_id}"},
    {verb::get, "/api/v1/results"},
    {verb::get, "/api/v1/results.csv"},
    {verb::get, "/metrics"},
    {verb::post, "/api/v1/admin/initiatives"},
    {verb::post, "/api/v1/admin/initiatives/{id}/decision"},
    {verb::post, "/api/v1/admin/login"},
    {verb::post, "/api/v1/admin/logout"},
    {verb::post, "/api/v1/admin/publish"},
    {verb::post, "/api/v1/admin/tally"},
    {verb::post, "/api/v1/auth/challenge"},
    {verb::post, "/api/v1/auth/verify"},
    {verb::post, "/api/v1/ballots"},
    {verb::put, "/api/v1/admin/initiatives/{id}/evaluation"},
};

constexpr verb kMethods[] = {verb::get,     verb::head,  verb::post,   verb::put,
                             verb::delete_, verb::patch, verb::options};

const server::http::Router& router() {
    static const server::http::Router r = [] {
        server::http::Router built;
        for (const auto& spec : kRoutes) {
            built.add(spec.method, spec.pattern,
                      [](server::http::RequestContext&) -> boost::asio::awaitable<server::http::Response> {
                          co_return server::http::Response{};
                      });
        }
        return built;
    }();
    return r;
}

std::string encode_all(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

void check_decode(std::string_view text) {
    for (const bool plus : {false, true}) {
        const auto decoded = server::http::percent_decode(text, plus);
        if (!decoded) continue;
        FUZZ_CHECK(decoded->size() <= text.size(), "decoding made the text longer");
        const auto again = server::http::percent_decode(encode_all(*decoded), plus);
        FUZZ_CHECK(again && *again == *decoded, "percent_decode does not invert percent-encoding");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto method = kMethods[data[0] % std::size(kMethods)];
    const auto target = fuzz::as_text(data + 1, size - 1);
    const auto qpos = target.find('?');
    const auto path = target.substr(0, qpos);
    const auto query =
        qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);

    const auto match = router().match(method, path);
    const auto segments = server::http::split_path(path);
    if (match.kind == server::http::Router::Match::Kind::found) {
        FUZZ_CHECK(match.handler != nullptr, "found without a handler");
        const auto pattern = server::http::split_path(match.route);
        FUZZ_CHECK(pattern.size() == segments.size(), "matched a route of another length");
        for (std::size_t i = 0; i < pattern.size(); ++i) {
            if (pattern[i].starts_with('{')) {
                const std::string name(pattern[i].substr(1, pattern[i].size() - 2));
                const auto it = match.params.find(name);
                FUZZ_CHECK(it != match.params.end() && !it->second.empty(),
                           "a parameter is missing");
                FUZZ_CHECK(server::http::percent_decode(segments[i]) == it->second,
                           "a parameter is not decoded");
            } else {
                FUZZ_CHECK(pattern[i] == segments[i], "a literal segment differs");
            }
        }
    } else {
        FUZZ_CHECK(match.handler == nullptr, "a handler without a match");
    }
    if (!path.empty() && path.front() == '/') {
        std::string joined;
        for (const auto s : segments) joined += "/" + std::string(s);
        FUZZ_CHECK(joined == path, "split_path lost part of the path");
    }

    check_decode(target);
    for (const char* name : {"rule", "since", "from", "to", "format", ""}) {
        if (const auto value = server::http::query_parameter(query, name)) {
            FUZZ_CHECK(value->size() <= query.size(), "a query value longer than the query");
        }
    }
    return 0;
}
