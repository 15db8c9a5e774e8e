#pragma once
// One keep-alive HTTP/1.1 client connection driven by a coroutine. Never throws on I/O: a failed
// exchange comes back as status 0 with the reason, and the next request reconnects.
//
// The generator shares the cores with the engine it measures, so it stays light: a plain socket,
// requests written by hand, answers parsed by hand (status line, Content-Length or chunked), and
// one watchdog timer per connection that wakes every quarter of the timeout, instead of a timer
// armed and cancelled around every read and write.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
    ~HttpConnection();
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    /// Told of every connection attempt: when it started and whether it succeeded.
    using ConnectObserver = std::function<void(std::chrono::steady_clock::time_point, bool)>;
    void observe_connects(ConnectObserver observer) { observer_ = std::move(observer); }

    /// Opens the connection now (otherwise the first request does); false on failure.
    boost::asio::awaitable<bool> connect();
    /// One request and its answer on this connection.
    boost::asio::awaitable<HttpAnswer> send(const HttpCall& call);

  private:
    /// Shared with the watchdog's pending wait, which may outlive the connection.
    struct Watch {
        boost::asio::ip::tcp::socket* socket = nullptr;  ///< null once the connection is gone
        std::chrono::steady_clock::time_point deadline =
            std::chrono::steady_clock::time_point::max();
        bool expired = false;
    };

    void close();
    void arm(std::chrono::steady_clock::time_point now);
    void disarm() { watch_->deadline = std::chrono::steady_clock::time_point::max(); }
    void start_watchdog();
    /// Reads until `buffer_` holds at least `bytes` bytes past `from`; false on failure.
    boost::asio::awaitable<bool> read_more(std::string& error);
    boost::asio::awaitable<bool> read_answer(HttpAnswer& answer, bool& keep_alive);

    const Target& target_;
    std::chrono::milliseconds timeout_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer watchdog_;
    std::shared_ptr<Watch> watch_;
    std::string buffer_;  ///< bytes read and not yet consumed, from `consumed_`
    std::size_t consumed_ = 0;
    std::string request_;  ///< reused: the bytes of the request being sent
    bool open_ = false;
    bool watching_ = false;
    ConnectObserver observer_;
};

/// What the status line and headers of an answer say (exposed for the unit tests).
struct AnswerHead {
    int status = 0;
    std::optional<std::size_t> content_length;
    bool chunked = false;
    bool keep_alive = true;
};

/// Parses "HTTP/1.1 201 Created\r\nName: value\r\n..." up to (not including) the blank line;
/// nullopt when it is not an HTTP/1.x status line with well-formed headers.
std::optional<AnswerHead> parse_answer_head(std::string_view head);

}  // namespace budget::loadtest
