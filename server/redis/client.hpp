#pragma once
// The asynchronous Redis client on hiredis's async API, driven by Asio event loops: no thread
// per request and no blocking call. Commands sent on one connection are pipelined by hiredis;
// each connection lives on its own strand and reconnects by itself with backoff. Against Redis
// Cluster the same client routes each command to the master of its key's hash slot, follows
// MOVED and ASK, and refreshes its slot map after errors and periodically.
//
// Every result is settled: a Reply, or an Error (Errc::error_reply for Redis's error answers,
// after the client has dealt with redirections and NOSCRIPT itself).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/redis/cluster.hpp"
#include "server/redis/reply.hpp"
#include "server/redis/script.hpp"
#include "server/redis/target.hpp"

namespace budget::server::redis {

/// What the client reports as it goes (metrics), without knowing who listens.
class Observer {
  public:
    virtual ~Observer() = default;
    /// A command answered, in that time.
    virtual void roundtrip(std::chrono::nanoseconds latency) = 0;
    /// A connection came up or went down.
    virtual void connection_changed(bool up) = 0;
};

struct Options {
    std::chrono::milliseconds command_timeout{2000};
    std::chrono::milliseconds reconnect_min{50};
    std::chrono::milliseconds reconnect_max{1000};
    /// Must outlive the event loops too: a connection still queued on a loop reports its close
    /// when the loop is destroyed.
    Observer* observer = nullptr;
    /// Redis ACL credentials, sent with AUTH as the first command of every connection and
    /// reconnection (cluster nodes found later, MOVED and ASK targets included); a connection
    /// counts as up only once Redis accepted them. No AUTH when `password` is empty; AUTH with
    /// the password alone (requirepass, the default user) when `user` is empty.
    std::string user;
    std::string password;
};

/// Seed nodes of a Redis Cluster; the client discovers the rest (CLUSTER SLOTS).
struct ClusterSeeds {
    std::vector<Target> nodes;
};

/// Connections to one server, or to every master of a cluster, used round-robin. Thread-safe.
class Client {
  public:
    Client(boost::asio::io_context& ioc, Target target, Options options, int connections);
    /// One group of `connections_per_context` connections per event loop: a coroutine running
    /// on a loop talks to Redis through that loop's connections, so a request never crosses
    /// threads (budgetd runs one io_context per thread).
    Client(const std::vector<boost::asio::io_context*>& contexts, Target target, Options options,
           int connections_per_context);
    /// The same against Redis Cluster: one such group per master, found from the seeds.
    Client(const std::vector<boost::asio::io_context*>& contexts, ClusterSeeds seeds,
           Options options, int connections_per_context);
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
    /// Sends a keyless command to one master named as masters() names it (one server: to it,
    /// whatever the name): what walks every master's keys with SCAN, whose cursor belongs to
    /// one node. `unavailable` when no master of that name is known any more.
    boost::asio::awaitable<Result> command_on_master(std::string master,
                                                     std::vector<std::string> args);
    /// Scripts loaded on every (re)connection so that EVALSHA usually hits.
    void preload(const Script& script);

    /// True when at least one connection is established (and authenticated).
    bool connected() const;
    /// Redis's answer to the last AUTH it refused on any connection ("WRONGPASS ..."), or ""
    /// when none was refused since that connection last came up.
    std::string auth_refusal() const;
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

/// True for the error answer to EVALSHA of a script the server does not hold.
bool is_noscript(const Result& result);

}  // namespace budget::server::redis
