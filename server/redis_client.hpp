#pragma once
// An asynchronous Redis client on hiredis's async API, driven by the server's Asio event loop:
// no thread per request and no blocking call. Commands sent on one connection are pipelined by
// hiredis; each connection lives on its own strand and reconnects by itself with backoff.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace budget::server {
class Metrics;
}

namespace budget::server::redis {

/// A Redis reply, owned (hiredis frees its own reply object when the callback returns).
struct Reply {
    enum class Type { nil, status, error, integer, string, array };
    Type type = Type::nil;
    long long integer = 0;
    std::string str;
    std::vector<Reply> elements;

    bool is_error() const { return type == Type::error; }
    bool is_nil() const { return type == Type::nil; }
};

enum class Errc {
    unavailable = 1,  ///< no connection to Redis right now
    timeout,          ///< no answer within the command timeout
    connection_lost,  ///< the connection dropped while the command was in flight
};
const boost::system::error_category& redis_category();
boost::system::error_code make_error_code(Errc e);

using Result = boost::system::result<Reply>;

/// Where to connect: an IP address and port, or a unix socket path (hiredis resolves host
/// names with a blocking call, so names are refused).
struct Target {
    std::string host;
    int port = 0;
    std::string unix_path;

    static Target parse_url(const std::string& url);
    std::string describe() const;
};

struct Options {
    std::chrono::milliseconds command_timeout{2000};
    std::chrono::milliseconds reconnect_min{50};
    std::chrono::milliseconds reconnect_max{1000};
};

/// A Lua script known by its SHA-1 so it can be sent with EVALSHA; EVAL is the fallback when
/// the server answers NOSCRIPT (after a restart or a failover).
struct Script {
    explicit Script(std::string source);
    std::string source;
    std::string sha1;
};

class Connection;

/// A small pool of connections, used round-robin. Thread-safe.
class Client {
  public:
    Client(boost::asio::io_context& ioc, Target target, Options options, int connections,
           Metrics* metrics);
    /// One group of `connections_per_context` connections per event loop: a coroutine running
    /// on a loop talks to Redis through that loop's connections, so a request never crosses
    /// threads (budgetd runs one io_context per thread).
    Client(const std::vector<boost::asio::io_context*>& contexts, Target target, Options options,
           int connections_per_context, Metrics* metrics);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    void start();
    /// Closes every connection; pending commands complete with connection_lost.
    void stop();

    /// Sends one command and waits for its reply (or the command timeout).
    boost::asio::awaitable<Result> command(std::vector<std::string> args);
    /// Runs a script with EVALSHA, falling back to EVAL on NOSCRIPT.
    boost::asio::awaitable<Result> eval(const Script& script, std::vector<std::string> keys,
                                        std::vector<std::string> args);
    /// Scripts loaded on every (re)connection so that EVALSHA usually hits.
    void preload(const Script& script);

    /// True when at least one connection is established.
    bool connected() const;
    const Target& target() const { return target_; }

  private:
    Connection& pick(const boost::asio::execution_context* caller);
    /// command() on arguments the caller keeps alive until the reply: eval() reuses them for
    /// its NOSCRIPT retry instead of copying them for each attempt.
    boost::asio::awaitable<Result> send(const std::vector<std::string>& args);

    Target target_;
    std::vector<std::shared_ptr<Connection>> connections_;
    std::vector<const boost::asio::execution_context*> context_of_;  ///< per connection
    std::atomic<std::size_t> next_{0};
};

}  // namespace budget::server::redis

template <>
struct boost::system::is_error_code_enum<budget::server::redis::Errc> : std::true_type {};
