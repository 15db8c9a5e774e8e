// Per-route body limits and read timeouts (issue 17: a holder uploads a 5 MB PDF while every
// other route keeps the server's small limits). An HttpServer in-process on a loopback port,
// over a real router, spoken to through a plain socket so that the test controls every byte and
// pause of the request.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "server/http/server.hpp"

namespace http = budget::server::http;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kMiB = std::size_t{1024} * 1024;

// The application's error table reduced to its status and code.
http::Response error_table(http::TransportError error, unsigned version) {
    const bool too_large = error == http::TransportError::too_large;
    return http::text_response(
        too_large ? http::status::payload_too_large : http::status::bad_request,
        too_large ? R"({"error":{"code":"too_large"}})" : R"({"error":{"code":"other"}})",
        "application/json; charset=utf-8", version);
}

// Answers how many bytes of body it received.
asio::awaitable<http::Response> count_body(http::RequestContext& ctx) {
    co_return http::text_response(http::status::ok,
                                  "received " + std::to_string(ctx.request.body().size()),
                                  "text/plain; charset=utf-8");
}

class Server {
  public:
    Server() : root_(fs::temp_directory_path() / ("budget-routes-" + std::to_string(::getpid()))) {
        fs::create_directories(root_);
        // Small on purpose: the routes' own limits must be the ones that let bodies through.
        config_.listen = {"127.0.0.1", 0};
        config_.read_timeout = 300ms;
        config_.idle_timeout = 2s;
        config_.body_limit_bytes = 64 * 1024;
        router_.add(http::verb::post, "/upload/{id}", count_body,
                    http::RouteOptions{.body_limit_bytes = 6 * kMiB, .read_timeout = 3s});
        router_.add(http::verb::post, "/slow", count_body, http::RouteOptions{.read_timeout = 3s});
        router_.add(http::verb::post, "/small", count_body);
        files_ = std::make_unique<http::StaticFiles>(root_.string());
        server_ = std::make_unique<http::HttpServer>(ioc_, config_, router_, *files_, metrics_,
                                                     &error_table);
        server_->start();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~Server() {
        ioc_.stop();
        thread_.join();
        server_.reset();
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    int port() const { return server_->port(); }

  private:
    fs::path root_;
    asio::io_context ioc_;
    budget::config::ServerConfig config_;
    http::Router router_;
    http::Metrics metrics_;
    std::unique_ptr<http::StaticFiles> files_;
    std::unique_ptr<http::HttpServer> server_;
    std::thread thread_;
};

class Client {
  public:
    explicit Client(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        REQUIRE(fd_ >= 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(static_cast<std::uint16_t>(port));
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    }
    ~Client() { ::close(fd_); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Sends every byte; false when the server has closed the connection meanwhile.
    bool send(std::string_view bytes) {
        while (!bytes.empty()) {
            const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    /// What arrives until `until` is found, the connection closes or `timeout` passes.
    std::string receive(std::chrono::milliseconds timeout, std::string_view until = "") {
        std::string received;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::array<char, 4096> buf;
        while (std::chrono::steady_clock::now() < deadline) {
            if (!until.empty() && received.find(until) != std::string::npos) break;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 1))) <= 0)
                break;
            const auto n = ::recv(fd_, buf.data(), buf.size(), 0);
            if (n <= 0) break;
            received.append(buf.data(), static_cast<std::size_t>(n));
        }
        return received;
    }

  private:
    int fd_;
};

std::string post_head(std::string_view target, std::size_t length, std::string_view extra = "") {
    return "POST " + std::string(target) +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + std::to_string(length) + "\r\n" +
           std::string(extra) + "\r\n";
}

std::string status_line(const std::string& response) {
    return response.substr(0, response.find("\r\n"));
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a route with a 6 MiB limit takes a 5 MiB body, another route refuses 100 KiB",
          "[http][routes]") {
    Server server;
    {
        Client c(server.port());
        const std::string body(5 * kMiB, 'x');
        REQUIRE(c.send(post_head("/upload/d-1?name=statuts.pdf", body.size()) + body));
        const auto r = c.receive(5s, "received");
        CHECK(status_line(r) == "HTTP/1.1 200 OK");
        CHECK(contains(r, "received 5242880"));
    }
    {
        Client c(server.port());
        const std::string body(100 * 1024, 'x');
        c.send(post_head("/small", body.size()) + body);
        const auto r = c.receive(3s);
        CHECK(status_line(r) == "HTTP/1.1 413 Payload Too Large");
        CHECK(contains(r, "too_large"));
    }
    {
        // The global limit still holds on a route without its own.
        Client c(server.port());
        const std::string body(60 * 1024, 'x');
        REQUIRE(c.send(post_head("/small", body.size()) + body));
        CHECK(contains(c.receive(3s, "received"), "received 61440"));
    }
}

TEST_CASE("a body over the route's limit is refused from its Content-Length, before it is sent",
          "[http][routes]") {
    Server server;
    Client c(server.port());
    REQUIRE(c.send(post_head("/upload/d-1", 7 * kMiB)));
    const auto r = c.receive(2s, "too_large");
    CHECK(status_line(r) == "HTTP/1.1 413 Payload Too Large");
}

TEST_CASE("a chunked body over the route's limit is refused while it arrives", "[http][routes]") {
    Server server;
    Client c(server.port());
    REQUIRE(
        c.send("POST /small HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
    const std::string chunk(16 * 1024, 'x');
    const std::string framed = "4000\r\n" + chunk + "\r\n";
    for (int i = 0; i < 5; ++i) {
        if (!c.send(framed)) break;
    }
    CHECK(status_line(c.receive(2s, "too_large")) == "HTTP/1.1 413 Payload Too Large");
}

TEST_CASE("a route's longer read timeout lets a slowly sent body arrive", "[http][routes]") {
    Server server;
    // Ten pieces over about a second, each pause longer than the server's 300 ms timeout would
    // allow for the whole request.
    const std::string piece(1000, 'x');
    const auto send_slowly = [&](Client& c, std::string_view target) {
        if (!c.send(post_head(target, piece.size() * 5))) return false;
        for (int i = 0; i < 5; ++i) {
            std::this_thread::sleep_for(200ms);
            if (!c.send(piece)) return false;
        }
        return true;
    };
    SECTION("on the route with its own timeout") {
        Client c(server.port());
        REQUIRE(send_slowly(c, "/slow"));
        CHECK(contains(c.receive(2s, "received"), "received 5000"));
    }
    SECTION("on a route under the server's timeout, the connection is cut without an answer") {
        Client c(server.port());
        const auto started = std::chrono::steady_clock::now();
        send_slowly(c, "/small");
        CHECK(c.receive(2s).empty());
        CHECK(std::chrono::steady_clock::now() - started < 2500ms);
    }
}

TEST_CASE("a client that expects 100-continue is told to send a body the route accepts",
          "[http][routes]") {
    Server server;
    SECTION("within the limit: 100 Continue, then the answer") {
        Client c(server.port());
        const std::string body(200 * 1024, 'x');
        REQUIRE(c.send(post_head("/upload/d-2", body.size(), "Expect: 100-continue\r\n")));
        CHECK(status_line(c.receive(2s, "\r\n\r\n")) == "HTTP/1.1 100 Continue");
        REQUIRE(c.send(body));
        const auto r = c.receive(3s, "received");
        CHECK(status_line(r) == "HTTP/1.1 200 OK");
        CHECK(contains(r, "received 204800"));
    }
    SECTION("over the limit: 413 at once, no 100") {
        Client c(server.port());
        REQUIRE(c.send(post_head("/small", 100 * 1024, "Expect: 100-continue\r\n")));
        const auto r = c.receive(2s, "too_large");
        CHECK(status_line(r) == "HTTP/1.1 413 Payload Too Large");
        CHECK_FALSE(contains(r, "100 Continue"));
    }
}

TEST_CASE("keep-alive requests each get their own route's limit", "[http][routes]") {
    Server server;
    Client c(server.port());
    const std::string big(1 * kMiB, 'x');
    const std::string small(10, 'y');
    REQUIRE(c.send(post_head("/upload/d-3", big.size()) + big + post_head("/small", small.size()) +
                   small));
    const auto r = c.receive(5s, "received 10");
    CHECK(contains(r, "received 1048576"));
    CHECK(contains(r, "received 10"));
}
