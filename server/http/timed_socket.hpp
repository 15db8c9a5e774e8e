#pragma once
// A TCP socket with one deadline, for the server's connections (plain, or under TLS by reference).
//
// Beast's tcp_stream arms a timer around every read and write and cancels it after: on the
// ballot path that was two timer insertions and removals per request in the reactor's queue. Here
// expires_after() only moves a deadline (a clock read and a store), and one timer per connection,
// sleeping until the deadline it last saw, wakes about once per timeout period: if the deadline
// moved on, it sleeps again; if not, it closes the socket, as tcp_stream does, and the pending
// read or write ends with an error. The timer runs on the socket's executor (the connection's
// strand), so it never races the connection's own operations.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <utility>

namespace budget::server::http {

class TimedSocket {
  public:
    using executor_type = boost::asio::ip::tcp::socket::executor_type;
    using lowest_layer_type = boost::asio::ip::tcp::socket;  // for asio::ssl::stream

    explicit TimedSocket(boost::asio::ip::tcp::socket socket)
        : watch_(std::make_shared<Watch>(socket.get_executor())), socket_(std::move(socket)) {
        watch_->socket = &socket_;
    }
    // A wait still pending finds no socket and returns; the timer goes with the last reference.
    ~TimedSocket() {
        watch_->socket = nullptr;
        watch_->timer.cancel();
    }
    TimedSocket(const TimedSocket&) = delete;
    TimedSocket& operator=(const TimedSocket&) = delete;

    executor_type get_executor() noexcept { return socket_.get_executor(); }
    boost::asio::ip::tcp::socket& socket() noexcept { return socket_; }
    lowest_layer_type& lowest_layer() noexcept { return socket_; }

    /// From now on, the connection is closed if `timeout` passes before the next call.
    void expires_after(std::chrono::steady_clock::duration timeout) {
        watch_->deadline = std::chrono::steady_clock::now() + timeout;
        if (!watch_->waiting) sleep_until_deadline(watch_);
    }

    /// Ends the pending read or write with operation_aborted (the shutdown of an idle connection).
    void cancel() {
        boost::system::error_code ignored;
        socket_.cancel(ignored);
    }

    template <typename MutableBufferSequence, typename Token>
    auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
        return socket_.async_read_some(buffers, std::forward<Token>(token));
    }

    template <typename ConstBufferSequence, typename Token>
    auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
        return socket_.async_write_some(buffers, std::forward<Token>(token));
    }

  private:
    struct Watch {
        explicit Watch(const executor_type& ex) : timer(ex) {}
        boost::asio::ip::tcp::socket* socket = nullptr;  ///< null once the connection is gone
        boost::asio::steady_timer timer;
        std::chrono::steady_clock::time_point deadline =
            std::chrono::steady_clock::time_point::max();
        bool waiting = false;
    };

    static void sleep_until_deadline(const std::shared_ptr<Watch>& watch) {
        watch->waiting = true;
        watch->timer.expires_at(watch->deadline);
        watch->timer.async_wait([watch](boost::system::error_code) {
            watch->waiting = false;
            if (!watch->socket) return;
            if (std::chrono::steady_clock::now() < watch->deadline) {
                sleep_until_deadline(watch);  // the deadline moved on since this wait began
                return;
            }
            boost::system::error_code ignored;
            watch->socket->close(ignored);
        });
    }

    std::shared_ptr<Watch> watch_;
    boost::asio::ip::tcp::socket socket_;
};

}  // namespace budget::server::http
