#include "server/http/server.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <stdexcept>
#include <type_traits>

#include "server/core/log.hpp"
#include "server/http/client_address.hpp"
#include "server/http/negotiation.hpp"
#include "server/http/response_header.hpp"
#include "server/http/timed_socket.hpp"

namespace budget::server::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct HttpServer::Session {
    Session(tcp::socket socket, bool redirect_only, std::string address_key)
        : stream(std::move(socket)),
          redirect_only(redirect_only),
          address_key(std::move(address_key)) {}
    TimedSocket stream;             // the connection; under HTTPS, the layer below TLS
    const bool redirect_only;       // accepted by the plain listener next to HTTPS: 308 only
    const std::string address_key;  // what per_address_ counts it under (connection_key)
    bool idle = true;  // waiting for the next request or a handshake: safe to close on shutdown
};

namespace {

// TLS wraps the session's socket by reference: timeouts and the shutdown's close keep acting on
// the one socket whatever the session speaks. Beast's ssl_stream rather than Asio's: it flattens
// the header and body buffers of a write into one TLS record.
using TlsStream = beast::ssl_stream<TimedSocket&>;
template <typename Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// What Beast's flat_stream copies into one TLS record (flat_stream_base::max_size).
constexpr std::size_t kTlsFlattenLimit = 16 * 1024;

// The read that waits for a request's first bytes; the parser then reads the rest with its own
// sizes. Small, because every idle connection holds it.
constexpr std::size_t kIdleReadBytes = 512;

// A client that never answers our close_notify must not hold the connection for long.
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(1);

std::uint16_t listen_on(tcp::acceptor& acceptor, const config::Endpoint& at) {
    try {
        const tcp::endpoint endpoint(asio::ip::make_address(at.host), at.port);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(asio::socket_base::max_listen_connections);
        return acceptor.local_endpoint().port();
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot listen on " + at.host + ":" + std::to_string(at.port) +
                                 ": " + e.what());
    }
}

void log_failure(const char* event, const std::exception_ptr& e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        log_event("error", event, {{"reason", ex.what()}});
    }
}

// Writes a response's header block and body. In plain HTTP: one gather write. Under TLS, Beast's
// flat_stream (under ssl_stream) flattens a gather of at most 16 KiB into one record, but given a
// sequence whose first buffer is empty — what asio::async_write passes once the header is sent
// and the body remains — it writes zero bytes, which async_write takes for the end: the body of
// every answer over 16 KiB was never sent. So past that size the header and the body are two
// writes of one buffer each.
template <typename Stream>
asio::awaitable<error_code> write_message(Stream& stream, const std::string& header,
                                          const std::string& body) {
    if (!kIsTls<Stream> || header.size() + body.size() <= kTlsFlattenLimit) {
        const std::array<asio::const_buffer, 2> wire{asio::buffer(header), asio::buffer(body)};
        auto [ec, n] = co_await asio::async_write(stream, wire, kTuple);
        co_return ec;
    }
    auto [header_ec, header_n] = co_await asio::async_write(stream, asio::buffer(header), kTuple);
    if (header_ec || body.empty()) co_return header_ec;
    auto [body_ec, body_n] = co_await asio::async_write(stream, asio::buffer(body), kTuple);
    co_return body_ec;
}

}  // namespace

void add_security_headers(Response& res) {
    res.set(http::field::server, "budgetd");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

std::optional<std::string> origin_location(std::string_view origin, std::string_view target) {
    if (target.empty() || target.front() != '/') return std::nullopt;
    std::string location(origin);
    location += target;
    return location;
}

std::string derived_origin(const config::Endpoint& listen, std::uint16_t bound_port, bool tls) {
    std::string host = listen.host;
    error_code ec;
    const auto address = asio::ip::make_address(listen.host, ec);
    if (!ec && address.is_unspecified()) host = address.is_v6() ? "::1" : "127.0.0.1";
    if (!ec && asio::ip::make_address(host).is_v6()) host = "[" + host + "]";
    std::string origin = tls ? "https://" : "http://";
    origin += host;
    if (bound_port != (tls ? 443 : 80)) origin += ":" + std::to_string(bound_port);
    return origin;
}

std::size_t derived_max_connections(std::uint64_t descriptor_limit) {
    const std::uint64_t reserve = std::max<std::uint64_t>(64, descriptor_limit / 8);
    if (descriptor_limit <= reserve + 16) return 16;
    return static_cast<std::size_t>(std::min<std::uint64_t>(descriptor_limit - reserve, 1 << 24));
}

std::string connection_key(const asio::ip::address& address) {
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        return {bytes.begin(), bytes.end()};
    }
    const auto v6 = address.to_v6();
    if (v6.is_v4_mapped()) {
        const auto bytes = asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_bytes();
        return {bytes.begin(), bytes.end()};
    }
    const auto bytes = v6.to_bytes();
    return {bytes.begin(), bytes.begin() + 8};
}

HttpServer::HttpServer(asio::io_context& ioc, const config::ServerConfig& config,
                       const Router& router, const StaticFiles& static_files, Metrics& metrics,
                       ErrorResponder errors, std::vector<asio::io_context*> workers,
                       HttpsSettings https)
    : workers_(workers.empty() ? std::vector<asio::io_context*>{&ioc} : std::move(workers)),
      config_(config),
      router_(router),
      static_files_(static_files),
      metrics_(metrics),
      errors_(errors),
      https_(std::move(https)),
      hsts_("max-age=" + std::to_string(https_.tls.hsts_max_age.count()) + "; includeSubDomains"),
      acceptor_(asio::make_strand(ioc)),
      redirect_acceptor_(asio::make_strand(ioc)) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
    rlimit limit{};
    const std::uint64_t descriptors =
        ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
            ? limit.rlim_cur
            : std::uint64_t{1} << 20;
    max_connections_ = derived_max_connections(descriptors);
    if (config_.max_connections > 0) {
        const auto wanted = static_cast<std::size_t>(config_.max_connections);
        // Above the descriptor limit, the cap would be met by EMFILE instead: health and every
        // other client would wait behind whoever holds the descriptors.
        if (wanted > max_connections_) {
            log_event("warn", "max_connections_lowered",
                      {{"configured", config_.max_connections},
                       {"used", max_connections_},
                       {"descriptor_limit", descriptors}});
        } else {
            max_connections_ = wanted;
        }
    }
    port_ = listen_on(acceptor_, config_.listen);
    public_origin_ = config_.public_origin.empty()
                         ? derived_origin(config_.listen, port_, https_.context != nullptr)
                         : config_.public_origin;
    if (https_.context && https_.tls.redirect_listen) {
        redirect_port_ = listen_on(redirect_acceptor_, *https_.tls.redirect_listen);
        asio::co_spawn(redirect_acceptor_.get_executor(), accept_loop(redirect_acceptor_, true),
                       [](const std::exception_ptr& e) { log_failure("accept_loop_failed", e); });
    }
    asio::co_spawn(acceptor_.get_executor(), accept_loop(acceptor_, false),
                   [](const std::exception_ptr& e) { log_failure("accept_loop_failed", e); });
}

void HttpServer::shutdown() {
    stopping_ = true;
    for (auto* acceptor : {&acceptor_, &redirect_acceptor_}) {
        asio::post(acceptor->get_executor(), [acceptor] {
            error_code ec;
            acceptor->close(ec);
        });
    }
    std::lock_guard lock(sessions_mutex_);
    for (const auto& s : sessions_) {
        asio::post(s->stream.get_executor(), [s] {
            if (s->idle) s->stream.cancel();
        });
    }
}

std::size_t HttpServer::active_connections() const {
    std::lock_guard lock(sessions_mutex_);
    return sessions_.size();
}

asio::awaitable<void> HttpServer::accept_loop(tcp::acceptor& acceptor, bool redirect_only) {
    using clock = std::chrono::steady_clock;
    // Out of descriptors (EMFILE, ENFILE) and the like: wait, longer each time up to a second,
    // instead of spinning; logged once per period with the count, not at every attempt.
    constexpr auto kFirstBackoff = std::chrono::milliseconds(50);
    constexpr auto kMaxBackoff = std::chrono::milliseconds(1000);
    constexpr auto kLogPeriod = std::chrono::seconds(10);
    auto backoff = kFirstBackoff;
    std::uint64_t failures = 0;
    std::uint64_t refused = 0;
    auto failure_logged = clock::time_point{};
    auto refusal_logged = clock::time_point{};
    while (!stopping_) {
        auto& worker = *workers_[next_worker_++ % workers_.size()];
        auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(worker), kTuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || stopping_) break;
            ++failures;
            if (clock::now() - failure_logged >= kLogPeriod) {
                log_event("warn", "accept_failed",
                          {{"reason", ec.message()},
                           {"failures", failures},
                           {"connections", active_connections()}});
                failure_logged = clock::now();
                failures = 0;
            }
            asio::steady_timer t(acceptor.get_executor(), backoff);
            co_await t.async_wait(kTuple);
            backoff = std::min(backoff * 2,
                               std::chrono::duration_cast<std::chrono::milliseconds>(kMaxBackoff));
            continue;
        }
        backoff = kFirstBackoff;
        error_code remote_ec;
        const auto remote = socket.remote_endpoint(remote_ec);
        if (remote_ec) continue;  // already gone: the socket closes here
        // A trusted proxy carries many clients on its connections (their addresses are only
        // known from X-Forwarded-For, after the request is read): only the global cap holds it.
        const auto remote_ip = remote.address();
        const bool proxy = !config_.trusted_proxies.empty() &&
                           std::find(config_.trusted_proxies.begin(), config_.trusted_proxies.end(),
                                     remote_ip.to_string()) != config_.trusted_proxies.end();
        auto session =
            std::make_shared<Session>(std::move(socket), redirect_only, connection_key(remote_ip));
        bool admitted = false;
        {
            std::lock_guard lock(sessions_mutex_);
            auto& count = per_address_[session->address_key];
            admitted = sessions_.size() < max_connections_ &&
                       (proxy || count < config_.max_connections_per_address);
            if (admitted) {
                ++count;
                sessions_.insert(session);
            } else if (count == 0) {
                per_address_.erase(session->address_key);
            }
        }
        if (!admitted) {
            // Closed at once, nothing read or written: the cheapest answer, the same under TLS.
            // An RST (linger 0) frees the descriptor without a TIME_WAIT on our side.
            error_code ignored;
            auto& refused_socket = session->stream.socket();
            refused_socket.set_option(asio::socket_base::linger(true, 0), ignored);
            refused_socket.close(ignored);
            ++refused;
            if (clock::now() - refusal_logged >= kLogPeriod) {
                log_event("warn", "connections_refused",
                          {{"refused", refused},
                           {"connections", active_connections()},
                           {"max_connections", max_connections_},
                           {"max_connections_per_address", config_.max_connections_per_address}});
                refusal_logged = clock::now();
                refused = 0;
            }
            continue;
        }
        error_code ignored;
        session->stream.socket().set_option(tcp::no_delay(true), ignored);
        auto executor = session->stream.get_executor();
        asio::co_spawn(executor, run_session(session),
                       [this, session](const std::exception_ptr& e) {
                           log_failure("session_failed", e);
                           std::lock_guard lock(sessions_mutex_);
                           sessions_.erase(session);
                           const auto it = per_address_.find(session->address_key);
                           if (it != per_address_.end() && --it->second <= 0)
                               per_address_.erase(it);
                       });
    }
}

asio::awaitable<void> HttpServer::run_session(std::shared_ptr<Session> session) {
    auto& tcp_stream = session->stream;
    if (!https_.context || session->redirect_only) {
        co_await serve(*session, tcp_stream);
    } else {
        TlsStream stream(tcp_stream, *https_.context);
        // The handshake is timed like a request's first bytes: a client that stalls in it (or
        // never starts it) is cut after read_timeout instead of pinning a connection.
        tcp_stream.expires_after(config_.read_timeout);
        auto [handshake_ec] = co_await stream.async_handshake(TlsStream::server, kTuple);
        if (!handshake_ec) {
            const auto ec = co_await serve(*session, stream);
            // close_notify when we end the session; not to a client that left or broke TLS.
            if ((!ec || ec == asio::error::operation_aborted) && tcp_stream.socket().is_open()) {
                tcp_stream.expires_after(kTlsShutdownTimeout);
                co_await stream.async_shutdown(kTuple);
            }
        }
    }
    error_code ec;
    tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    tcp_stream.socket().close(ec);
}

// One instantiation per stream type, so that plain HTTP pays nothing for TLS: no virtual call
// and no branch per read or write. Returns the error that ended the session (none when it
// ended by our choice: no keep-alive, shutdown, an error answer).
template <typename Stream>
asio::awaitable<error_code> HttpServer::serve(Session& session, Stream& stream) {
    auto& tcp_stream = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    std::string header_text;  // reused: the header block of each response
    std::string client_ip;
    {
        error_code ec;
        const auto remote = tcp_stream.socket().remote_endpoint(ec);
        if (!ec) client_ip = remote.address().to_string();
    }

    // Closes after an error answer, reading what the client still sends for a moment so that
    // it receives the answer instead of a reset.
    auto close_after_error = [&](Response res) -> asio::awaitable<void> {
        add_security_headers(res);
        if constexpr (kIsTls<Stream>) res.set(http::field::strict_transport_security, hsts_);
        res.keep_alive(false);
        tcp_stream.expires_after(config_.read_timeout);
        auto [wec, wn] = co_await bhttp::async_write(stream, res, kTuple);
        if constexpr (kIsTls<Stream>) {
            if (!wec) {
                tcp_stream.expires_after(kTlsShutdownTimeout);
                co_await stream.async_shutdown(kTuple);
            }
        }
        error_code ec;
        tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        tcp_stream.expires_after(std::chrono::seconds(1));
        std::array<char, 4096> sink;
        for (int i = 0; i < 256; ++i) {
            auto [rec, n] = co_await tcp_stream.async_read_some(asio::buffer(sink), kTuple);
            if (rec) break;
        }
        tcp_stream.socket().close(ec);
    };

    // Under TLS the connection's first bytes were the handshake, already timed by read_timeout:
    // after it, the wait for a request is an ordinary keep-alive wait (a browser's preconnected
    // socket, kept unused up to 10 s by Chromium, must not be cut under it).
    bool first_request = !kIsTls<Stream>;
    while (true) {
        session.idle = true;
        if (stopping_) break;
        if (buffer.size() == 0) {
            // A new plain connection must send its first byte within read_timeout (one that
            // never sends a byte is not "idle keep-alive"); after a request, the next one must
            // start within idle_timeout. The wait holds no buffer worth the name: an idle
            // connection costs its socket and this coroutine, not 8 KiB.
            tcp_stream.expires_after(first_request ? config_.read_timeout : config_.idle_timeout);
            buffer.shrink_to_fit();
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kIdleReadBytes), kTuple);
            if (ec) co_return ec;  // closed, timed out or cancelled by shutdown
            buffer.commit(n);
        }
        session.idle = false;
        first_request = false;

        // From its first byte, the whole request must arrive within read_timeout (or its
        // route's). The header first: its route says how large the body may be and how long it
        // may take (an upload), so the body limit is applied once the header is known.
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(config_.header_limit_bytes));
        // Beast compares Content-Length with the limit while parsing the header: none yet.
        parser.body_limit(boost::none);
        tcp_stream.expires_after(config_.read_timeout);
        const auto started = std::chrono::steady_clock::now();
        std::string route = "(unparsed)";
        Router::Match match;
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
        if (!ec) {
            const auto& head = parser.get();
            std::size_t body_limit = config_.body_limit_bytes;
            if (!session.redirect_only) {
                const std::string_view target = head.target();
                match = router_.match(head.method(), target.substr(0, target.find('?')));
                if (match.kind == Router::Match::Kind::found) {
                    route = match.route;
                    const auto& options = *match.options;
                    if (options.body_limit_bytes) body_limit = *options.body_limit_bytes;
                    if (options.read_timeout) {
                        const auto elapsed = std::chrono::steady_clock::now() - started;
                        tcp_stream.expires_after(*options.read_timeout - elapsed);
                    }
                }
            }
            const auto declared = parser.content_length();
            if (declared && *declared > body_limit) {
                ec = bhttp::error::body_limit;
            } else {
                // What is left of a chunked body's allowance; a Content-Length body is whole.
                parser.body_limit(body_limit);
                if (!parser.is_done()) {
                    if (head.version() >= 11 &&
                        bhttp::token_list(head[http::field::expect]).exists("100-continue")) {
                        // The client waits for our word before sending a body we accept.
                        static constexpr std::string_view kContinue =
                            "HTTP/1.1 100 Continue\r\n\r\n";
                        auto [wec, wn] = co_await asio::async_write(
                            stream, asio::buffer(kContinue.data(), kContinue.size()), kTuple);
                        if (wec) co_return wec;
                    }
                    std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, kTuple);
                }
            }
        }
        if (ec) {
            std::optional<Response> answer;
            // A timeout has already closed the socket (TimedSocket): nothing can be answered.
            if (ec == bhttp::error::body_limit) {
                answer = errors_(TransportError::too_large, 11);
            } else if (ec == bhttp::error::header_limit) {
                answer = errors_(TransportError::headers_too_large, 11);
            } else if (ec.category() ==
                           bhttp::make_error_code(bhttp::error::bad_target).category() &&
                       ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
                // A parse error (bad method, bad header...): answer it; a close mid-request is not.
                answer = errors_(TransportError::malformed_request, 11);
            }
            if (answer) {
                const int status = static_cast<int>(answer->result_int());
                metrics_.record_request(route, "-", status,
                                        std::chrono::steady_clock::now() - started);
                log_event("info", "request",
                          {{"method", "-"},
                           {"path", route},
                           {"status", status},
                           {"reason", ec.message()}});
                co_await close_after_error(std::move(*answer));
                break;
            }
            co_return ec;
        }

        const auto& req = parser.get();
        // Not a conditional expression: GCC 12 frees its temporaries too early around co_await.
        Response res;
        if (session.redirect_only) {
            res = redirect(req, route);
        } else {
            res = co_await handle(req, client_ip, route, std::move(match));
        }
        if constexpr (kIsTls<Stream>) res.set(http::field::strict_transport_security, hsts_);
        const bool keep_alive = req.keep_alive() && !stopping_;
        res.keep_alive(keep_alive);
        const int status = static_cast<int>(res.result_int());
        const auto latency = std::chrono::steady_clock::now() - started;
        metrics_.record_request(route, req.method_string(), status, latency);
        log_request(req.method_string(), route, status,
                    std::chrono::duration<double, std::milli>(latency).count());

        tcp_stream.expires_after(config_.read_timeout);
        error_code wec;
        if (res.chunked()) {
            std::tie(wec, std::ignore) = co_await bhttp::async_write(stream, res, kTuple);
        } else {
            // The same bytes as Beast's serializer writes (see response_header.hpp).
            serialize_header(res, header_text);
            wec = co_await write_message(stream, header_text, res.body());
        }
        if (wec) co_return wec;
        if (!keep_alive) break;
    }
    co_return error_code{};
}

Response HttpServer::redirect(const Request& req, std::string& route) const {
    route = "(redirect)";
    // Never the request's Host: a redirect built on it would send residents wherever the
    // request (or a poisoned cache in front of us) says.
    const auto location = origin_location(public_origin_, req.target());
    if (!location) {
        auto res = errors_(TransportError::malformed_request, req.version());
        add_security_headers(res);
        return res;
    }
    // 308 rather than 301: a POST stays a POST (with its body) on the https:// side.
    Response res{http::status::permanent_redirect, req.version()};
    res.set(http::field::location, *location);
    res.content_length(0);
    add_security_headers(res);
    return res;
}

namespace {

// Every X-Forwarded-For line of a request, in order, as one list.
std::string forwarded_for(const Request& req) {
    std::string out;
    const auto [first, last] = req.equal_range("X-Forwarded-For");
    for (auto it = first; it != last; ++it) {
        if (!out.empty()) out += ',';
        out.append(it->value().data(), it->value().size());
    }
    return out;
}

}  // namespace

Response HttpServer::error_answer(const Request& req, std::string_view path,
                                  TransportError error) const {
    auto res = errors_(error, req.version());
    // A browser asking for a page gets the site's page for it, with the status of the error
    // table; the API, scripts and curl keep the JSON error.
    if (path.starts_with("/api/")) return res;
    res.set(http::field::vary, "Accept");
    if (!accepts_html(header_value(req, "Accept"))) return res;
    const auto* page = static_files_.error_page(error);
    if (!page) return res;
    res.set(http::field::content_type, page->content_type);
    res.body() = page->body.identity().bytes;
    res.prepare_payload();
    return res;
}

asio::awaitable<Response> HttpServer::handle(const Request& req, const std::string& client_ip,
                                             std::string& route) {
    const std::string_view target = req.target();
    auto match = router_.match(req.method(), target.substr(0, target.find('?')));
    co_return co_await handle(req, client_ip, route, std::move(match));
}

asio::awaitable<Response> HttpServer::handle(const Request& req, const std::string& client_ip,
                                             std::string& route, Router::Match match) {
    const auto version = req.version();
    const std::string_view target = req.target();
    const auto qpos = target.find('?');
    const auto path = target.substr(0, qpos);
    Response res;
    try {
        if (match.kind == Router::Match::Kind::found) {
            route = match.route;
            RequestContext ctx{
                req, std::move(match.params),
                qpos == std::string_view::npos ? std::string()
                                               : std::string(target.substr(qpos + 1)),
                config_.trusted_proxies.empty()
                    ? client_ip
                    : client_address(client_ip, forwarded_for(req), config_.trusted_proxies)};
            res = co_await (*match.handler)(ctx);
        } else if (match.kind == Router::Match::Kind::method_not_allowed) {
            route = match.route;
            res = errors_(TransportError::method_not_allowed, version);
        } else if ((req.method() == http::verb::get || req.method() == http::verb::head) &&
                   !path.starts_with("/api/")) {
            route = "(static)";
            if (const auto* file = static_files_.find(path)) {
                res = respond_with(req, file->body, file->content_type, file->cache_control);
            } else if (static_files_.is_folder(path)) {
                // "/comite" is the folder "/comite/": its relative links need the final slash.
                std::string location(path);
                location += '/';
                if (qpos != std::string_view::npos) location += target.substr(qpos);
                res = Response{http::status::permanent_redirect, version};
                res.set(http::field::location, location);
                res.content_length(0);
            } else {
                res = error_answer(req, path, TransportError::not_found);
            }
        } else {
            route = "(unknown)";
            res = error_answer(req, path, TransportError::not_found);
        }
    } catch (const std::exception& e) {
        log_event("error", "handler_failed", {{"path", route}, {"reason", e.what()}});
        res = error_answer(req, path, TransportError::internal);
    }
    res.version(version);
    // A 304 carries no Content-Length: its value would have to be the 200's length.
    if (req.method() == http::verb::head && res.result() != http::status::not_modified) {
        const auto length = res.body().size();
        res.body().clear();
        res.content_length(length);
    }
    add_security_headers(res);
    co_return res;
}

}  // namespace budget::server::http
