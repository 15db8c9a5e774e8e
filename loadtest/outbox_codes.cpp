#include "loadtest/outbox_codes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

namespace budget::loadtest {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr auto kPollEvery = std::chrono::milliseconds(2);
}  // namespace

OutboxCodes::OutboxCodes(const asio::any_io_executor& ex, std::string path)
    : ex_(ex), path_(std::move(path)), poll_timer_(ex) {
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0) offset_ = static_cast<std::uint64_t>(st.st_size);
}

OutboxCodes::~OutboxCodes() {
    if (fd_ >= 0) ::close(fd_);
}

void OutboxCodes::stop() {
    stopped_ = true;
    poll_timer_.cancel();
}

asio::awaitable<void> OutboxCodes::run() {
    while (!stopped_) {
        read_new();
        poll_timer_.expires_after(kPollEvery);
        auto [ec] = co_await poll_timer_.async_wait(use_nothrow);
        (void)ec;
    }
}

void OutboxCodes::read_new() {
    if (fd_ < 0) {
        fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) return;  // not created yet: no code sent so far
    }
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && static_cast<std::uint64_t>(st.st_size) < offset_) {
        offset_ = 0;  // truncated or replaced under us: start over
        partial_.clear();
    }
    char buf[1 << 16];
    while (true) {
        const auto n = ::pread(fd_, buf, sizeof buf, static_cast<off_t>(offset_));
        if (n <= 0) break;
        offset_ += static_cast<std::uint64_t>(n);
        partial_.append(buf, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (auto nl = partial_.find('\n'); nl != std::string::npos;
             nl = partial_.find('\n', start)) {
            take_line(std::string_view(partial_).substr(start, nl - start));
            start = nl + 1;
        }
        partial_.erase(0, start);
    }
}

void OutboxCodes::take_line(std::string_view line) {
    if (line.empty()) return;
    ++lines_;
    boost::system::error_code ec;
    const auto v = json::parse(line, ec);
    const auto* o = ec ? nullptr : v.if_object();
    const auto* email = o ? o->if_contains("email") : nullptr;
    const auto* code = o ? o->if_contains("code") : nullptr;
    if (!email || !code || !email->is_string() || !code->is_string()) {
        ++malformed_;
        return;
    }
    std::string key(email->as_string());
    codes_[key] = std::string(code->as_string());
    if (const auto w = waiters_.find(key); w != waiters_.end()) w->second->cancel();
}

asio::awaitable<std::optional<std::string>> OutboxCodes::wait_code(
    const std::string& email, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    asio::steady_timer timer(ex_);
    while (true) {
        if (const auto c = codes_.find(email); c != codes_.end()) {
            auto code = std::move(c->second);
            codes_.erase(c);
            co_return code;
        }
        if (std::chrono::steady_clock::now() >= deadline || stopped_) co_return std::nullopt;
        // Woken by take_line (cancel) as soon as the code shows up, else at the deadline.
        timer.expires_at(deadline);
        waiters_[email] = &timer;
        auto [ec] = co_await timer.async_wait(use_nothrow);
        (void)ec;
        waiters_.erase(email);
    }
}

}  // namespace budget::loadtest
