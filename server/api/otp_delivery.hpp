#pragma once
// How a one-time code reaches a resident: appended to an outbox file (development and tests) or
// sent by SMTP to the configured relay. Neither blocks an I/O thread.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>

#include "config/config.hpp"

namespace budget::server::api {

class OtpDelivery {
  public:
    virtual ~OtpDelivery() = default;
    /// Delivers the code; false when it could not be handed over (the caller answers 503).
    virtual boost::asio::awaitable<bool> send(const std::string& email,
                                              const std::string& code) = 0;
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

}  // namespace budget::server::api
