#include "server/http/client_address.hpp"

#include <catch2/catch.hpp>

using budget::server::http::client_address;
using budget::server::http::parse_ip;

TEST_CASE("without trusted proxies the TCP peer is the client, whatever the headers say",
          "[unit][client_address]") {
    CHECK(client_address("203.0.113.7", "198.51.100.1", {}) == "203.0.113.7");
    CHECK(client_address("203.0.113.7", "", {}) == "203.0.113.7");
}

TEST_CASE("behind a trusted proxy the address it forwards is the client",
          "[unit][client_address]") {
    const std::vector<std::string> trusted{"127.0.0.1", "::1"};
    CHECK(client_address("127.0.0.1", "198.51.100.1", trusted) == "198.51.100.1");
    CHECK(client_address("::1", " 2001:db8::5 ", trusted) == "2001:db8::5");
    // No header: the proxy itself (all its clients then share one limit).
    CHECK(client_address("127.0.0.1", "", trusted) == "127.0.0.1");
}

TEST_CASE("addresses a client writes into X-Forwarded-For itself are never believed",
          "[unit][client_address]") {
    const std::vector<std::string> trusted{"10.0.1.10"};
    // The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the real address.
    CHECK(client_address("10.0.1.10", "1.2.3.4, 198.51.100.1", trusted) == "198.51.100.1");
    // A peer that is not a trusted proxy cannot choose its address.
    CHECK(client_address("198.51.100.9", "1.2.3.4", trusted) == "198.51.100.9");
}

TEST_CASE("a chain of trusted proxies is walked back to the first untrusted hop",
          "[unit][client_address]") {
    const std::vector<std::string> trusted{"10.0.1.10", "10.0.1.11"};
    CHECK(client_address("10.0.1.11", "198.51.100.1, 10.0.1.10", trusted) == "198.51.100.1");
    CHECK(client_address("10.0.1.11", "10.0.1.10", trusted) == "10.0.1.10");
}

TEST_CASE("an unreadable hop stops the walk at the last address known", "[unit][client_address]") {
    const std::vector<std::string> trusted{"127.0.0.1"};
    CHECK(client_address("127.0.0.1", "unknown", trusted) == "127.0.0.1");
    CHECK(client_address("127.0.0.1", "198.51.100.1, garbage", trusted) == "127.0.0.1");
    CHECK(client_address("127.0.0.1", "198.51.100.1:4711", trusted) == "127.0.0.1");
}

TEST_CASE("IP addresses are recognised and spelled one way", "[unit][client_address]") {
    std::string canonical;
    CHECK(parse_ip("::0001", &canonical));
    CHECK(canonical == "::1");
    CHECK(parse_ip("192.0.2.1"));
    CHECK_FALSE(parse_ip("192.0.2.256"));
    CHECK_FALSE(parse_ip("example.org"));
    CHECK_FALSE(parse_ip(""));
}
