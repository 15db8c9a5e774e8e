#include "server/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "server/api_error.hpp"
#include "server/log.hpp"
#include "server/response_header.hpp"

namespace budget::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using boost::system::error_code;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct HttpServer::Session {
    explicit Session(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    bool idle = true;  // waiting for the next request: safe to close on shutdown
};

void add_security_headers(Response& res) {
    res.set(http::field::server, "budgetd");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
}

HttpServer::HttpServer(asio::io_context& ioc, const config::ServerConfig& config,
                       const Router& router, const StaticFiles& static_files, Metrics& metrics,
                       std::vector<asio::io_context*> workers)
    : ioc_(ioc),
      workers_(workers.empty() ? std::vector<asio::io_context*>{&ioc} : std::move(workers)),
      config_(config),
      router_(router),
      static_files_(static_files),
      metrics_(metrics),
      acceptor_(asio::make_strand(ioc)) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
    const auto address = asio::ip::make_address(config_.listen.host);
    const tcp::endpoint endpoint(address, config_.listen.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(acceptor_.get_executor(), accept_loop(), [](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                log_event("error", "accept_loop_failed", {{"reason", ex.what()}});
            }
        }
    });
}

void HttpServer::shutdown() {
    stopping_ = true;
    asio::post(acceptor_.get_executor(), [this] {
        error_code ec;
        acceptor_.close(ec);
    });
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

asio::awaitable<void> HttpServer::accept_loop() {
    while (!stopping_) {
        auto& worker = *workers_[next_worker_++ % workers_.size()];
        auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(worker), kTuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || stopping_) break;
            // Out of descriptors and the like: back off a little instead of spinning.
            log_event("warn", "accept_failed", {{"reason", ec.message()}});
            asio::steady_timer t(acceptor_.get_executor(), std::chrono::milliseconds(50));
            co_await t.async_wait(kTuple);
            continue;
        }
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto session = std::make_shared<Session>(std::move(socket));
        {
            std::lock_guard lock(sessions_mutex_);
            sessions_.insert(session);
        }
        auto executor = session->stream.get_executor();
        asio::co_spawn(executor, run_session(session), [this, session](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    log_event("error", "session_failed", {{"reason", ex.what()}});
                }
            }
            std::lock_guard lock(sessions_mutex_);
            sessions_.erase(session);
        });
    }
}

asio::awaitable<void> HttpServer::run_session(std::shared_ptr<Session> session) {
    auto& stream = session->stream;
    beast::flat_buffer buffer;
    std::string header_text;  // reused: the header block of each response
    std::string client_ip;
    {
        error_code ec;
        const auto remote = stream.socket().remote_endpoint(ec);
        if (!ec) client_ip = remote.address().to_string();
    }

    // Closes after an error answer, reading what the client still sends for a moment so that
    // it receives the answer instead of a reset.
    auto close_after_error = [&](Response res) -> asio::awaitable<void> {
        add_security_headers(res);
        res.keep_alive(false);
        stream.expires_after(config_.read_timeout);
        co_await http::async_write(stream, res, kTuple);
        error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream.expires_after(std::chrono::seconds(1));
        std::array<char, 4096> sink;
        for (int i = 0; i < 256; ++i) {
            auto [rec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
            if (rec) break;
        }
        stream.socket().close(ec);
    };

    while (true) {
        session->idle = true;
        if (stopping_) break;
        if (buffer.size() == 0) {
            // Idle keep-alive wait: the next request must start within idle_timeout.
            stream.expires_after(config_.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(8192), kTuple);
            if (ec) break;  // closed, timed out or cancelled by shutdown
            buffer.commit(n);
        }
        session->idle = false;

        // From its first byte, the whole request must arrive within read_timeout.
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(config_.header_limit_bytes));
        parser.body_limit(config_.body_limit_bytes);
        stream.expires_after(config_.read_timeout);
        const auto started = std::chrono::steady_clock::now();
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
        if (ec) {
            std::string route = "(unparsed)";
            std::optional<Response> answer;
            // A timeout has already closed the socket (Beast does so): nothing can be answered.
            if (ec == http::error::body_limit) {
                answer = error_response(ApiError::too_large);
            } else if (ec == http::error::header_limit) {
                answer = error_response(ApiError::headers_too_large);
            } else if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
                       ec != http::error::end_of_stream && ec != http::error::partial_message) {
                // A parse error (bad method, bad header...): answer it; a close mid-request is not.
                answer = error_response(ApiError::malformed_request);
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
            }
            break;
        }

        const auto& req = parser.get();
        std::string route;
        Response res = co_await handle(req, client_ip, route);
        const bool keep_alive = req.keep_alive() && !stopping_;
        res.keep_alive(keep_alive);
        const int status = static_cast<int>(res.result_int());
        const auto latency = std::chrono::steady_clock::now() - started;
        metrics_.record_request(route, std::string(req.method_string()), status, latency);
        log_request(req.method_string(), route, status,
                    std::chrono::duration<double, std::milli>(latency).count());

        stream.expires_after(config_.read_timeout);
        error_code wec;
        if (res.chunked()) {
            std::tie(wec, std::ignore) = co_await http::async_write(stream, res, kTuple);
        } else {
            // The same bytes in one gather write, without Beast's serializer (see
            // response_header.hpp).
            serialize_header(res, header_text);
            const std::array<asio::const_buffer, 2> wire{asio::buffer(header_text),
                                                         asio::buffer(res.body())};
            std::tie(wec, std::ignore) = co_await asio::async_write(stream, wire, kTuple);
        }
        if (wec || !keep_alive) break;
    }
    error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.socket().close(ec);
}

asio::awaitable<Response> HttpServer::handle(const Request& req, const std::string& client_ip,
                                             std::string& route) {
    const auto version = req.version();
    const std::string_view target = req.target();
    const auto qpos = target.find('?');
    const auto path = target.substr(0, qpos);
    Response res;
    try {
        auto match = router_.match(req.method(), path);
        if (match.kind == Router::Match::Kind::found) {
            route = match.route;
            RequestContext ctx{req, std::move(match.params),
                               qpos == std::string_view::npos
                                   ? std::string()
                                   : std::string(target.substr(qpos + 1)),
                               client_ip};
            res = co_await (*match.handler)(ctx);
        } else if (match.kind == Router::Match::Kind::method_not_allowed) {
            route = match.route;
            res = error_response(ApiError::method_not_allowed, version);
        } else if ((req.method() == http::verb::get || req.method() == http::verb::head) &&
                   !path.starts_with("/api/")) {
            route = "(static)";
            if (const auto* file = static_files_.find(path)) {
                if (req[http::field::if_none_match] == file->etag) {
                    res = Response{http::status::not_modified, version};
                } else {
                    res =
                        text_response(http::status::ok, file->content, file->content_type, version);
                }
                res.set(http::field::etag, file->etag);
                res.set(http::field::cache_control, "no-cache");
            } else {
                res = error_response(ApiError::not_found, version);
            }
        } else {
            route = "(unknown)";
            res = error_response(ApiError::not_found, version);
        }
    } catch (const std::exception& e) {
        log_event("error", "handler_failed", {{"path", route}, {"reason", e.what()}});
        res = error_response(ApiError::internal, version);
    }
    res.version(version);
    if (req.method() == http::verb::head) {
        const auto length = res.body().size();
        res.body().clear();
        res.content_length(length);
    }
    add_security_headers(res);
    co_return res;
}

}  // namespace budget::server
