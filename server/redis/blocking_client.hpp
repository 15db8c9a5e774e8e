#pragma once
// The asynchronous client, run to completion on a private event loop: for the command-line tool,
// the load generator's checks and the tests, which do one thing at a time. They share the very
// client (and stores) that budgetd uses, cluster routing included, instead of a second wrapper
// of hiredis.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "server/redis/client.hpp"

namespace budget::server::redis {

class BlockingClient {
  public:
    /// Connects to one server or to a cluster (from its seeds) and waits until a connection is
    /// up (authenticated when `options` carry credentials), at most `connect_timeout`; a
    /// one-line reason when none came up, Redis's own when it refused the credentials.
    static std::variant<std::unique_ptr<BlockingClient>, std::string> connect(
        Target target, Options options = {},
        std::chrono::milliseconds connect_timeout = std::chrono::seconds(2));
    static std::variant<std::unique_ptr<BlockingClient>, std::string> connect(
        ClusterSeeds seeds, Options options = {},
        std::chrono::milliseconds connect_timeout = std::chrono::seconds(2));
    ~BlockingClient();

    /// The asynchronous client, for the stores built over it (run their calls with run()).
    Client& client() { return *client_; }

    /// Runs a coroutine on the private loop and returns its result; rethrows its exception.
    template <typename T>
    T run(boost::asio::awaitable<T> work);

    Result command(std::vector<std::string> args);
    Result eval(const Script& script, std::vector<std::string> keys, std::vector<std::string> args);

  private:
    BlockingClient() = default;
    /// Runs the loop until `done` (or nothing is left to run).
    template <typename Done>
    void run_until(Done done);
    bool wait_connected(std::chrono::milliseconds timeout);
    /// Why no connection came up: Redis's refusal of the credentials, or no answer at all.
    std::string failure(const std::string& where) const;

    boost::asio::io_context ioc_{1};
    std::unique_ptr<Client> client_;
};

template <typename Done>
void BlockingClient::run_until(Done done) {
    ioc_.restart();
    while (!done()) {
        if (ioc_.run_one() == 0) ioc_.restart();
    }
}

template <typename T>
T BlockingClient::run(boost::asio::awaitable<T> work) {
    std::exception_ptr failed;
    bool finished = false;
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(ioc_, std::move(work), [&](std::exception_ptr e) {
            failed = std::move(e);
            finished = true;
        });
        run_until([&] { return finished; });
        if (failed) std::rethrow_exception(failed);
    } else {
        std::optional<T> out;
        boost::asio::co_spawn(ioc_, std::move(work), [&](std::exception_ptr e, T value) {
            if (!e) out.emplace(std::move(value));
            failed = std::move(e);
            finished = true;
        });
        run_until([&] { return finished; });
        if (failed) std::rethrow_exception(failed);
        return std::move(*out);
    }
}

}  // namespace budget::server::redis
