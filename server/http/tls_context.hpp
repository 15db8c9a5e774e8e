#pragma once
// The TLS settings of budgetd's HTTPS listener, in one place: protocol versions, ciphers,
// certificate and key. Everything a scanner such as testssl.sh judges is decided here.

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "config/config.hpp"

namespace budget::server::http {

/// A server context: TLS 1.2 minimum (1.3 preferred), ECDHE with AEAD ciphers only for TLS 1.2,
/// server cipher preference, no compression, no renegotiation, session tickets on; the
/// certificate chain and key of `tls`. Throws std::runtime_error with a one-line reason naming
/// the file when the certificate or key is missing, unreadable, malformed or not a pair.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(const config::TlsConfig& tls);

}  // namespace budget::server::http
