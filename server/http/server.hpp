#pragma once
// The HTTP/1.1 server: Beast on Asio C++20 coroutines, one strand per connection, keep-alive,
// size limits, read and idle timeouts, one JSON log line per request, graceful shutdown.
// With a TLS context the listener speaks HTTPS only, and an optional second plain listener
// answers every request with a redirect to it.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "server/http/metrics.hpp"
#include "server/http/router.hpp"
#include "server/http/static_files.hpp"
#include "server/http/types.hpp"

namespace boost::asio::ssl {
class context;
}

namespace budget::server::http {

/// HTTPS for a server: the context from make_tls_context and the [tls] settings.
struct HttpsSettings {
    boost::asio::ssl::context* context = nullptr;  ///< null: `listen` speaks plain HTTP
    config::TlsConfig tls;
};

class HttpServer {
  public:
    /// Accepts on `ioc`; each connection then lives on one of `workers` (round-robin).
    /// `errors` words the transport's own failures (413, 404...) as the application does.
    HttpServer(boost::asio::io_context& ioc, const config::ServerConfig& config,
               const Router& router, const StaticFiles& static_files, Metrics& metrics,
               ErrorResponder errors, std::vector<boost::asio::io_context*> workers = {},
               HttpsSettings https = {});
    ~HttpServer();

    /// Binds and starts accepting (and the redirect listener, if any). Throws on a port that
    /// cannot be bound.
    void start();
    /// Stops accepting and closes idle connections; requests in flight finish.
    void shutdown();
    /// Connections still open, redirect ones included.
    std::size_t active_connections() const;
    /// The bound port (useful when the config asked for port 0).
    std::uint16_t port() const { return port_; }
    /// The bound port of the redirect listener; 0 when there is none.
    std::uint16_t redirect_port() const { return redirect_port_; }
    /// Whether `port()` speaks HTTPS.
    bool tls() const { return https_.context != nullptr; }
    /// The origin redirects point to: [server] public_origin, or derived from `listen` and the
    /// bound port; known after start().
    const std::string& public_origin() const { return public_origin_; }
    /// Connections held at once, all addresses together: [server] max_connections or derived
    /// from the descriptor limit; known after start().
    std::size_t max_connections() const { return max_connections_; }

    /// Handles one parsed request (routing, errors, headers); used by the sessions and tests.
    boost::asio::awaitable<Response> handle(const Request& req, const std::string& client_ip,
                                            std::string& route);
    /// The same, with the route already matched on the request's header (the sessions match it
    /// once, to read the body under the route's limits).
    boost::asio::awaitable<Response> handle(const Request& req, const std::string& client_ip,
                                            std::string& route, Router::Match match);

  private:
    struct Session;
    boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor,
                                             bool redirect_only);
    boost::asio::awaitable<void> run_session(std::shared_ptr<Session> session);
    template <typename Stream>
    boost::asio::awaitable<boost::system::error_code> serve(Session& session, Stream& stream);
    Response redirect(const Request& req, std::string& route) const;
    /// The answer to a transport failure: the error table's, or the site's page for it when the
    /// request is outside /api/ and asks for HTML (same status).
    Response error_answer(const Request& req, std::string_view path, TransportError error) const;

    std::vector<boost::asio::io_context*> workers_;
    std::size_t next_worker_ = 0;
    const config::ServerConfig& config_;
    const Router& router_;
    const StaticFiles& static_files_;
    Metrics& metrics_;
    ErrorResponder errors_;
    HttpsSettings https_;
    std::string hsts_;  ///< the Strict-Transport-Security value, built once
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::ip::tcp::acceptor redirect_acceptor_;  ///< opened only with redirect_listen
    std::uint16_t port_ = 0;
    std::uint16_t redirect_port_ = 0;
    std::atomic<bool> stopping_{false};
    std::string public_origin_;
    std::size_t max_connections_ = 0;
    mutable std::mutex sessions_mutex_;
    std::set<std::shared_ptr<Session>> sessions_;
    /// Open connections per client address (an IPv6 client per /64), under sessions_mutex_.
    std::unordered_map<std::string, int> per_address_;
};

/// Headers every response carries (content sniffing, framing, referrer, CSP).
void add_security_headers(Response& res);

/// Where the plain HTTP listener sends a request: `origin` followed by the target. std::nullopt
/// when the target is not a path (answered 400): an absolute-form or "*" target would let the
/// client choose where our redirect points. The request's Host is never used.
std::optional<std::string> origin_location(std::string_view origin, std::string_view target);

/// The origin a server names when [server] public_origin is unset: http(s)://<listen host>
/// [:<port> unless the scheme's default]; a wildcard listen host reads as the loopback address.
std::string derived_origin(const config::Endpoint& listen, std::uint16_t bound_port, bool tls);

/// The connection cap derived from a descriptor limit: room is left for the Redis connections,
/// files, the embedded redis-server's pipes and the listeners (an eighth, at least 64).
std::size_t derived_max_connections(std::uint64_t descriptor_limit);

/// What the per-address cap counts as one client: an IPv4 address, or the /64 of an IPv6 one
/// (a single subscriber usually holds a whole /64).
std::string connection_key(const boost::asio::ip::address& address);

}  // namespace budget::server::http
