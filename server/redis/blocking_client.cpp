#include "server/redis/blocking_client.hpp"

#include <boost/asio/steady_timer.hpp>

namespace budget::server::redis {

namespace asio = boost::asio;

std::variant<std::unique_ptr<BlockingClient>, std::string> BlockingClient::connect(
    Target target, Options options, std::chrono::milliseconds connect_timeout) {
    std::unique_ptr<BlockingClient> out(new BlockingClient());
    const auto where = target.describe();
    out->client_ = std::make_unique<Client>(out->ioc_, std::move(target), options, 1);
    out->client_->start();
    if (!out->wait_connected(connect_timeout)) return out->failure("Redis at " + where);
    return out;
}

std::variant<std::unique_ptr<BlockingClient>, std::string> BlockingClient::connect(
    ClusterSeeds seeds, Options options, std::chrono::milliseconds connect_timeout) {
    if (seeds.nodes.empty()) return std::string("a Redis cluster needs at least one seed node");
    std::unique_ptr<BlockingClient> out(new BlockingClient());
    const auto where = seeds.nodes.front().describe();
    std::vector<asio::io_context*> loop{&out->ioc_};
    out->client_ = std::make_unique<Client>(loop, std::move(seeds), options, 1);
    out->client_->start();
    if (!out->wait_connected(connect_timeout)) return out->failure("Redis cluster at " + where);
    return out;
}

BlockingClient::~BlockingClient() {
    if (!client_) return;
    client_->stop();
    // Let the connections close and their handlers finish before the loop goes away.
    ioc_.restart();
    ioc_.run_for(std::chrono::milliseconds(200));
}

bool BlockingClient::wait_connected(std::chrono::milliseconds timeout) {
    asio::steady_timer deadline(ioc_, timeout);
    bool expired = false;
    deadline.async_wait([&](boost::system::error_code ec) {
        if (!ec) expired = true;
    });
    run_until([&] { return expired || client_->connected(); });
    deadline.cancel();
    return client_->connected();
}

std::string BlockingClient::failure(const std::string& where) const {
    if (auto refusal = client_->auth_refusal(); !refusal.empty()) {
        return where +
               " refused budgetd's credentials ([redis] user and password_file): " + refusal;
    }
    return "cannot connect to " + where;
}

Result BlockingClient::command(std::vector<std::string> args) {
    return run(client_->command(std::move(args)));
}

Result BlockingClient::eval(const Script& script, std::vector<std::string> keys,
                            std::vector<std::string> args) {
    return run(client_->eval(script, std::move(keys), std::move(args)));
}

}  // namespace budget::server::redis
