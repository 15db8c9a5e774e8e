#pragma once
// How a one-time code reaches a resident or a holder, and how a holder hears of each status of
// their application: appended to an outbox file (development and tests) or sent by SMTP to the
// configured relay. Neither blocks an I/O thread.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace budget::server::api {

class OtpDelivery {
  public:
    virtual ~OtpDelivery() = default;
    /// Delivers the code; false when it could not be handed over (the caller answers 503).
    virtual boost::asio::awaitable<bool> send(const std::string& email,
                                              const std::string& code) = 0;
    /// Delivers a notice (plain text, UTF-8); false when it could not be handed over. In the
    /// outbox: `{"email","subject","text","at"}`, a line without "code".
    virtual boost::asio::awaitable<bool> send_notice(const std::string& email,
                                                     const std::string& subject,
                                                     const std::string& text) = 0;
};

/// Appends `{"email","code","at"}` lines to a file, on the blocking pool.
std::unique_ptr<OtpDelivery> make_outbox_delivery(std::string path, boost::asio::thread_pool& pool);

/// Speaks SMTP (EHLO, MAIL, RCPT, DATA) to a relay over Asio, with a timeout.
std::unique_ptr<OtpDelivery> make_smtp_delivery(const config::OtpConfig& config);

/// The delivery the configuration asks for.
std::unique_ptr<OtpDelivery> make_delivery(const config::OtpConfig& config,
                                           boost::asio::thread_pool& pool);

/// The French text of the message that carries a code.
std::string otp_message_body(const std::string& code, int valid_minutes);

/// A header value as RFC 2047 asks when it is not plain ASCII: "=?UTF-8?B?<base64>?=" words of
/// at most 75 characters, split between code points; ASCII text unchanged.
std::string mime_header_text(std::string_view text);

/// A text as SMTP's DATA carries it: every line ending CRLF (a lone LF or CR becomes CRLF) and a
/// line starting with "." doubled (RFC 5321 4.5.2), so that no text can end the message early.
std::string smtp_data_text(std::string_view text);

}  // namespace budget::server::api
