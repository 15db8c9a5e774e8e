#include "server/api/otp_delivery.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include "server/core/blocking.hpp"
#include "server/core/log.hpp"
#include "server/core/signing.hpp"

namespace budget::server::api {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string otp_message_body(const std::string& code, int valid_minutes) {
    return "Bonjour,\r\n\r\nVotre code de vérification pour le Budget citoyen du Pas-de-Calais est"
           "\u00a0: " +
           code + "\r\n\r\nIl est valable " + std::to_string(valid_minutes) +
           " minutes. Si vous n’avez rien demandé, ignorez ce message.\r\n";
}

std::string mime_header_text(std::string_view text) {
    const bool ascii = std::all_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u < 0x7f;
    });
    if (ascii) return std::string(text);
    // 45 bytes of UTF-8 give 60 characters of base64: with "=?UTF-8?B?" and "?=", 72 < 75.
    constexpr std::size_t kChunk = 45;
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = std::min(text.size(), start + kChunk);
        // Never cut a code point: back up to the start of the one that would be split.
        while (end < text.size() && end > start &&
               (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" +
               base64_encode(reinterpret_cast<const unsigned char*>(text.data() + start),
                             end - start) +
               "?=";
        start = end;
    }
    return out;
}

std::string smtp_data_text(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 16);
    bool line_start = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            out += "\r\n";
            line_start = true;
            continue;
        }
        if (line_start && c == '.') out += '.';
        out += c;
        line_start = false;
    }
    if (!line_start) out += "\r\n";
    return out;
}

namespace {

class OutboxDelivery : public OtpDelivery {
  public:
    OutboxDelivery(std::string path, asio::thread_pool& pool)
        : path_(std::move(path)), pool_(pool) {}

    asio::awaitable<bool> send(const std::string& email, const std::string& code) override {
        boost::json::object line{{"email", email}, {"code", code}, {"at", now_rfc3339()}};
        co_return co_await append(boost::json::serialize(line) + "\n");
    }

    asio::awaitable<bool> send_notice(const std::string& email, const std::string& subject,
                                      const std::string& text) override {
        boost::json::object line{
            {"email", email}, {"subject", subject}, {"text", text}, {"at", now_rfc3339()}};
        co_return co_await append(boost::json::serialize(line) + "\n");
    }

  private:
    asio::awaitable<bool> append(std::string text) {
        auto write_line = [path = path_, text = std::move(text)] {
            // One write(2) with O_APPEND: concurrent lines never interleave.
            const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
            if (fd < 0) return false;
            const bool ok =
                ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
            ::close(fd);
            return ok;
        };
        const bool ok = co_await run_blocking(pool_, std::move(write_line));
        co_return ok;
    }

    std::string path_;
    asio::thread_pool& pool_;
};

class SmtpDelivery : public OtpDelivery {
  public:
    explicit SmtpDelivery(const config::OtpConfig& c)
        : host_(c.smtp_host),
          port_(c.smtp_port),
          from_(c.smtp_from),
          valid_minutes_(static_cast<int>(c.code_ttl.count() / 60)) {}

    asio::awaitable<bool> send(const std::string& email, const std::string& code) override {
        const std::string subject = "Votre code de vérification";
        const std::string body = otp_message_body(code, valid_minutes_);
        co_return co_await deliver(email, subject, body);
    }

    asio::awaitable<bool> send_notice(const std::string& email, const std::string& subject,
                                      const std::string& text) override {
        co_return co_await deliver(email, subject, text);
    }

  private:
    asio::awaitable<bool> deliver(const std::string& email, const std::string& subject,
                                  const std::string& text) {
        using namespace asio::experimental::awaitable_operators;
        auto ex = co_await asio::this_coro::executor;
        asio::steady_timer deadline(ex, std::chrono::seconds(10));
        tcp::socket socket(ex);
        auto result = co_await (dialogue(socket, email, subject, text) ||
                                deadline.async_wait(asio::use_awaitable));
        if (result.index() == 1) {
            log_event("warn", "smtp_timeout", {{"relay", host_}});
            co_return false;
        }
        co_return std::get<0>(result);
    }

    asio::awaitable<bool> dialogue(tcp::socket& socket, const std::string& email,
                                   const std::string& subject, const std::string& text) {
        constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(host_, ec);
        if (ec) co_return false;
        auto [cec] = co_await socket.async_connect(tcp::endpoint(address, port_), tuple);
        if (cec) {
            log_event("warn", "smtp_unreachable", {{"relay", host_}, {"reason", cec.message()}});
            co_return false;
        }
        std::string buffer;
        // Reads one (possibly multi-line) reply and checks its status class.
        auto expect = [&](char klass) -> asio::awaitable<bool> {
            while (true) {
                auto [rec, n] = co_await asio::async_read_until(
                    socket, asio::dynamic_buffer(buffer), "\r\n", tuple);
                if (rec) co_return false;
                const std::string line = buffer.substr(0, n);
                buffer.erase(0, n);
                if (line.size() < 4) co_return false;
                if (line[3] == '-') continue;  // continuation of a multi-line reply
                co_return line[0] == klass;
            }
        };
        auto say = [&](std::string command) -> asio::awaitable<bool> {
            auto [wec, n] = co_await asio::async_write(socket, asio::buffer(command), tuple);
            co_return !wec;
        };
        // The address was checked by the caller: it holds no CR, LF or angle brackets.
        const std::string message =
            "From: Budget citoyen <" + from_ + ">\r\nTo: <" + email +
            ">\r\nSubject: " + mime_header_text(subject) +
            "\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
            smtp_data_text(text) + ".\r\n";
        const bool ok = co_await expect('2') && co_await say("EHLO budget-citoyen\r\n") &&
                        co_await expect('2') && co_await say("MAIL FROM:<" + from_ + ">\r\n") &&
                        co_await expect('2') && co_await say("RCPT TO:<" + email + ">\r\n") &&
                        co_await expect('2') && co_await say("DATA\r\n") && co_await expect('3') &&
                        co_await say(message) && co_await expect('2');
        co_await say("QUIT\r\n");
        if (!ok) log_event("warn", "smtp_refused", {{"relay", host_}});
        co_return ok;
    }

    std::string host_;
    std::uint16_t port_;
    std::string from_;
    int valid_minutes_;
};

}  // namespace

std::unique_ptr<OtpDelivery> make_outbox_delivery(std::string path, asio::thread_pool& pool) {
    return std::make_unique<OutboxDelivery>(std::move(path), pool);
}

std::unique_ptr<OtpDelivery> make_smtp_delivery(const config::OtpConfig& config) {
    return std::make_unique<SmtpDelivery>(config);
}

std::unique_ptr<OtpDelivery> make_delivery(const config::OtpConfig& config,
                                           asio::thread_pool& pool) {
    if (config.delivery == "smtp") return make_smtp_delivery(config);
    return make_outbox_delivery(config.outbox, pool);
}

}  // namespace budget::server::api
