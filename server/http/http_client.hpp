#pragma once
// The engine's one outgoing HTTP client (OpenID Connect: discovery, keys, token, userinfo).
// Beast over Asio coroutines on the caller's executor: nothing blocks an I/O thread, name
// resolution included. HTTPS verifies the peer against the system's CAs (and an extra CA file
// when one is given, for tests and private CAs) and its host name; plain http:// is refused
// unless the host is a loopback address (the tests' provider). Every call has one total
// deadline, from resolution to the last body byte, and the answer's size is capped.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace budget::server::http {

/// An absolute http(s) URL, split the way a request needs it.
struct Url {
    bool tls = false;
    std::string host;    ///< without brackets for IPv6
    std::string port;    ///< explicit or the scheme's
    std::string target;  ///< path and query, "/" at least
};
/// std::nullopt unless `text` is http:// or https:// with a host, no user info, no fragment.
std::optional<Url> parse_url(std::string_view text);
/// "localhost", 127.0.0.0/8 or ::1.
bool is_loopback_host(std::string_view host);

enum class FetchError {
    bad_url = 1,  ///< not an absolute http(s) URL
    plain_http,   ///< http:// to a host that is not loopback
    unreachable,  ///< resolution or connection failed
    timeout,      ///< the deadline passed
    tls,          ///< handshake or certificate verification failed
    too_large,    ///< the answer went past the cap
    protocol,     ///< not HTTP, or the connection broke mid-answer
};
std::string_view to_string(FetchError error);

struct HttpReply {
    unsigned status = 0;
    std::string content_type;  ///< as sent, may carry parameters
    std::string body;
};

struct HttpClientOptions {
    std::chrono::milliseconds timeout{5'000};
    std::size_t max_body = 1 << 20;
    std::string extra_ca_file;  ///< PEM; trusted beside the system's CAs when set
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
  public:
    /// Throws std::runtime_error when the CA file cannot be read.
    explicit HttpClient(HttpClientOptions options);

    boost::asio::awaitable<boost::system::result<HttpReply, FetchError>> get(std::string url,
                                                                             Headers headers = {});
    /// POST of an application/x-www-form-urlencoded body.
    boost::asio::awaitable<boost::system::result<HttpReply, FetchError>> post_form(
        std::string url, std::string body, Headers headers = {});

  private:
    boost::asio::awaitable<boost::system::result<HttpReply, FetchError>> request(bool post,
                                                                                 std::string url,
                                                                                 std::string body,
                                                                                 Headers headers);

    HttpClientOptions options_;
    boost::asio::ssl::context tls_;
};

/// For boost::system::result's value() on an error (callers check first).
[[noreturn]] void throw_exception_from_error(FetchError error, const boost::source_location& loc);

}  // namespace budget::server::http
