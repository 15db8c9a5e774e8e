#include "server/http/static_files.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "server/core/crypto.hpp"
#include "server/http/compression.hpp"

namespace http = budget::server::http;
namespace fs = std::filesystem;
using budget::server::crypto::sha256_hex;
using http::ContentCoding;
using http::StaticFiles;

namespace {

// A built site in a temporary folder, as scripts/build-web.mjs lays it out.
class Site {
  public:
    Site() {
        root_ = fs::temp_directory_path() /
                ("budget-static-" + std::to_string(::getpid()) + "-" + std::to_string(++count_));
        fs::remove_all(root_);
        fs::create_directories(root_);
    }
    ~Site() {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    Site(const Site&) = delete;
    Site& operator=(const Site&) = delete;
    void write(const std::string& rel, const std::string& bytes) const {
        const auto path = root_ / rel;
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << bytes;
    }
    /// `rel` with its .gz and .br beside it, as the build step writes an asset.
    void write_compressed(const std::string& rel, const std::string& bytes) const {
        write(rel, bytes);
        write(rel + ".gz", http::gzip_compress(bytes));
        write(rel + ".br", http::brotli_compress(bytes));
    }
    std::string root() const { return root_.string(); }

  private:
    fs::path root_;
    static inline int count_ = 0;
};

std::string css_text() {
    std::string css;
    for (int i = 0; i < 100; ++i) css += ".rule-" + std::to_string(i) + " { margin: 0 auto; }\n";
    return css;
}

std::string page_text(const std::string& title) {
    std::string html = "<!doctype html><title>" + title + "</title>";
    for (int i = 0; i < 50; ++i) html += "<p>Budget citoyen du Pas-de-Calais</p>\n";
    return html;
}

std::string hashed(const std::string& stem, const std::string& ext, const std::string& bytes) {
    return stem + "." + sha256_hex(bytes).substr(0, 12) + ext;
}

}  // namespace

TEST_CASE("a name carries its own hash only when the digits begin the content's SHA-256",
          "[static_files]") {
    const std::string css = css_text();
    const auto hex = sha256_hex(css);
    CHECK(http::carries_own_hash("/css/site." + hex.substr(0, 12) + ".css", css));
    CHECK(http::carries_own_hash("site." + hex.substr(0, 8) + ".css", css));
    CHECK(http::carries_own_hash("/a/site." + hex + ".css", css));
    CHECK_FALSE(http::carries_own_hash("/css/site." + hex.substr(0, 7) + ".css", css));
    CHECK_FALSE(http::carries_own_hash("/css/site." + hex.substr(0, 12) + ".css", css + " "));
    CHECK_FALSE(http::carries_own_hash("/css/site.css", css));
    CHECK_FALSE(http::carries_own_hash("/css/" + hex.substr(0, 12) + ".css", css));
    CHECK_FALSE(http::carries_own_hash("/css/site." + hex.substr(1, 12) + ".css", css));
    auto upper = hex.substr(0, 12);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper != hex.substr(0, 12))  // the build step writes lower case only
        CHECK_FALSE(http::carries_own_hash("/css/site." + upper + ".css", css));
    CHECK_FALSE(http::carries_own_hash("/css." + hex.substr(0, 12) + "/site.css", css));
    CHECK_FALSE(http::carries_own_hash("", css));
}

TEST_CASE("assets with hashed names are immutable and sent compressed; the rest revalidated",
          "[static_files]") {
    Site site;
    const auto css = css_text();
    const auto css_name = "/css/" + hashed("site", ".css", css);
    site.write_compressed(css_name.substr(1), css);
    site.write_compressed("LICENCE.txt", css);  // a file whose name stays: no hash
    site.write("index.html", page_text("Accueil"));
    const StaticFiles files(site.root());

    const auto* asset = files.find(css_name);
    REQUIRE(asset != nullptr);
    CHECK(asset->cache_control == http::kImmutableCacheControl);
    CHECK(asset->cache_control == "public, max-age=31536000, immutable");
    CHECK(asset->content_type == "text/css; charset=utf-8");
    CHECK(asset->body.identity().bytes == css);
    CHECK(asset->body.variants().size() == 3);
    CHECK(asset->body.select("br").coding == ContentCoding::br);
    CHECK(asset->body.select("gzip").coding == ContentCoding::gzip);

    const auto* licence = files.find("/LICENCE.txt");
    REQUIRE(licence != nullptr);
    CHECK(licence->cache_control == "no-cache");
    CHECK(licence->body.varies());

    const auto* page = files.find("/");
    REQUIRE(page != nullptr);
    CHECK(page->cache_control == "no-cache");
    CHECK(page->content_type == "text/html; charset=utf-8");
}

TEST_CASE("an asset renamed by hand is no longer immutable", "[static_files]") {
    Site site;
    const auto css = css_text();
    // The name of another content: served, but revalidated like any file.
    site.write("css/site.0123456789ab.css", css);
    const StaticFiles files(site.root());
    const auto* asset = files.find("/css/site.0123456789ab.css");
    REQUIRE(asset != nullptr);
    CHECK(asset->cache_control == "no-cache");
}

TEST_CASE("a .gz or .br beside its file is a variant of it, never a file of its own",
          "[static_files]") {
    Site site;
    const auto js = css_text();
    site.write_compressed("js/app.js", js);
    site.write("downloads/results.tar.gz", "not beside anything");
    const StaticFiles files(site.root());
    CHECK(files.find("/js/app.js") != nullptr);
    CHECK(files.find("/js/app.js.gz") == nullptr);
    CHECK(files.find("/js/app.js.br") == nullptr);
    // An archive with no file of its name beside it is a file like any other.
    const auto* archive = files.find("/downloads/results.tar.gz");
    REQUIRE(archive != nullptr);
    CHECK(archive->body.identity().bytes == "not beside anything");
    CHECK(archive->content_type == "application/octet-stream");
    CHECK(files.size() == 2);
}

TEST_CASE("pages never get compressed variants, even when the folder holds some",
          "[static_files]") {
    // BREACH: a page compressed over TLS leaks, through its size, secrets it reflects.
    Site site;
    const auto html = page_text("Voter");
    site.write_compressed("voter.html", html);
    site.write_compressed("comite/index.html", html);
    const StaticFiles files(site.root());
    for (const char* path : {"/voter.html", "/comite/"}) {
        const auto* page = files.find(path);
        REQUIRE(page != nullptr);
        CHECK(page->body.variants().size() == 1);
        CHECK_FALSE(page->body.varies());
        CHECK(page->body.select("br, gzip").coding == ContentCoding::identity);
    }
    CHECK(files.find("/voter.html.gz") == nullptr);
    CHECK(files.find("/voter.html.br") == nullptr);
    CHECK(files.size() == 2);
}

TEST_CASE("URL paths name files, folders' index pages and pages without .html", "[static_files]") {
    Site site;
    site.write("index.html", page_text("Accueil"));
    site.write("comite/index.html", page_text("Comité"));
    site.write("comite/journal.html", page_text("Journal"));
    site.write(".hidden/secret.txt", "secret");
    site.write("notes/.env", "secret");
    const StaticFiles files(site.root());

    REQUIRE(files.find("/") != nullptr);
    CHECK(files.find("/") == files.find("/index.html"));
    CHECK(files.find("/comite/") == files.find("/comite/index.html"));
    CHECK(files.find("/comite/journal") == files.find("/comite/journal.html"));
    CHECK(files.find("/comite") == nullptr);  // answered by a redirect, see is_folder
    CHECK(files.find("/.hidden/secret.txt") == nullptr);
    CHECK(files.find("/notes/.env") == nullptr);
    CHECK(files.find("/comite/../index.html") == nullptr);
    CHECK(files.find("/nothing") == nullptr);
    CHECK(files.size() == 3);

    CHECK(files.is_folder("/comite"));
    CHECK_FALSE(files.is_folder("/comite/"));
    CHECK_FALSE(files.is_folder("/comite/journal"));
    CHECK_FALSE(files.is_folder("/mission"));
    CHECK_FALSE(files.is_folder(""));
}

TEST_CASE("the error pages are the site's files the program names", "[static_files]") {
    Site site;
    site.write("404.html", page_text("Page introuvable"));
    site.write("500.html", page_text("Erreur du service"));
    SECTION("named and present") {
        const StaticFiles files(site.root(), {.not_found = "/404.html", .internal = "/500.html"});
        const auto* not_found = files.error_page(http::TransportError::not_found);
        REQUIRE(not_found != nullptr);
        CHECK(not_found->body.identity().bytes == page_text("Page introuvable"));
        CHECK(not_found->content_type == "text/html; charset=utf-8");
        const auto* internal = files.error_page(http::TransportError::internal);
        REQUIRE(internal != nullptr);
        CHECK(internal->body.identity().bytes == page_text("Erreur du service"));
        CHECK(files.error_page(http::TransportError::too_large) == nullptr);
        CHECK(files.error_page(http::TransportError::method_not_allowed) == nullptr);
    }
    SECTION("not named, or absent from the site: none") {
        const StaticFiles unnamed(site.root());
        CHECK(unnamed.error_page(http::TransportError::not_found) == nullptr);
        const StaticFiles absent(site.root(), {.not_found = "/missing.html", .internal = ""});
        CHECK(absent.error_page(http::TransportError::not_found) == nullptr);
        CHECK(absent.error_page(http::TransportError::internal) == nullptr);
    }
}

TEST_CASE("a missing root gives an empty site", "[static_files]") {
    const StaticFiles files("/nonexistent/budget/web");
    CHECK(files.size() == 0);
    CHECK(files.find("/") == nullptr);
    CHECK(files.error_page(http::TransportError::not_found) == nullptr);
}
