#include "server/http/encoded_body.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "server/core/crypto.hpp"
#include "server/http/compression.hpp"
#include "tests/server/http/content_decoding.hpp"

namespace http = budget::server::http;
using http::ContentCoding;
using http::EncodedBody;

namespace {

std::string page_text() {
    std::string text;
    for (int i = 0; i < 200; ++i) text += "{\"code\":\"62" + std::to_string(100 + i) + "\"},";
    return text;
}

http::Request get(std::initializer_list<std::pair<std::string, std::string>> headers = {}) {
    http::Request req{http::verb::get, "/x", 11};
    for (const auto& [name, value] : headers) req.set(name, value);
    return req;
}

bool is_strong_etag(const std::string& tag) {
    return tag.size() == 34 && tag.front() == '"' && tag.back() == '"' &&
           tag.find_first_not_of("0123456789abcdef", 1) == 33;
}

}  // namespace

TEST_CASE("a compressed variant is kept only when smaller than the identity", "[encoded_body]") {
    const auto text = page_text();
    SECTION("both smaller: both kept, identity first") {
        const EncodedBody body(text, http::gzip_compress(text), http::brotli_compress(text));
        REQUIRE(body.variants().size() == 3);
        CHECK(body.identity().coding == ContentCoding::identity);
        CHECK(body.identity().bytes == text);
        CHECK(body.varies());
    }
    SECTION("a variant as large as the identity is dropped") {
        const EncodedBody body("tiny", std::string("tiny"), std::string("tin"));
        REQUIRE(body.variants().size() == 2);
        CHECK(body.variants()[1].coding == ContentCoding::br);
    }
    SECTION("no variant given, or none smaller: identity alone, and no Vary") {
        CHECK(EncodedBody(text).variants().size() == 1);
        CHECK_FALSE(EncodedBody(text).varies());
        const EncodedBody small("ab", std::string("abcdef"), std::string("abc"));
        CHECK(small.variants().size() == 1);
        CHECK_FALSE(small.varies());
    }
}

TEST_CASE("each variant has its own strong ETag, the hash of its bytes", "[encoded_body]") {
    const auto body = EncodedBody::compressed(page_text());
    REQUIRE(body.variants().size() == 3);
    std::set<std::string> tags;
    for (const auto& v : body.variants()) {
        CHECK(is_strong_etag(v.etag));
        CHECK(v.etag == "\"" + budget::server::crypto::sha256_hex(v.bytes).substr(0, 32) + "\"");
        tags.insert(v.etag);
    }
    CHECK(tags.size() == 3);
    // The same bytes give the same tags at the next start.
    const auto again = EncodedBody::compressed(page_text());
    for (std::size_t i = 0; i < 3; ++i) CHECK(again.variants()[i].etag == body.variants()[i].etag);
}

TEST_CASE("compressed() holds gzip and brotli forms that decode to the identity",
          "[encoded_body]") {
    const auto text = page_text();
    const auto body = EncodedBody::compressed(text);
    for (const auto& v : body.variants()) {
        CHECK(budget::test::decode_content(v.bytes, v.coding == ContentCoding::identity
                                                        ? "identity"
                                                        : http::coding_token(v.coding)) == text);
    }
}

TEST_CASE("select gives the variant the Accept-Encoding allows", "[encoded_body]") {
    const auto body = EncodedBody::compressed(page_text());
    CHECK(body.select("br, gzip").coding == ContentCoding::br);
    CHECK(body.select("gzip, deflate").coding == ContentCoding::gzip);
    CHECK(body.select("").coding == ContentCoding::identity);
    CHECK(body.select("br;q=0, gzip;q=0").coding == ContentCoding::identity);
    const EncodedBody gzip_only(page_text(), http::gzip_compress(page_text()));
    CHECK(gzip_only.select("br").coding == ContentCoding::identity);
    CHECK(gzip_only.select("br, gzip").coding == ContentCoding::gzip);
}

TEST_CASE("respond_with sends the chosen variant with its validators", "[encoded_body]") {
    const auto text = page_text();
    const auto body = EncodedBody::compressed(text);
    const auto ct = "application/json; charset=utf-8";

    SECTION("brotli: Content-Encoding, Vary, ETag and Cache-Control") {
        const auto res = http::respond_with(get({{"Accept-Encoding", "gzip, br"}}), body, ct,
                                            "public, max-age=86400");
        CHECK(res.result() == http::status::ok);
        CHECK(res[http::field::content_encoding] == "br");
        CHECK(res[http::field::vary] == "Accept-Encoding");
        CHECK(res[http::field::etag] == body.select("br").etag);
        CHECK(res[http::field::cache_control] == "public, max-age=86400");
        CHECK(res[http::field::content_type] == ct);
        CHECK(res[http::field::content_length] == std::to_string(res.body().size()));
        CHECK(budget::test::unbrotli(res.body()) == text);
    }
    SECTION("identity: no Content-Encoding, still Vary") {
        const auto res = http::respond_with(get(), body, ct, "no-cache");
        CHECK(res.result() == http::status::ok);
        CHECK(res.find(http::field::content_encoding) == res.end());
        CHECK(res[http::field::vary] == "Accept-Encoding");
        CHECK(res.body() == text);
        CHECK(res[http::field::etag] == body.identity().etag);
    }
    SECTION("a body held in identity alone does not vary") {
        const auto res =
            http::respond_with(get({{"Accept-Encoding", "br"}}), EncodedBody("x"), ct, "no-cache");
        CHECK(res.find(http::field::vary) == res.end());
        CHECK(res.find(http::field::content_encoding) == res.end());
        CHECK(res.body() == "x");
    }
    SECTION("304 when If-None-Match names the variant the client would get") {
        const auto etag = std::string(body.select("gzip").etag);
        const auto res = http::respond_with(
            get({{"Accept-Encoding", "gzip"}, {"If-None-Match", etag}}), body, ct, "no-cache");
        CHECK(res.result() == http::status::not_modified);
        CHECK(res.body().empty());
        CHECK(res[http::field::etag] == etag);
        CHECK(res[http::field::vary] == "Accept-Encoding");
        CHECK(res[http::field::cache_control] == "no-cache");
        CHECK(res.find(http::field::content_encoding) == res.end());
    }
    SECTION("200 when the tag held is another coding's: the client changed what it accepts") {
        const auto res = http::respond_with(
            get({{"Accept-Encoding", "br"}, {"If-None-Match", body.select("gzip").etag}}), body, ct,
            "no-cache");
        CHECK(res.result() == http::status::ok);
        CHECK(res[http::field::content_encoding] == "br");
    }
}
