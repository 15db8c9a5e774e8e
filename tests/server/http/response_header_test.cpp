#include "server/http/response_header.hpp"

#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <sstream>

using namespace budget::server::http;
namespace http = budget::server::http;

namespace {
// What Beast's serializer writes for the whole message.
std::string beast_bytes(const Response& res) {
    std::ostringstream out;
    out << res;
    return out.str();
}
}  // namespace

TEST_CASE("a response's hand-built header is the one Beast's serializer writes", "[http]") {
    std::string header;
    SECTION("a JSON answer with extra headers") {
        auto res = json_response(http::status::created, boost::json::object{{"a", 1}});
        res.set(http::field::server, "budgetd");
        res.set("X-Frame-Options", "DENY");
        res.keep_alive(true);
        serialize_header(res, header);
        CHECK(header + res.body() == beast_bytes(res));
    }
    SECTION("an error answer that closes the connection, in HTTP/1.0") {
        auto res = json_response(http::status::service_unavailable,
                                 boost::json::object{{"error", "indisponible"}}, 10);
        res.set(http::field::retry_after, "2");
        res.keep_alive(false);
        serialize_header(res, header);
        CHECK(header + res.body() == beast_bytes(res));
    }
    SECTION("an empty body, a custom reason, a repeated field") {
        Response res{http::status::not_modified, 11};
        res.reason("Pas modifie");
        res.insert(http::field::set_cookie, "a=1");
        res.insert(http::field::set_cookie, "b=2");
        res.insert("X-Custom", "v");
        serialize_header(res, header);
        CHECK(header == beast_bytes(res));
        CHECK(header.starts_with("HTTP/1.1 304 Pas modifie\r\n"));
        CHECK(header.ends_with("\r\n\r\n"));
    }
}
