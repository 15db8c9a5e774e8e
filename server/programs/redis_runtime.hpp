#pragma once
// budgetd's Redis: the one asynchronous client over the event loops, to the server or cluster of
// the configuration, or to the redis-server that budgetd starts and supervises itself
// (`[redis] embedded = true`), plus the metrics it feeds.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/config.hpp"
#include "server/http/metrics.hpp"
#include "server/redis/client.hpp"
#include "server/redis/embedded_redis.hpp"

namespace budget::server::programs {

/// The client's reports, turned into the server's metrics.
class RedisMetrics final : public redis::Observer {
  public:
    explicit RedisMetrics(http::Metrics& metrics) : metrics_(metrics) {}
    void roundtrip(std::chrono::nanoseconds latency) override {
        metrics_.record_redis_roundtrip(latency);
    }
    void connection_changed(bool up) override { metrics_.set_redis_up(up); }

  private:
    http::Metrics& metrics_;
};

/// A node of the configuration's Redis (the server, each cluster seed, the embedded socket) that
/// answers PING to a connection without credentials, as "host:port"; std::nullopt when every
/// node that answered wants credentials. Blocking: before the event loops run.
std::optional<std::string> unauthenticated_redis(const config::Config& config);

class RedisRuntime {
  public:
    /// Starts the embedded server if the configuration asks for one (blocking: before any I/O
    /// thread runs), then the client. A one-line reason on failure.
    static std::variant<std::unique_ptr<RedisRuntime>, std::string> start(
        const config::Config& config, const std::vector<boost::asio::io_context*>& loops,
        redis::Observer* observer);
    ~RedisRuntime();

    redis::Client& client() { return *client_; }
    /// Where Redis is, for the log ("127.0.0.1:6379", "cluster:...", "unix:...").
    std::string describe() const;

    /// Restarts the embedded server if it dies (checked every half second, never blocking).
    void supervise(boost::asio::io_context& loop);
    /// Closes the connections and stops the supervision (the embedded server stops with us).
    void stop();

  private:
    RedisRuntime() = default;
    void supervise_tick();

    std::optional<redis::EmbeddedRedis> embedded_;
    std::unique_ptr<redis::Client> client_;
    std::unique_ptr<boost::asio::steady_timer> supervision_;
    bool cluster_ = false;
};

}  // namespace budget::server::programs
