#include "server/http/router.hpp"

#include <catch2/catch.hpp>

using budget::server::http::Router;
namespace http = budget::server::http;

namespace {
budget::server::http::Handler noop() {
    return [](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
        co_return http::Response{};
    };
}
}  // namespace

TEST_CASE("a literal route matches only its own path", "[router]") {
    Router r;
    r.add(http::verb::get, "/api/v1/health", noop());
    CHECK(r.match(http::verb::get, "/api/v1/health").kind == Router::Match::Kind::found);
    CHECK(r.match(http::verb::get, "/api/v1/health/").kind == Router::Match::Kind::not_found);
    CHECK(r.match(http::verb::get, "/api/v1/healthz").kind == Router::Match::Kind::not_found);
    CHECK(r.match(http::verb::get, "/api/v1//health").kind == Router::Match::Kind::not_found);
    CHECK(r.match(http::verb::get, "").kind == Router::Match::Kind::not_found);
}

TEST_CASE("a parameter is captured and percent-decoded", "[router]") {
    Router r;
    r.add(http::verb::get, "/api/v1/initiatives/{id}/radar.svg", noop());
    const auto m = r.match(http::verb::get, "/api/v1/initiatives/ini%2D42/radar.svg");
    REQUIRE(m.kind == Router::Match::Kind::found);
    CHECK(m.params.at("id") == "ini-42");
    CHECK(m.route == "/api/v1/initiatives/{id}/radar.svg");
}

TEST_CASE("an empty or badly escaped parameter does not match", "[router]") {
    Router r;
    r.add(http::verb::get, "/api/v1/receipts/{id}", noop());
    CHECK(r.match(http::verb::get, "/api/v1/receipts/").kind == Router::Match::Kind::not_found);
    CHECK(r.match(http::verb::get, "/api/v1/receipts/%zz").kind == Router::Match::Kind::not_found);
    CHECK(r.match(http::verb::get, "/api/v1/receipts/%4").kind == Router::Match::Kind::not_found);
}

TEST_CASE("a known path with another method is reported as not allowed", "[router]") {
    Router r;
    r.add(http::verb::post, "/api/v1/ballots", noop());
    const auto m = r.match(http::verb::delete_, "/api/v1/ballots");
    CHECK(m.kind == Router::Match::Kind::method_not_allowed);
    CHECK(m.route == "/api/v1/ballots");
}

TEST_CASE("HEAD is served by the GET route", "[router]") {
    Router r;
    r.add(http::verb::get, "/api/v1/campaign", noop());
    CHECK(r.match(http::verb::head, "/api/v1/campaign").kind == Router::Match::Kind::found);
}

TEST_CASE("percent decoding turns plus into space only in query values", "[router]") {
    using budget::server::http::percent_decode;
    CHECK(percent_decode("a+b%20c") == "a+b c");
    CHECK(percent_decode("a+b%20c", true) == "a b c");
    CHECK_FALSE(percent_decode("%"));
    CHECK_FALSE(percent_decode("%g1"));
}

TEST_CASE("a found route carries its own limits, a route without any carries none", "[router]") {
    using namespace std::chrono_literals;
    Router r;
    r.add(http::verb::post, "/api/v1/holder/applications/{id}/attachments", noop(),
          http::RouteOptions{.body_limit_bytes = 5 * 1024 * 1024 + 1024, .read_timeout = 120s});
    r.add(http::verb::get, "/api/v1/holder/applications/{id}", noop());
    const auto upload = r.match(http::verb::post, "/api/v1/holder/applications/d-1/attachments");
    REQUIRE(upload.kind == Router::Match::Kind::found);
    REQUIRE(upload.options != nullptr);
    CHECK(upload.options->body_limit_bytes == 5 * 1024 * 1024 + 1024);
    CHECK(upload.options->read_timeout == 120s);
    const auto read = r.match(http::verb::get, "/api/v1/holder/applications/d-1");
    REQUIRE(read.options != nullptr);
    CHECK_FALSE(read.options->body_limit_bytes.has_value());
    CHECK_FALSE(read.options->read_timeout.has_value());
    // Another method on the upload's path: no route, so no options either.
    const auto wrong = r.match(http::verb::get, "/api/v1/holder/applications/d-1/attachments");
    CHECK(wrong.kind == Router::Match::Kind::method_not_allowed);
    CHECK(wrong.options == nullptr);
}
