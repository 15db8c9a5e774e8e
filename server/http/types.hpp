#pragma once
// HTTP vocabulary shared by the router, the server and the handlers above: requests, responses,
// what a handler receives, and the transport's own failures (which the application words).

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace budget::server::http {

// Beast's names, so that every layer above says http::status, http::verb and http::field.
using boost::beast::http::field;
using boost::beast::http::status;
using boost::beast::http::verb;
using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

/// What a handler gets: the request and what the router and server learnt about it.
struct RequestContext {
    const Request& request;
    std::map<std::string, std::string> params;  ///< path parameters, e.g. {"id": "i-42"}
    std::string query;                          ///< raw query string, without '?'
    std::string client_ip;                      ///< for rate limits only, never logged
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

/// What one route changes of the server's limits ([server] body_limit_bytes and
/// read_timeout_ms): an upload route takes a larger body, and longer to arrive. The server reads
/// a request's header first, finds its route, then reads the body under the route's limits.
struct RouteOptions {
    std::optional<std::size_t> body_limit_bytes = std::nullopt;  ///< none: the server's body limit
    /// The whole request, from its first byte, as the server's read_timeout; none: the server's.
    std::optional<std::chrono::milliseconds> read_timeout = std::nullopt;
};

/// A JSON response with the given status.
Response json_response(status code, const boost::json::value& body, unsigned version = 11);
/// A response with an arbitrary body and content type.
Response text_response(status code, std::string body, std::string_view content_type,
                       unsigned version = 11);

/// Failures the transport meets before or around a handler. The server knows no wording: the
/// application's error table turns each into an answer (ErrorResponder).
enum class TransportError {
    malformed_request,   ///< unparsable request, or a redirect without a usable Host
    too_large,           ///< body over the limit
    headers_too_large,   ///< header block over the limit
    not_found,           ///< no route, no static file
    method_not_allowed,  ///< a route, but not for this method
    internal,            ///< a handler threw
};
using ErrorResponder = Response (*)(TransportError error, unsigned version);

/// A header's value, empty when absent.
std::string_view header_value(const Request& req, std::string_view name);

}  // namespace budget::server::http
