// Integration: the built site (BUILD/web) and the commune list as a real budgetd delivers them:
// content codings by Accept-Encoding, caching by kind of file, revalidation, error pages for
// browsers, folder redirects.
#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <regex>
#include <string>

#include "tests/server/http/content_decoding.hpp"
#include "tests/server/support/campaign_fixture.hpp"

using namespace budget::test;

namespace {

constexpr const char* kBrowserAccept =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

std::string header(const HttpResult& r, const std::string& name) {
    const auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
}

/// The first `attribute="..."` value in `html` that starts with `prefix`.
std::string reference(const std::string& html, const std::string& attribute,
                      const std::string& prefix) {
    const std::regex re(attribute + "=\"(" + prefix + "[^\"]*)\"");
    std::smatch m;
    return std::regex_search(html, m, re) ? m[1].str() : std::string();
}

/// The status line and header fields of a HEAD, read raw: a HEAD answer announces a length it
/// does not send.
std::string head_of(int port, const std::string& target, const std::string& extra = "") {
    return raw_exchange(port,
                        "HEAD " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra +
                            "Connection: close\r\n\r\n",
                        std::chrono::milliseconds(3000))
        .received;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("assets are sent in the coding the client prefers, immutable under hashed names",
          "[integration][http][web]") {
    TestCampaign c({}, {.redis = TestRedis::plain});
    const int port = c.port();
    const auto home = http_request(port, "GET", "/");
    REQUIRE(home.status == 200);
    const auto css = reference(home.body, "href", "/css/site\\.[0-9a-f]{12}\\.css");
    const auto module = reference(home.body, "src", "/js/[^\"]+\\.[0-9a-f]{12}\\.js");
    REQUIRE(!css.empty());
    REQUIRE(!module.empty());

    for (const auto& asset : {css, module}) {
        CAPTURE(asset);
        const auto plain = http_request(port, "GET", asset);
        REQUIRE(plain.status == 200);
        CHECK(header(plain, "content-encoding").empty());
        CHECK(header(plain, "cache-control") == "public, max-age=31536000, immutable");
        CHECK(header(plain, "vary") == "Accept-Encoding");
        CHECK(header(plain, "content-length") == std::to_string(plain.body.size()));

        const auto br = http_request(port, "GET", asset, "", {{"Accept-Encoding", "br, gzip"}});
        REQUIRE(br.status == 200);
        CHECK(header(br, "content-encoding") == "br");
        CHECK(header(br, "vary") == "Accept-Encoding");
        CHECK(header(br, "cache-control") == "public, max-age=31536000, immutable");
        CHECK(br.body.size() < plain.body.size());
        CHECK(unbrotli(br.body) == plain.body);
        CHECK(header(br, "etag") != header(plain, "etag"));

        const auto gzip =
            http_request(port, "GET", asset, "", {{"Accept-Encoding", "gzip, deflate"}});
        REQUIRE(gzip.status == 200);
        CHECK(header(gzip, "content-encoding") == "gzip");
        CHECK(gunzip(gzip.body) == plain.body);
        CHECK(header(gzip, "etag") != header(br, "etag"));

        // Revalidation, though an immutable asset is seldom asked again: by the coding's tag.
        const auto again =
            http_request(port, "GET", asset, "",
                         {{"Accept-Encoding", "br"}, {"If-None-Match", header(br, "etag")}});
        CHECK(again.status == 304);
        CHECK(again.body.empty());
    }
    // The compressed files of the build step are variants, not addresses.
    CHECK(http_request(port, "GET", css + ".gz").status == 404);
    CHECK(http_request(port, "GET", css + ".br").status == 404);
    // The site holds what the build step wrote, nothing of the sources or of CMake.
    for (const char* path : {"/templates/layout.html", "/CMakeLists.txt", "/Makefile",
                             "/cmake_install.cmake", "/css/site.css"}) {
        CAPTURE(path);
        CHECK(http_request(port, "GET", path).status == 404);
    }
}

TEST_CASE("pages are revalidated each time and never compressed", "[integration][http][web]") {
    TestCampaign c({}, {.redis = TestRedis::plain});
    const int port = c.port();
    for (const char* path : {"/", "/voter.html", "/comite/", "/mission/depouillement.html"}) {
        CAPTURE(path);
        const auto page =
            http_request(port, "GET", path, "",
                         {{"Accept-Encoding", "br, gzip, *"}, {"Accept", kBrowserAccept}});
        REQUIRE(page.status == 200);
        CHECK(header(page, "content-type") == "text/html; charset=utf-8");
        CHECK(header(page, "content-encoding").empty());  // BREACH: never, whatever is asked
        CHECK(header(page, "vary").empty());
        CHECK(header(page, "cache-control") == "no-cache");
        CHECK(std::regex_match(header(page, "etag"), std::regex("\"[0-9a-f]{32}\"")));
        CHECK(contains(page.body, "<!doctype html>"));
        CHECK(contains(page.body, "class=\"site-header\""));
        CHECK(contains(page.body, "class=\"site-footer\""));

        const auto again =
            http_request(port, "GET", path, "", {{"If-None-Match", header(page, "etag")}});
        CHECK(again.status == 304);
        CHECK(again.body.empty());
        CHECK(header(again, "etag") == header(page, "etag"));
        CHECK(header(again, "cache-control") == "no-cache");
        const auto weak =
            http_request(port, "GET", path, "", {{"If-None-Match", "W/" + header(page, "etag")}});
        CHECK(weak.status == 304);
        const auto stale = http_request(port, "GET", path, "", {{"If-None-Match", "\"0000\""}});
        CHECK(stale.status == 200);
    }
    // HEAD: the same header fields, no body.
    const auto get = http_request(port, "GET", "/voter.html");
    const auto head = head_of(port, "/voter.html");
    CHECK(contains(head, "HTTP/1.1 200"));
    CHECK(contains(head, "Content-Length: " + std::to_string(get.body.size()) + "\r\n"));
    CHECK(contains(head, "ETag: " + header(get, "etag")));
    CHECK(contains(head, "Cache-Control: no-cache"));
    CHECK(head.substr(head.find("\r\n\r\n") + 4).empty());
    const auto head_304 =
        head_of(port, "/voter.html", "If-None-Match: " + header(get, "etag") + "\r\n");
    CHECK(contains(head_304, "HTTP/1.1 304"));
    CHECK_FALSE(contains(head_304, "Content-Length: 0"));
    const auto home = http_request(port, "GET", "/");
    const auto css = reference(home.body, "href", "/css/site\\.[0-9a-f]{12}\\.css");
    const auto head_css = head_of(port, css, "Accept-Encoding: br\r\n");
    CHECK(contains(head_css, "HTTP/1.1 200"));
    CHECK(contains(head_css, "Content-Encoding: br"));
    CHECK(contains(head_css, "immutable"));
    CHECK(head_css.substr(head_css.find("\r\n\r\n") + 4).empty());
}

TEST_CASE("the commune list is compressed, cached a day and revalidated by its ETag",
          "[integration][http][web]") {
    TestCampaign c({}, {.redis = TestRedis::plain});
    const int port = c.port();
    const auto plain = http_request(port, "GET", "/api/v1/communes");
    REQUIRE(plain.status == 200);
    CHECK(header(plain, "content-type") == "application/json; charset=utf-8");
    CHECK(header(plain, "cache-control") == "public, max-age=86400");
    CHECK(header(plain, "vary") == "Accept-Encoding");
    CHECK(header(plain, "content-encoding").empty());
    const auto list = boost::json::parse(plain.body);
    REQUIRE(list.is_object());
    CHECK(list.at("communes").as_array().size() > 800);  // the Pas-de-Calais' communes

    for (const auto& [accept, coding] : {std::pair{"br, gzip", "br"}, std::pair{"gzip", "gzip"}}) {
        CAPTURE(accept);
        const auto packed =
            http_request(port, "GET", "/api/v1/communes", "", {{"Accept-Encoding", accept}});
        REQUIRE(packed.status == 200);
        CHECK(header(packed, "content-encoding") == coding);
        CHECK(packed.body.size() * 4 < plain.body.size());
        CHECK(decode_content(packed.body, coding) == plain.body);
        CHECK(header(packed, "cache-control") == "public, max-age=86400");
        const auto again =
            http_request(port, "GET", "/api/v1/communes", "",
                         {{"Accept-Encoding", accept}, {"If-None-Match", header(packed, "etag")}});
        CHECK(again.status == 304);
        CHECK(again.body.empty());
        CHECK(header(again, "etag") == header(packed, "etag"));
        const auto head =
            head_of(port, "/api/v1/communes", std::string("Accept-Encoding: ") + accept + "\r\n");
        CHECK(contains(head, "HTTP/1.1 200"));
        CHECK(contains(head, std::string("Content-Encoding: ") + coding + "\r\n"));
        CHECK(contains(head, "Content-Length: " + std::to_string(packed.body.size()) + "\r\n"));
        CHECK(head.substr(head.find("\r\n\r\n") + 4).empty());
    }
}

TEST_CASE("a folder's address without its slash is redirected to the folder",
          "[integration][http][web]") {
    TestCampaign c({}, {.redis = TestRedis::plain});
    const int port = c.port();
    for (const char* folder : {"/comite", "/mission"}) {
        CAPTURE(folder);
        const auto r = http_request(port, "GET", folder);
        CHECK(r.status == 308);
        CHECK(header(r, "location") == std::string(folder) + "/");
        CHECK(http_request(port, "GET", header(r, "location")).status == 200);
    }
    const auto with_query = http_request(port, "GET", "/comite?depuis=courriel&x=1");
    CHECK(with_query.status == 308);
    CHECK(header(with_query, "location") == "/comite/?depuis=courriel&x=1");
    CHECK(contains(head_of(port, "/mission"), "HTTP/1.1 308"));
    // A page's name without .html is the page, not a folder.
    CHECK(http_request(port, "GET", "/voter").status == 200);
}

TEST_CASE("an unknown address gets a French page in a browser and JSON elsewhere",
          "[integration][http][web]") {
    TestCampaign c({}, {.redis = TestRedis::plain});
    const int port = c.port();
    const auto page =
        http_request(port, "GET", "/nulle-part.html", "", {{"Accept", kBrowserAccept}});
    CHECK(page.status == 404);
    CHECK(header(page, "content-type") == "text/html; charset=utf-8");
    CHECK(contains(page.body, "<html lang=\"fr\">"));
    CHECK(contains(page.body, "Page introuvable"));
    CHECK(contains(page.body, "href=\"/\""));
    CHECK(header(page, "vary") == "Accept");
    CHECK(header(page, "content-encoding").empty());
    // Its style sheet is the site's, by its absolute hashed name: it works at any depth.
    const auto deep = http_request(port, "GET", "/comite/a/b/c", "", {{"Accept", kBrowserAccept}});
    CHECK(deep.status == 404);
    const auto css = reference(deep.body, "href", "/css/site\\.[0-9a-f]{12}\\.css");
    REQUIRE(!css.empty());
    CHECK(http_request(port, "GET", css).status == 200);

    for (const auto& [path, accept] :
         {std::pair{"/nulle-part.html", "*/*"}, std::pair{"/nulle-part.html", ""},
          std::pair{"/api/v1/nulle-part", kBrowserAccept}}) {
        CAPTURE(path, accept);
        std::map<std::string, std::string> headers;
        if (*accept) headers["Accept"] = accept;
        const auto r = http_request(port, "GET", path, "", headers);
        CHECK(r.status == 404);
        CHECK(header(r, "content-type") == "application/json; charset=utf-8");
        CHECK(std::string(boost::json::parse(r.body).at("error").at("code").as_string()) ==
              "not_found");
    }
    const auto head =
        head_of(port, "/nulle-part.html", std::string("Accept: ") + kBrowserAccept + "\r\n");
    CHECK(contains(head, "HTTP/1.1 404"));
    CHECK(contains(head, "Content-Type: text/html; charset=utf-8"));
    CHECK(contains(head, "Content-Length: " + std::to_string(page.body.size()) + "\r\n"));
}

TEST_CASE("budgetd refuses to serve the sources of the site instead of the built site",
          "[integration][http][web]") {
    // web/ holds pages without their layout and assets without hashed names.
    TempDir dir;
    const auto [code, err] = run_budgetd_expecting_exit(
        dir.path(), "[server]\nweb_root = \"" BUDGET_SOURCE_DIR "/web\"\n");
    CHECK(code == 2);
    CHECK(err.find("budgetd: web_root " BUDGET_SOURCE_DIR "/web holds the sources of the site") ==
          0);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
}
