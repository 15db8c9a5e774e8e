// The outgoing client FranceConnect's calls go through (server/http/http_client.hpp), against
// real servers on loopback: `openssl s_server` with a certificate from a CA made here (verified
// or not, right host or not), a listener that never answers, one that answers too much, and a
// closed port.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "server/http/http_client.hpp"
#include "tests/server/support/process_support.hpp"

using namespace budget::server;
using namespace budget::test;
namespace asio = boost::asio;
using Result = boost::system::result<http::HttpReply, http::FetchError>;

namespace {

struct Pki {
    std::string ca, cert, key;
};

Pki make_pki(const std::string& dir) {
    const auto openssl = [&](const std::string& args) {
        const auto [code, out] = run_command("cd '" + dir + "' && openssl " + args);
        INFO(out);
        REQUIRE(code == 0);
    };
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1";
    openssl("req -x509 " + ec +
            " -nodes -keyout ca.key -out ca.pem -days 9 -subj '/CN=Budget test CA'"
            " -addext 'basicConstraints=critical,CA:TRUE'"
            " -addext 'keyUsage=critical,keyCertSign,cRLSign'");
    openssl("req " + ec + " -nodes -keyout server.key -out server.csr -subj '/CN=localhost'");
    std::ofstream(dir + "/server.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                                          "basicConstraints=critical,CA:FALSE\n"
                                          "keyUsage=critical,digitalSignature\n"
                                          "extendedKeyUsage=serverAuth\n";
    openssl(
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 9"
        " -extfile server.ext -out server.pem");
    return {dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
}

bool accepting(int port) {
    try {
        asio::io_context ioc;
        asio::ip::tcp::socket s(ioc);
        s.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
        return true;
    } catch (...) {
        return false;
    }
}

/// One call on an io_context of its own, as a handler's coroutine would make it.
Result fetch(http::HttpClient& client, std::string url) {
    asio::io_context ioc;
    auto future = asio::co_spawn(ioc, client.get(std::move(url)), asio::use_future);
    ioc.run();
    return future.get();
}

http::HttpClient client(std::chrono::milliseconds timeout, std::string ca = "") {
    return http::HttpClient({.timeout = timeout, .max_body = 1 << 20, .extra_ca_file = ca});
}

/// A loopback listener on its own thread: each connection is read up to the blank line, then
/// answered with `answer` (or held open without an answer when it is empty).
class Listener {
  public:
    explicit Listener(std::string answer)
        : acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}), answer_(std::move(answer)) {
        asio::co_spawn(ioc_, serve(), asio::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~Listener() {
        ioc_.stop();
        thread_.join();
    }
    int port() const { return acceptor_.local_endpoint().port(); }

  private:
    asio::awaitable<void> serve() {
        for (;;) {
            auto socket = co_await acceptor_.async_accept(asio::use_awaitable);
            held_.push_back(std::make_unique<asio::ip::tcp::socket>(std::move(socket)));
            auto& s = *held_.back();
            asio::streambuf request;
            co_await asio::async_read_until(s, request, "\r\n\r\n", asio::use_awaitable);
            if (!answer_.empty())
                co_await asio::async_write(s, asio::buffer(answer_), asio::use_awaitable);
        }
    }

    asio::io_context ioc_;
    asio::ip::tcp::acceptor acceptor_;
    std::string answer_;
    std::vector<std::unique_ptr<asio::ip::tcp::socket>> held_;
    std::thread thread_;
};

}  // namespace

TEST_CASE("URLs are split for a request, and anything else refused", "[http_client]") {
    const auto u = http::parse_url("https://fc.example:8443/api/v2/token?x=1");
    REQUIRE(u);
    CHECK(u->tls);
    CHECK(u->host == "fc.example");
    CHECK(u->port == "8443");
    CHECK(u->target == "/api/v2/token?x=1");
    CHECK(http::parse_url("http://[::1]/")->host == "::1");
    CHECK(http::parse_url("http://127.0.0.1")->port == "80");
    CHECK(http::parse_url("https://h?q")->target == "/?q");
    for (const auto* bad :
         {"ftp://h/", "https://", "https://user@h/", "https://h:99999/", "https://h/#frag", "//h/"})
        CHECK_FALSE(http::parse_url(bad));
    CHECK(http::is_loopback_host("127.0.0.1"));
    CHECK(http::is_loopback_host("127.8.0.1"));
    CHECK(http::is_loopback_host("::1"));
    CHECK(http::is_loopback_host("localhost"));
    CHECK_FALSE(http::is_loopback_host("10.0.0.1"));
    CHECK_FALSE(http::is_loopback_host("localhost.example.org"));
}

TEST_CASE("plain http is refused beyond loopback, before anything is sent", "[http_client]") {
    auto c = client(std::chrono::milliseconds(500));
    auto r = fetch(c, "http://192.0.2.1/.well-known/openid-configuration");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == http::FetchError::plain_http);
    CHECK(fetch(c, "gopher://x/").error() == http::FetchError::bad_url);
}

TEST_CASE("HTTPS verifies the chain and the host name", "[http_client]") {
    TempDir dir;
    const auto pki = make_pki(dir.path());
    const int port = free_port();
    ChildProcess server({"openssl", "s_server", "-accept", std::to_string(port), "-cert", pki.cert,
                         "-key", pki.key, "-www", "-quiet"},
                        dir.path() + "/s_server.log");
    REQUIRE(eventually([&] { return accepting(port); }, std::chrono::seconds(10)));
    const auto at = "https://127.0.0.1:" + std::to_string(port) + "/";

    auto trusting = client(std::chrono::seconds(5), pki.ca);
    const auto ok = fetch(trusting, at);
    REQUIRE(ok.has_value());
    CHECK(ok->status == 200);
    CHECK(ok->body.find("<HTML>") != std::string::npos);

    // The system's CAs alone do not know the test CA.
    auto system_only = client(std::chrono::seconds(5));
    const auto unknown = fetch(system_only, at);
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error() == http::FetchError::tls);

    // Another loopback address reaches the same server, whose certificate does not name it.
    const auto wrong_host = fetch(trusting, "https://127.0.0.2:" + std::to_string(port) + "/");
    REQUIRE_FALSE(wrong_host.has_value());
    CHECK(wrong_host.error() == http::FetchError::tls);

    CHECK_THROWS(client(std::chrono::seconds(1), dir.path() + "/missing.pem"));
}

TEST_CASE("a server that never answers is given up at the deadline", "[http_client]") {
    Listener silent("");
    auto c = client(std::chrono::milliseconds(400));
    const auto started = std::chrono::steady_clock::now();
    const auto r = fetch(c, "http://127.0.0.1:" + std::to_string(silent.port()) + "/jwks");
    const auto elapsed = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == http::FetchError::timeout);
    CHECK(elapsed >= std::chrono::milliseconds(350));
    CHECK(elapsed < std::chrono::seconds(3));
}

TEST_CASE("an answer past the size cap is refused", "[http_client]") {
    Listener flood(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n" +
        std::string(2'000'000, 'x'));
    auto c = client(std::chrono::seconds(5));
    const auto r = fetch(c, "http://127.0.0.1:" + std::to_string(flood.port()) + "/");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == http::FetchError::too_large);

    Listener small(
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nno");
    const auto answered = fetch(c, "http://localhost:" + std::to_string(small.port()) + "/x");
    REQUIRE(answered.has_value());
    CHECK(answered->status == 404);
    CHECK(answered->content_type == "text/plain");
    CHECK(answered->body == "no");
}

TEST_CASE("a closed port is unreachable", "[http_client]") {
    auto c = client(std::chrono::seconds(2));
    const auto r = fetch(c, "http://127.0.0.1:" + std::to_string(free_port()) + "/");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == http::FetchError::unreachable);
}
