#include "loadtest/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace budget::loadtest;
namespace asio = boost::asio;
using asio::ip::tcp;

TEST_CASE("an answer head gives its status, length and whether the connection stays open",
          "[loadtest][http]") {
    const auto created = parse_answer_head(
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\ncontent-length: 42\r\n");
    REQUIRE(created);
    CHECK(created->status == 201);
    CHECK(created->content_length == 42u);
    CHECK_FALSE(created->chunked);
    CHECK(created->keep_alive);

    const auto chunked = parse_answer_head(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\nConnection: close");
    REQUIRE(chunked);
    CHECK(chunked->chunked);
    CHECK_FALSE(chunked->keep_alive);

    const auto old = parse_answer_head("HTTP/1.0 200 OK\r\n");
    REQUIRE(old);
    CHECK_FALSE(old->keep_alive);
    CHECK(parse_answer_head("HTTP/1.1 204\r\n")->status == 204);
}

TEST_CASE("a malformed answer head is refused", "[loadtest][http]") {
    CHECK_FALSE(parse_answer_head("HTTP/2 200 OK\r\n"));
    CHECK_FALSE(parse_answer_head("HTTP/1.1 2x0 OK\r\n"));
    CHECK_FALSE(parse_answer_head("HTTP/1.1 200OK\r\n"));
    CHECK_FALSE(parse_answer_head("HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n"));
    CHECK_FALSE(parse_answer_head("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n"));
    CHECK_FALSE(parse_answer_head("HTTP/1.1 200 OK\r\nno colon here\r\n"));
}

namespace {

// A server that answers each request it reads with the next scripted bytes, written in pieces
// of `piece` bytes (1: byte by byte) so that the client must put answers together.
struct ScriptedServer {
    explicit ScriptedServer(asio::io_context& context) : io(context) {}
    asio::io_context& io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
    std::vector<std::string> answers;
    std::size_t piece = 1 << 20;
    int requests = 0;

    asio::awaitable<void> serve() {
        auto socket = co_await acceptor.async_accept(asio::use_awaitable);
        std::string pending;
        char data[4096];
        for (const auto& answer : answers) {
            while (pending.find("\r\n\r\n") == std::string::npos) {
                const auto n =
                    co_await socket.async_read_some(asio::buffer(data), asio::use_awaitable);
                pending.append(data, n);
            }
            pending.erase(0, pending.find("\r\n\r\n") + 4);  // the test's requests have no body
            ++requests;
            for (std::size_t at = 0; at < answer.size(); at += piece)
                co_await asio::async_write(socket, asio::buffer(answer.substr(at, piece)),
                                           asio::use_awaitable);
        }
        // Then holds the connection open, reading and never answering.
        boost::system::error_code ec;
        while (!ec)
            co_await socket.async_read_some(asio::buffer(data),
                                            asio::redirect_error(asio::use_awaitable, ec));
    }
};

std::vector<HttpAnswer> exchange(ScriptedServer& server, int calls,
                                 std::chrono::milliseconds timeout) {
    auto& io = server.io;
    asio::co_spawn(io, server.serve(), asio::detached);
    const Target target{server.acceptor.local_endpoint(), "127.0.0.1"};
    std::vector<HttpAnswer> answers;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            HttpConnection conn(io.get_executor(), target, timeout);
            for (int i = 0; i < calls; ++i) {
                HttpCall call;
                call.target = "/";
                answers.push_back(co_await conn.send(call));
            }
            io.stop();
        },
        asio::detached);
    io.run_for(std::chrono::seconds(10));
    return answers;
}

}  // namespace

TEST_CASE("answers arriving byte by byte, chunked or not, are read whole and in order",
          "[loadtest][http]") {
    asio::io_context io;
    ScriptedServer server(io);
    server.piece = 1;
    server.answers = {
        "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
        "chunked\r\n\r\n3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n",
        "HTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 409 Conflict\r\nContent-Length: 2\r\n\r\n{}",
    };
    const auto answers = exchange(server, 4, std::chrono::milliseconds(2000));
    REQUIRE(answers.size() == 4);
    CHECK(answers[0].status == 201);
    CHECK(answers[0].body == "hello");
    CHECK(answers[1].status == 200);
    CHECK(answers[1].body == "abc0123456789");
    CHECK(answers[2].status == 204);
    CHECK(answers[2].body.empty());
    CHECK(answers[3].status == 409);
    CHECK(answers[3].body == "{}");
    CHECK(server.requests == 4);
}

TEST_CASE("a server that stops answering gives a timeout, not a hang", "[loadtest][http]") {
    asio::io_context io;
    ScriptedServer server(io);
    server.answers = {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"};
    const auto answers = exchange(server, 2, std::chrono::milliseconds(200));
    REQUIRE(answers.size() == 2);
    CHECK(answers[0].status == 200);
    CHECK(answers[1].status == 0);
    CHECK(answers[1].error == "read: timeout");
}

TEST_CASE("a malformed answer is an error with status 0", "[loadtest][http]") {
    asio::io_context io;
    ScriptedServer server(io);
    server.answers = {"HTTP/1.1 OK\r\n\r\n"};
    const auto answers = exchange(server, 1, std::chrono::milliseconds(1000));
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].status == 0);
    CHECK(answers[0].error == "read: malformed answer");
}
