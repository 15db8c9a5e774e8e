#include "server/http/negotiation.hpp"

#include <array>
#include <catch2/catch.hpp>

namespace http = budget::server::http;
using http::ContentCoding;

namespace {

constexpr std::array<ContentCoding, 3> kAll{ContentCoding::identity, ContentCoding::br,
                                            ContentCoding::gzip};
constexpr std::array<ContentCoding, 2> kGzipOnly{ContentCoding::identity, ContentCoding::gzip};
constexpr std::array<ContentCoding, 1> kIdentityOnly{ContentCoding::identity};

ContentCoding pick(std::string_view accept_encoding) {
    return http::negotiate_coding(accept_encoding, kAll);
}

}  // namespace

TEST_CASE("no Accept-Encoding, or identity alone, gets identity", "[negotiation]") {
    CHECK(pick("") == ContentCoding::identity);
    CHECK(pick("identity") == ContentCoding::identity);
    CHECK(pick("  ") == ContentCoding::identity);
    CHECK(pick("compress, deflate") == ContentCoding::identity);
}

TEST_CASE("at equal q-values brotli comes before gzip whatever the client's order",
          "[negotiation]") {
    CHECK(pick("br, gzip") == ContentCoding::br);
    CHECK(pick("gzip, deflate, br") == ContentCoding::br);
    CHECK(pick("gzip, deflate, br, zstd") == ContentCoding::br);
    CHECK(pick("gzip") == ContentCoding::gzip);
    CHECK(pick("x-gzip") == ContentCoding::gzip);
    CHECK(pick("GZIP") == ContentCoding::gzip);
    CHECK(pick("Br") == ContentCoding::br);
}

TEST_CASE("the client's q-values rank the codings", "[negotiation]") {
    CHECK(pick("br;q=0.5, gzip;q=0.8") == ContentCoding::gzip);
    CHECK(pick("br;q=0.8, gzip;q=0.5") == ContentCoding::br);
    CHECK(pick("gzip;q=1.0, br;q=0.999") == ContentCoding::gzip);
    CHECK(pick("br ; q=0.2 , identity;q=0.9") == ContentCoding::identity);
    CHECK(pick("gzip;Q=0.7, br;q=0.6") ==
          ContentCoding::gzip);  // the parameter's name ignores case
    CHECK(pick("br;q=0.001") == ContentCoding::br);
}

TEST_CASE("q=0 refuses a coding", "[negotiation]") {
    CHECK(pick("br;q=0, gzip") == ContentCoding::gzip);
    CHECK(pick("br;q=0.000, gzip;q=0") == ContentCoding::identity);
    CHECK(pick("gzip;q=0") == ContentCoding::identity);
}

TEST_CASE("* stands for every coding the client does not name", "[negotiation]") {
    CHECK(pick("*") == ContentCoding::br);
    CHECK(pick("br;q=0, *") == ContentCoding::gzip);
    CHECK(pick("gzip;q=0.9, *;q=0.1") == ContentCoding::gzip);
    CHECK(pick("*;q=0.5, identity") == ContentCoding::identity);
}

TEST_CASE("identity is sent when every coding is refused, identity included", "[negotiation]") {
    // RFC 9110 would allow a 415; an answer the client may not decode serves it better than none.
    CHECK(pick("*;q=0") == ContentCoding::identity);
    CHECK(pick("identity;q=0") == ContentCoding::identity);
    CHECK(pick("br;q=0, gzip;q=0, identity;q=0") == ContentCoding::identity);
}

TEST_CASE("a coding the body does not hold is never chosen", "[negotiation]") {
    CHECK(http::negotiate_coding("br", kGzipOnly) == ContentCoding::identity);
    CHECK(http::negotiate_coding("br, gzip", kGzipOnly) == ContentCoding::gzip);
    CHECK(http::negotiate_coding("*", kGzipOnly) == ContentCoding::gzip);
    CHECK(http::negotiate_coding("br, gzip", kIdentityOnly) == ContentCoding::identity);
}

TEST_CASE("a malformed q-value voids its element, not the header", "[negotiation]") {
    CHECK(pick("br;q=2, gzip") == ContentCoding::gzip);
    CHECK(pick("br;q=abc, gzip;q=0.5") == ContentCoding::gzip);
    CHECK(pick("br;q=0.12345, gzip;q=0.1") == ContentCoding::gzip);  // at most three decimals
    CHECK(pick("br;q=1.5") == ContentCoding::identity);
    CHECK(pick(",,, gzip ,") == ContentCoding::gzip);
}

TEST_CASE("coding tokens are what Content-Encoding says", "[negotiation]") {
    CHECK(http::coding_token(ContentCoding::br) == "br");
    CHECK(http::coding_token(ContentCoding::gzip) == "gzip");
}

TEST_CASE("an Accept asks for HTML only by naming text/html with a q above 0", "[negotiation]") {
    // Chromium's and Firefox's navigations.
    CHECK(http::accepts_html(
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"));
    CHECK(http::accepts_html("text/html"));
    CHECK(http::accepts_html("application/json;q=0.9, TEXT/HTML;q=0.1"));
    // curl, fetch() and scripts.
    CHECK_FALSE(http::accepts_html(""));
    CHECK_FALSE(http::accepts_html("*/*"));
    CHECK_FALSE(http::accepts_html("text/*"));
    CHECK_FALSE(http::accepts_html("application/json"));
    CHECK_FALSE(http::accepts_html("text/html;q=0, */*"));
    CHECK_FALSE(http::accepts_html("text/htmlx"));
}

TEST_CASE("If-None-Match matches the entity tag weakly, in lists and through *", "[negotiation]") {
    const std::string_view etag = R"("0123abcd")";
    CHECK(http::etag_matches(R"("0123abcd")", etag));
    CHECK(http::etag_matches(R"(W/"0123abcd")", etag));  // weak comparison (RFC 9110 §13.1.2)
    CHECK(http::etag_matches(R"("other", "0123abcd")", etag));
    CHECK(http::etag_matches(R"("other",W/"0123abcd")", etag));
    CHECK(http::etag_matches(R"("a,b", "0123abcd")", etag));  // a comma inside a tag
    CHECK(http::etag_matches("*", etag));
    CHECK(http::etag_matches(" * ", etag));
    CHECK_FALSE(http::etag_matches(R"("0123abce")", etag));
    CHECK_FALSE(http::etag_matches(R"("other", "more")", etag));
    CHECK_FALSE(http::etag_matches("0123abcd", etag));  // unquoted: malformed
    CHECK_FALSE(http::etag_matches(R"("0123abcd)", etag));
    CHECK_FALSE(http::etag_matches(R"(w/"0123abcd")", etag));  // "W/" is case-sensitive
    CHECK_FALSE(http::etag_matches("", etag));
}
