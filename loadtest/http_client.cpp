#include "loadtest/http_client.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/verb.hpp>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace budget::loadtest {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kMaxBody = 16 * 1024 * 1024;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x | 0x20) == (y | 0x20);
           });
}

std::string_view trim(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

bool contains_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        if (iequals(trim(list.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}
}  // namespace

std::optional<AnswerHead> parse_answer_head(std::string_view head) {
    AnswerHead out;
    auto eol = head.find("\r\n");
    const auto status_line = head.substr(0, eol);
    // "HTTP/1.1 201 Created": the version, a space, three digits, then a space or the end.
    if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." ||
        (status_line[7] != '0' && status_line[7] != '1') || status_line[8] != ' ')
        return std::nullopt;
    const auto code = status_line.substr(9, 3);
    if (std::from_chars(code.data(), code.data() + 3, out.status).ptr != code.data() + 3 ||
        out.status < 100 || out.status > 599 || (status_line.size() > 12 && status_line[12] != ' '))
        return std::nullopt;
    out.keep_alive = status_line[7] == '1';
    std::string_view rest =
        eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
    while (!rest.empty()) {
        eol = rest.find("\r\n");
        const auto line = rest.substr(0, eol);
        rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 2);
        if (line.empty()) continue;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return std::nullopt;
        const auto name = line.substr(0, colon);
        const auto value = trim(line.substr(colon + 1));
        if (iequals(name, "content-length")) {
            std::size_t length = 0;
            const auto* end = value.data() + value.size();
            if (value.empty() || std::from_chars(value.data(), end, length).ptr != end)
                return std::nullopt;
            if (out.content_length && *out.content_length != length) return std::nullopt;
            out.content_length = length;
        } else if (iequals(name, "transfer-encoding")) {
            out.chunked = contains_token(value, "chunked");
        } else if (iequals(name, "connection")) {
            if (contains_token(value, "close")) out.keep_alive = false;
            if (contains_token(value, "keep-alive")) out.keep_alive = true;
        }
    }
    return out;
}

Target resolve_target(const std::string& url) {
    std::string_view rest(url);
    constexpr std::string_view kScheme = "http://";
    if (rest.substr(0, kScheme.size()) != kScheme)
        throw std::runtime_error("url must be http://host:port: " + url);
    rest.remove_prefix(kScheme.size());
    if (const auto slash = rest.find('/'); slash != std::string_view::npos)
        rest = rest.substr(0, slash);
    const auto colon = rest.rfind(':');
    const std::string host(rest.substr(0, colon));
    const std::string port(colon == std::string_view::npos ? "80" : rest.substr(colon + 1));
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    boost::system::error_code ec;
    const auto results = resolver.resolve(host, port, ec);
    if (ec || results.empty())
        throw std::runtime_error("cannot resolve " + url + ": " + ec.message());
    return Target{results.begin()->endpoint(), std::string(rest)};
}

HttpConnection::HttpConnection(asio::any_io_executor ex, const Target& target,
                               std::chrono::milliseconds timeout)
    : target_(target),
      timeout_(timeout),
      socket_(ex),
      watchdog_(std::move(ex)),
      watch_(std::make_shared<Watch>()) {
    watch_->socket = &socket_;
}

// The watchdog's wait ends with operation_aborted when its timer goes; a wait that had already
// fired finds no socket. Either way it no longer touches this connection.
HttpConnection::~HttpConnection() { watch_->socket = nullptr; }

void HttpConnection::arm(Clock::time_point now) {
    watch_->deadline = now + timeout_;
    watch_->expired = false;
    start_watchdog();
}

void HttpConnection::start_watchdog() {
    if (watching_) return;
    watching_ = true;
    const auto period = std::clamp<std::chrono::milliseconds>(
        timeout_ / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(500));
    watchdog_.expires_after(period);
    watchdog_.async_wait([this, watch = watch_](boost::system::error_code ec) {
        if (ec || !watch->socket) return;
        watching_ = false;
        if (watch->deadline == Clock::time_point::max()) return;  // idle: wait no more
        if (Clock::now() >= watch->deadline) {
            watch->expired = true;
            boost::system::error_code ignored;
            watch->socket->cancel(ignored);
        }
        start_watchdog();
    });
}

void HttpConnection::close() {
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    buffer_.clear();
    consumed_ = 0;
    open_ = false;
    disarm();
}

asio::awaitable<bool> HttpConnection::connect() {
    if (open_) co_return true;
    const auto start = Clock::now();
    arm(start);
    auto [ec] = co_await socket_.async_connect(target_.endpoint, use_nothrow);
    if (observer_) observer_(start, !ec);
    if (ec) {
        close();
        co_return false;
    }
    disarm();
    boost::system::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    open_ = true;
    co_return true;
}

asio::awaitable<bool> HttpConnection::read_more(std::string& error) {
    // Consumed bytes are dropped before the buffer grows: it stays about one answer long.
    if (consumed_ > 0 && (consumed_ == buffer_.size() || buffer_.size() - consumed_ < kReadChunk)) {
        buffer_.erase(0, consumed_);
        consumed_ = 0;
    }
    const auto filled = buffer_.size();
    buffer_.resize(filled + kReadChunk);
    auto [ec, n] = co_await socket_.async_read_some(
        asio::buffer(buffer_.data() + filled, kReadChunk), use_nothrow);
    buffer_.resize(filled + n);
    if (ec) {
        error = watch_->expired          ? "read: timeout"
                : ec == asio::error::eof ? "read: end of stream"
                                         : "read: " + ec.message();
        co_return false;
    }
    co_return true;
}

asio::awaitable<bool> HttpConnection::read_answer(HttpAnswer& answer, bool& keep_alive) {
    std::size_t head_end = std::string::npos;
    std::size_t searched = consumed_;
    while ((head_end = buffer_.find("\r\n\r\n", searched)) == std::string::npos) {
        if (buffer_.size() - consumed_ > kMaxHead) {
            answer.error = "read: header too large";
            co_return false;
        }
        const auto kept = buffer_.size() - consumed_;
        if (!co_await read_more(answer.error)) co_return false;
        searched = consumed_ + (kept > 3 ? kept - 3 : 0);
    }
    const auto head =
        parse_answer_head(std::string_view(buffer_).substr(consumed_, head_end + 2 - consumed_));
    if (!head) {
        answer.error = "read: malformed answer";
        co_return false;
    }
    keep_alive = head->keep_alive;
    std::size_t at = head_end + 4;  // absolute offset; becomes relative after a read_more
    const auto need = [&](std::size_t bytes) -> asio::awaitable<bool> {
        while (buffer_.size() - at < bytes) {
            const auto offset = at - consumed_;
            if (!co_await read_more(answer.error)) co_return false;
            at = consumed_ + offset;
        }
        co_return true;
    };
    answer.body.clear();
    if (head->status < 200 || head->status == 204 || head->status == 304) {
        // No body.
    } else if (head->chunked) {
        for (;;) {
            std::size_t eol;
            while ((eol = buffer_.find("\r\n", at)) == std::string::npos) {
                if (!co_await need(buffer_.size() - at + 1)) co_return false;
            }
            std::size_t size = 0;
            const auto* first = buffer_.data() + at;
            const auto parsed = std::from_chars(first, buffer_.data() + eol, size, 16);
            if (parsed.ptr == first || answer.body.size() + size > kMaxBody) {
                answer.error = "read: malformed chunk";
                co_return false;
            }
            at = eol + 2;
            if (size == 0) {
                // Trailers, then the blank line.
                for (;;) {
                    while ((eol = buffer_.find("\r\n", at)) == std::string::npos) {
                        if (!co_await need(buffer_.size() - at + 1)) co_return false;
                    }
                    const bool blank = eol == at;
                    at = eol + 2;
                    if (blank) break;
                }
                break;
            }
            if (!co_await need(size + 2)) co_return false;
            answer.body.append(buffer_, at, size);
            at += size + 2;
        }
    } else if (head->content_length) {
        if (*head->content_length > kMaxBody) {
            answer.error = "read: body too large";
            co_return false;
        }
        if (!co_await need(*head->content_length)) co_return false;
        answer.body.assign(buffer_, at, *head->content_length);
        at += *head->content_length;
    } else {
        // Neither length nor chunks: the body ends with the connection.
        keep_alive = false;
        for (;;) {
            std::string ignored;
            const auto offset = at - consumed_;
            if (!co_await read_more(ignored)) break;
            at = consumed_ + offset;
            if (buffer_.size() - at > kMaxBody) break;
        }
        answer.body.assign(buffer_, at);
        at = buffer_.size();
    }
    answer.status = head->status;
    consumed_ = at;
    if (consumed_ == buffer_.size()) {
        buffer_.clear();
        consumed_ = 0;
    }
    co_return true;
}

asio::awaitable<HttpAnswer> HttpConnection::send(const HttpCall& call) {
    HttpAnswer answer;
    if (!open_) {
        const bool connected = co_await connect();
        if (!connected) {
            answer.error = "connect failed";
            co_return answer;
        }
        answer.sent_at = Clock::now();
    }
    request_.clear();
    const auto method = http::to_string(call.method);
    request_.append(method.data(), method.size()).append(" ").append(call.target);
    request_.append(" HTTP/1.1\r\nHost: ").append(target_.host);
    request_.append("\r\nUser-Agent: budget-loadtest\r\n");
    if (!call.bearer.empty())
        request_.append("Authorization: Bearer ").append(call.bearer).append("\r\n");
    if (!call.idempotency_key.empty())
        request_.append("Idempotency-Key: ").append(call.idempotency_key).append("\r\n");
    if (!call.body.empty() || call.method == http::verb::post) {
        char length[24];
        const auto end = std::to_chars(length, length + sizeof length, call.body.size()).ptr;
        request_.append("Content-Type: application/json\r\nContent-Length: ")
            .append(length, end)
            .append("\r\n");
    }
    request_.append("\r\n").append(call.body);

    arm(answer.sent_at);
    auto [wec, written] = co_await asio::async_write(socket_, asio::buffer(request_), use_nothrow);
    if (wec) {
        answer.error = watch_->expired ? "write: timeout" : "write: " + wec.message();
        close();
        co_return answer;
    }
    bool keep_alive = true;
    if (!co_await read_answer(answer, keep_alive)) {
        answer.status = 0;
        close();
        co_return answer;
    }
    disarm();
    if (!keep_alive) close();
    co_return answer;
}

}  // namespace budget::loadtest
