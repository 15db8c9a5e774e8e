#include "server/http/compression.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "tests/server/http/content_decoding.hpp"

namespace http = budget::server::http;
using budget::test::gunzip;
using budget::test::unbrotli;

namespace {

// A page-like text: repetitive enough to compress, with bytes of every value at its end.
std::string sample_text() {
    std::string text;
    for (int i = 0; i < 400; ++i)
        text += "<li class=\"initiative\">Ressourcerie d’Arras n° " + std::to_string(i) + "</li>\n";
    for (int b = 0; b < 256; ++b) text += static_cast<char>(b);
    return text;
}

}  // namespace

TEST_CASE("gzip output is a gzip member that zlib decodes back to the input", "[compression]") {
    const auto text = sample_text();
    for (const int level : {1, 6, 9}) {
        const auto packed = http::gzip_compress(text, level);
        CHECK(packed.size() < text.size() / 4);
        REQUIRE(packed.size() > 10);
        CHECK(static_cast<unsigned char>(packed[0]) == 0x1f);  // the gzip magic, not zlib's
        CHECK(static_cast<unsigned char>(packed[1]) == 0x8b);
        CHECK(gunzip(packed) == text);
    }
}

TEST_CASE("brotli output is a stream that brotlidec decodes back to the input", "[compression]") {
    const auto text = sample_text();
    for (const int quality : {0, 5, 11}) {
        const auto packed = http::brotli_compress(text, quality);
        CHECK(packed.size() < text.size() / 4);
        CHECK(unbrotli(packed) == text);
    }
}

TEST_CASE("empty and incompressible inputs still round-trip", "[compression]") {
    CHECK(gunzip(http::gzip_compress("")).empty());
    CHECK(unbrotli(http::brotli_compress("")).empty());
    std::string noise;
    unsigned state = 12345;
    for (int i = 0; i < 5000; ++i) {
        state = state * 1103515245u + 12345u;
        noise += static_cast<char>(state >> 24);
    }
    const auto gz = http::gzip_compress(noise);
    const auto br = http::brotli_compress(noise);
    CHECK(gz.size() >= noise.size());  // nothing to gain: EncodedBody keeps identity alone
    CHECK(gunzip(gz) == noise);
    CHECK(unbrotli(br) == noise);
}

TEST_CASE("the same input always gives the same bytes", "[compression]") {
    // The ETag of a compressed variant is the hash of its bytes: it must not change between
    // two starts of budgetd (no timestamp in the gzip header).
    const auto text = sample_text();
    CHECK(http::gzip_compress(text) == http::gzip_compress(text));
    CHECK(http::brotli_compress(text) == http::brotli_compress(text));
}

TEST_CASE("the test's decoders refuse what is not their coding", "[compression]") {
    const auto text = sample_text();
    CHECK_THROWS(gunzip(text));
    CHECK_THROWS(gunzip(http::brotli_compress(text)));
    auto truncated = http::gzip_compress(text);
    truncated.resize(truncated.size() / 2);
    CHECK_THROWS(gunzip(truncated));
    auto br_truncated = http::brotli_compress(text);
    br_truncated.resize(br_truncated.size() / 2);
    CHECK_THROWS(unbrotli(br_truncated));
}
