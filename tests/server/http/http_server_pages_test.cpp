// HttpServer::handle in-process, over a real router and a real site folder: which failures get
// the site's French pages and which keep the JSON errors. A handler that throws is the honest
// way to reach the 500 page: no route of budgetd throws on purpose.
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "server/http/server.hpp"

namespace http = budget::server::http;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr const char* kBrowserAccept =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

// The application's error table, reduced to what the test reads: a JSON body with the code.
http::Response json_error(http::TransportError error, unsigned version) {
    const auto code = error == http::TransportError::not_found  ? "not_found"
                      : error == http::TransportError::internal ? "internal"
                                                                : "other";
    const auto status = error == http::TransportError::not_found ? http::status::not_found
                        : error == http::TransportError::internal
                            ? http::status::internal_server_error
                            : http::status::bad_request;
    return http::text_response(status, std::string(R"({"error":{"code":")") + code + "\"}}",
                               "application/json; charset=utf-8", version);
}

class Fixture {
  public:
    Fixture() : root_(fs::temp_directory_path() / ("budget-pages-" + std::to_string(::getpid()))) {
        fs::remove_all(root_);
        fs::create_directories(root_ / "comite");
        write("404.html", "<!doctype html><h1>Page introuvable</h1>");
        write("500.html", "<!doctype html><h1>Le service rencontre un problème</h1>");
        write("comite/index.html", "<!doctype html><h1>Comité</h1>");
        const auto fail = [](http::RequestContext&) -> asio::awaitable<http::Response> {
            throw std::runtime_error("a bug in a handler");
            co_return http::Response{};
        };
        router_.add(http::verb::get, "/api/v1/boom", fail);
        router_.add(http::verb::get, "/boom", fail);
        files_ = std::make_unique<http::StaticFiles>(
            root_.string(),
            http::StaticFiles::ErrorPages{.not_found = "/404.html", .internal = "/500.html"});
        server_ = std::make_unique<http::HttpServer>(ioc_, config_, router_, *files_, metrics_,
                                                     &json_error);
    }
    ~Fixture() {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }

    http::Response get(const std::string& target, const std::string& accept = "",
                       http::verb method = http::verb::get) {
        http::Request req{method, target, 11};
        if (!accept.empty()) req.set(http::field::accept, accept);
        // Alive until the coroutine, which holds references to them, has run.
        const std::string client_ip = "127.0.0.1";
        std::string route;
        auto future =
            asio::co_spawn(ioc_, server_->handle(req, client_ip, route), asio::use_future);
        ioc_.restart();
        ioc_.run();
        return future.get();
    }

  private:
    void write(const std::string& rel, const std::string& text) const {
        std::ofstream(root_ / rel, std::ios::binary) << text;
    }

    fs::path root_;
    asio::io_context ioc_;
    budget::config::ServerConfig config_;
    http::Router router_;
    http::Metrics metrics_;
    std::unique_ptr<http::StaticFiles> files_;
    std::unique_ptr<http::HttpServer> server_;
};

bool has(const http::Response& res, std::string_view text) {
    return res.body().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("a handler that throws shows a browser the site's 500 page", "[http][pages]") {
    Fixture f;
    const auto res = f.get("/boom", kBrowserAccept);
    CHECK(res.result() == http::status::internal_server_error);
    CHECK(res[http::field::content_type] == "text/html; charset=utf-8");
    CHECK(has(res, "Le service rencontre un problème"));
    CHECK(res[http::field::content_length] == std::to_string(res.body().size()));
    CHECK(res[http::field::vary] == "Accept");
}

TEST_CASE("a handler that throws under /api/ or for a script keeps the JSON error",
          "[http][pages]") {
    Fixture f;
    for (const auto& [target, accept] :
         {std::pair{"/api/v1/boom", kBrowserAccept}, std::pair{"/boom", "*/*"},
          std::pair{"/boom", ""}, std::pair{"/boom", "application/json"}}) {
        const auto res = f.get(target, accept);
        CHECK(res.result() == http::status::internal_server_error);
        CHECK(res[http::field::content_type] == "application/json; charset=utf-8");
        CHECK(has(res, R"("code":"internal")"));
    }
}

TEST_CASE("an unknown address shows a browser the 404 page, a script the JSON error",
          "[http][pages]") {
    Fixture f;
    const auto page = f.get("/nulle/part.html", kBrowserAccept);
    CHECK(page.result() == http::status::not_found);
    CHECK(page[http::field::content_type] == "text/html; charset=utf-8");
    CHECK(has(page, "Page introuvable"));
    CHECK(page[http::field::vary] == "Accept");

    const auto script = f.get("/nulle/part.html", "*/*");
    CHECK(script.result() == http::status::not_found);
    CHECK(has(script, R"("code":"not_found")"));

    const auto api = f.get("/api/v1/nothing", kBrowserAccept);
    CHECK(api.result() == http::status::not_found);
    CHECK(has(api, R"("code":"not_found")"));

    const auto head = f.get("/nulle/part.html", kBrowserAccept, http::verb::head);
    CHECK(head.result() == http::status::not_found);
    CHECK(head.body().empty());
    CHECK(head[http::field::content_length] == std::to_string(page.body().size()));
}

TEST_CASE("a folder named without its slash is redirected to it, query kept", "[http][pages]") {
    Fixture f;
    const auto res = f.get("/comite?id=ressourcerie-arras");
    CHECK(res.result() == http::status::permanent_redirect);
    CHECK(res[http::field::location] == "/comite/?id=ressourcerie-arras");
    CHECK(f.get("/comite").at(http::field::location) == "/comite/");
    CHECK(f.get("/comite/", kBrowserAccept).result() == http::status::ok);
}
