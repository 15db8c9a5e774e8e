#pragma once
// HTTP vocabulary shared by the router, the handlers and the server.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace budget::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

/// What a handler gets: the request and what the router and server learnt about it.
struct RequestContext {
    const Request& request;
    std::map<std::string, std::string> params;  ///< path parameters, e.g. {"id": "i-42"}
    std::string query;                          ///< raw query string, without '?'
    std::string client_ip;                      ///< for rate limits only, never logged
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

/// A JSON response with the given status.
Response json_response(http::status status, const boost::json::value& body, unsigned version = 11);
/// A response with an arbitrary body and content type.
Response text_response(http::status status, std::string body, std::string_view content_type,
                       unsigned version = 11);

}  // namespace budget::server
