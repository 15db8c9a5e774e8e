#pragma once
// An asynchronous Redis client on hiredis's async API, driven by the server's Asio event loop:
// no thread per request and no blocking call. Commands sent on one connection are pipelined by
// hiredis; each connection lives on its own strand and reconnects by itself with backoff.
// Against Redis Cluster the same client routes each command to the master of its key's hash
// slot, follows MOVED and ASK, and refreshes its slot map after errors and periodically.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
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

/// The Redis Cluster hash slot of a key (CRC16 of the key, or of its `{hash tag}`, mod 16384).
std::uint16_t key_hash_slot(std::string_view key);

/// The key that decides where a command runs (its first key), or nothing for commands without
/// keys (PING, INFO, CONFIG, SCRIPT, WAIT, CLUSTER...), which any node answers.
std::optional<std::string_view> routing_key(const std::vector<std::string>& args);

/// A cluster redirection parsed from an error reply: "MOVED 3999 127.0.0.1:6381" or "ASK ...".
struct Redirect {
    bool ask = false;
    std::uint16_t slot = 0;
    Target node;
};
std::optional<Redirect> parse_redirect(std::string_view error);

/// A Lua script known by its SHA-1 so it can be sent with EVALSHA; EVAL is the fallback when
/// the server answers NOSCRIPT (after a restart or a failover).
struct Script {
    explicit Script(std::string source);
    std::string source;
    std::string sha1;
};

class Connection;
class NodePool;

/// Seed nodes of a Redis Cluster; the client discovers the rest (CLUSTER SLOTS).
struct ClusterSeeds {
    std::vector<Target> nodes;
};

/// Connections to one server, or to every master of a cluster, used round-robin. Thread-safe.
class Client {
  public:
    Client(boost::asio::io_context& ioc, Target target, Options options, int connections,
           Metrics* metrics);
    /// One group of `connections_per_context` connections per event loop: a coroutine running
    /// on a loop talks to Redis through that loop's connections, so a request never crosses
    /// threads (budgetd runs one io_context per thread).
    Client(const std::vector<boost::asio::io_context*>& contexts, Target target, Options options,
           int connections_per_context, Metrics* metrics);
    /// The same against Redis Cluster: one such group per master, found from the seeds.
    Client(const std::vector<boost::asio::io_context*>& contexts, ClusterSeeds seeds,
           Options options, int connections_per_context, Metrics* metrics);
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
    /// Runs a script, then `WAIT replicas timeout` on the same connection right behind it (WAIT
    /// covers the writes of its own connection only): the script's reply, and WAIT's.
    boost::asio::awaitable<std::pair<Result, Result>> eval_and_wait(
        const Script& script, std::vector<std::string> keys, std::vector<std::string> args,
        int replicas, std::chrono::milliseconds timeout);
    /// Sends a keyless command to every master (one server: to it): settings that must hold on
    /// each, such as persistence.
    boost::asio::awaitable<std::vector<Result>> command_on_masters(std::vector<std::string> args);
    /// Scripts loaded on every (re)connection so that EVALSHA usually hits.
    void preload(const Script& script);

    /// True when at least one connection is established.
    bool connected() const;
    bool is_cluster() const;
    /// The server, or the first seed of a cluster.
    const Target& target() const;
    /// Masters currently known (cluster: from the slot map), as host:port.
    std::vector<std::string> masters() const;

  private:
    using Commands = std::vector<std::vector<std::string>>;
    /// command() on arguments the caller keeps alive until the reply: eval() reuses them for
    /// its NOSCRIPT retry instead of copying them for each attempt.
    boost::asio::awaitable<Result> send(const std::vector<std::string>& args);
    /// Sends commands back to back on one connection, routed by the first command's key and
    /// following cluster redirections; every reply, in order.
    boost::asio::awaitable<std::vector<Result>> pipeline(Commands commands);

    struct State;  ///< shared with the slot-map refresher, which may outlive a call
    std::shared_ptr<State> state_;
};

}  // namespace budget::server::redis

template <>
struct boost::system::is_error_code_enum<budget::server::redis::Errc> : std::true_type {};
