#pragma once
// One keep-alive HTTP/1.1 client connection driven by a coroutine. Never throws on I/O: a failed
// exchange comes back as status 0 with the reason, and the next request reconnects.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <functional>
#include <string>

namespace budget::loadtest {

/// Where the engine listens, parsed from "http://host:port".
struct Target {
    boost::asio::ip::tcp::endpoint endpoint;
    std::string host;  ///< for the Host header
};

/// Resolves "http://host:port[/]" (blocking, once at start); throws std::runtime_error.
Target resolve_target(const std::string& url);

struct HttpCall {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string target;
    std::string body;             ///< sent as application/json when not empty
    std::string bearer;           ///< Authorization: Bearer, when not empty
    std::string idempotency_key;  ///< Idempotency-Key, when not empty
};

struct HttpAnswer {
    /// When the request went out: after any connection set-up, which is timed apart (`connect`).
    std::chrono::steady_clock::time_point sent_at = std::chrono::steady_clock::now();
    int status = 0;  ///< 0: no answer (see error)
    std::string body;
    std::string error;  ///< transport failure, when status is 0
};

class HttpConnection {
  public:
    HttpConnection(boost::asio::any_io_executor ex, const Target& target,
                   std::chrono::milliseconds timeout);

    /// Told of every connection attempt: when it started and whether it succeeded.
    using ConnectObserver = std::function<void(std::chrono::steady_clock::time_point, bool)>;
    void observe_connects(ConnectObserver observer) { observer_ = std::move(observer); }

    /// Opens the connection now (otherwise the first request does); false on failure.
    boost::asio::awaitable<bool> connect();
    /// One request and its answer on this connection.
    boost::asio::awaitable<HttpAnswer> send(const HttpCall& call);

  private:
    void close();

    const Target& target_;
    std::chrono::milliseconds timeout_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::string request_;  ///< reused: the bytes of the request being sent
    bool open_ = false;
    ConnectObserver observer_;
};

}  // namespace budget::loadtest
