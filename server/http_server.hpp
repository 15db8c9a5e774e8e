#pragma once
// The HTTP/1.1 server: Beast on Asio C++20 coroutines, one strand per connection, keep-alive,
// size limits, read and idle timeouts, one JSON log line per request, graceful shutdown.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "config/config.hpp"
#include "server/http_types.hpp"
#include "server/metrics.hpp"
#include "server/router.hpp"
#include "server/static_files.hpp"

namespace budget::server {

class HttpServer {
  public:
    /// Accepts on `ioc`; each connection then lives on one of `workers` (round-robin).
    HttpServer(boost::asio::io_context& ioc, const config::ServerConfig& config,
               const Router& router, const StaticFiles& static_files, Metrics& metrics,
               std::vector<boost::asio::io_context*> workers = {});
    ~HttpServer();

    /// Binds and starts accepting. Throws on a port that cannot be bound.
    void start();
    /// Stops accepting and closes idle connections; requests in flight finish.
    void shutdown();
    /// Connections still open.
    std::size_t active_connections() const;
    /// The bound port (useful when the config asked for port 0).
    std::uint16_t port() const { return port_; }

    /// Handles one parsed request (routing, errors, headers); used by the sessions and tests.
    boost::asio::awaitable<Response> handle(const Request& req, const std::string& client_ip,
                                            std::string& route);

  private:
    struct Session;
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> run_session(std::shared_ptr<Session> session);

    boost::asio::io_context& ioc_;
    std::vector<boost::asio::io_context*> workers_;
    std::size_t next_worker_ = 0;
    const config::ServerConfig& config_;
    const Router& router_;
    const StaticFiles& static_files_;
    Metrics& metrics_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    mutable std::mutex sessions_mutex_;
    std::set<std::shared_ptr<Session>> sessions_;
};

/// Headers every response carries (content sniffing, framing, referrer, CSP).
void add_security_headers(Response& res);

}  // namespace budget::server
