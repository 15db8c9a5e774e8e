#include "server/http/http_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <stdexcept>

namespace budget::server::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Result = boost::system::result<HttpReply, FetchError>;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kHeaderLimit = 16 * 1024;

FetchError classify(const boost::system::error_code& ec) {
    if (ec == beast::error::timeout) return FetchError::timeout;
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit)
        return FetchError::too_large;
    if (ec.category() == asio::error::get_ssl_category() ||
        ec == asio::ssl::error::stream_truncated)
        return FetchError::tls;
    return FetchError::protocol;
}

/// The resolver and the timer that cancels it at the deadline: shared with the timer's handler,
/// which may run after the coroutine has moved on.
struct Resolution {
    explicit Resolution(const asio::any_io_executor& ex) : resolver(ex), timer(ex) {}
    tcp::resolver resolver;
    asio::steady_timer timer;
    bool timed_out = false;
};

template <typename Stream>
asio::awaitable<Result> exchange(Stream& stream, bhttp::request<bhttp::string_body>& req,
                                 std::size_t max_body) {
    auto [wec, written] = co_await bhttp::async_write(stream, req, kTuple);
    if (wec) co_return classify(wec);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_body);
    parser.header_limit(kHeaderLimit);
    auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    if (rec) co_return classify(rec);
    auto res = parser.release();
    HttpReply reply;
    reply.status = res.result_int();
    reply.content_type = std::string(res[bhttp::field::content_type]);
    reply.body = std::move(res.body());
    co_return reply;
}

}  // namespace

std::optional<Url> parse_url(std::string_view text) {
    Url url;
    if (text.starts_with("https://")) {
        url.tls = true;
        text.remove_prefix(8);
    } else if (text.starts_with("http://")) {
        text.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    if (text.find('#') != std::string_view::npos) return std::nullopt;
    const auto path_at = text.find_first_of("/?");
    auto authority = text.substr(0, path_at);
    url.target = path_at == std::string_view::npos ? "/" : std::string(text.substr(path_at));
    if (url.target.front() == '?') url.target.insert(0, "/");
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
    std::string_view port;
    if (authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        url.host = std::string(authority.substr(1, close - 1));
        const auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
        }
    } else {
        const auto colon = authority.rfind(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (url.host.empty()) return std::nullopt;
    if (!port.empty()) {
        if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        const auto number = std::stoi(std::string(port));
        if (number < 1 || number > 65535) return std::nullopt;
        url.port = std::string(port);
    } else {
        url.port = url.tls ? "443" : "80";
    }
    return url;
}

bool is_loopback_host(std::string_view host) {
    if (host == "localhost") return true;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(std::string(host), ec);
    return !ec && address.is_loopback();
}

std::string_view to_string(FetchError error) {
    switch (error) {
        case FetchError::bad_url:
            return "bad_url";
        case FetchError::plain_http:
            return "plain_http";
        case FetchError::unreachable:
            return "unreachable";
        case FetchError::timeout:
            return "timeout";
        case FetchError::tls:
            return "tls";
        case FetchError::too_large:
            return "too_large";
        case FetchError::protocol:
            return "protocol";
    }
    return "unknown";
}

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)), tls_(asio::ssl::context::tls_client) {
    tls_.set_default_verify_paths();
    if (!options_.extra_ca_file.empty()) {
        boost::system::error_code ec;
        tls_.load_verify_file(options_.extra_ca_file, ec);
        if (ec)
            throw std::runtime_error("cannot read the CA file " + options_.extra_ca_file + ": " +
                                     ec.message());
    }
    tls_.set_verify_mode(asio::ssl::verify_peer);
    SSL_CTX_set_min_proto_version(tls_.native_handle(), TLS1_2_VERSION);
}

asio::awaitable<Result> HttpClient::get(std::string url, Headers headers) {
    std::string no_body;
    co_return co_await request(false, std::move(url), std::move(no_body), std::move(headers));
}

asio::awaitable<Result> HttpClient::post_form(std::string url, std::string body, Headers headers) {
    co_return co_await request(true, std::move(url), std::move(body), std::move(headers));
}

asio::awaitable<Result> HttpClient::request(bool post, std::string url_text, std::string body,
                                            Headers headers) {
    const auto url = parse_url(url_text);
    if (!url) co_return FetchError::bad_url;
    if (!url->tls && !is_loopback_host(url->host)) co_return FetchError::plain_http;
    const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    const auto ex = co_await asio::this_coro::executor;

    // Asio resolves names on a thread of its own; the timer gives up on it at the deadline.
    auto resolution = std::make_shared<Resolution>(ex);
    resolution->timer.expires_at(deadline);
    resolution->timer.async_wait([resolution](boost::system::error_code ec) {
        if (ec) return;
        resolution->timed_out = true;
        resolution->resolver.cancel();
    });
    auto [rec, endpoints] =
        co_await resolution->resolver.async_resolve(url->host, url->port, kTuple);
    resolution->timer.cancel();
    if (resolution->timed_out) co_return FetchError::timeout;
    if (rec || endpoints.empty()) co_return FetchError::unreachable;
    if (!url->tls) {
        // "localhost" must not lead anywhere else in plain text.
        for (const auto& e : endpoints)
            if (!e.endpoint().address().is_loopback()) co_return FetchError::plain_http;
    }

    bhttp::request<bhttp::string_body> req{post ? bhttp::verb::post : bhttp::verb::get, url->target,
                                           11};
    const bool default_port = url->port == (url->tls ? "443" : "80");
    const auto host = url->host.find(':') != std::string::npos ? "[" + url->host + "]" : url->host;
    req.set(bhttp::field::host, default_port ? host : host + ":" + url->port);
    req.set(bhttp::field::user_agent, "budget-citoyen");
    req.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : headers) req.set(name, value);
    if (post) {
        req.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
        req.body() = std::move(body);
    }
    req.prepare_payload();

    if (!url->tls) {
        beast::tcp_stream stream(ex);
        stream.expires_at(deadline);
        auto [cec, connected] = co_await stream.async_connect(endpoints, kTuple);
        if (cec)
            co_return cec == beast::error::timeout ? FetchError::timeout : FetchError::unreachable;
        co_return co_await exchange(stream, req, options_.max_body);
    }

    beast::ssl_stream<beast::tcp_stream> stream(ex, tls_);
    // SNI, and the certificate must name the host (RFC 6125), not merely chain to a CA.
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str()))
        co_return FetchError::tls;
    stream.set_verify_callback(asio::ssl::host_name_verification(url->host));
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto [cec, connected] =
        co_await beast::get_lowest_layer(stream).async_connect(endpoints, kTuple);
    if (cec) co_return cec == beast::error::timeout ? FetchError::timeout : FetchError::unreachable;
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kTuple);
    if (hec) co_return hec == beast::error::timeout ? FetchError::timeout : FetchError::tls;
    co_return co_await exchange(stream, req, options_.max_body);
}

void throw_exception_from_error(FetchError error, const boost::source_location&) {
    throw std::logic_error("http client: value() on an error: " + std::string(to_string(error)));
}

}  // namespace budget::server::http
