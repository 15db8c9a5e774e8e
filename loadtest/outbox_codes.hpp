#pragma once
// The one-time codes budgetd appends to its outbox file (JSON lines {"email","code","at"}),
// tailed while the load runs so that each virtual resident can wait for its own code.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace budget::loadtest {

class OutboxCodes {
  public:
    /// Codes already in the file when constructed are ignored: only new ones count.
    OutboxCodes(const boost::asio::any_io_executor& ex, std::string path);
    ~OutboxCodes();
    OutboxCodes(const OutboxCodes&) = delete;
    OutboxCodes& operator=(const OutboxCodes&) = delete;

    /// Tails the file until stop(); run it with co_spawn.
    boost::asio::awaitable<void> run();
    void stop();

    /// The next code sent to `email` (lower case; it must outlive the wait), or nothing after
    /// `timeout`.
    boost::asio::awaitable<std::optional<std::string>> wait_code(const std::string& email,
                                                                 std::chrono::milliseconds timeout);

    std::uint64_t lines_read() const { return lines_; }
    std::uint64_t malformed_lines() const { return malformed_; }

  private:
    void read_new();
    void take_line(std::string_view line);

    boost::asio::any_io_executor ex_;
    std::string path_;
    int fd_ = -1;
    std::uint64_t offset_ = 0;
    std::string partial_;
    std::unordered_map<std::string, std::string> codes_;  // email -> code not yet taken
    std::unordered_map<std::string, boost::asio::steady_timer*> waiters_;
    boost::asio::steady_timer poll_timer_;
    bool stopped_ = false;
    std::uint64_t lines_ = 0, malformed_ = 0;
};

}  // namespace budget::loadtest
