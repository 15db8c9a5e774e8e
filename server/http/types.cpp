#include "server/http/types.hpp"

#include <boost/json/serialize.hpp>

namespace budget::server::http {

Response json_response(status code, const boost::json::value& body, unsigned version) {
    return text_response(code, boost::json::serialize(body), "application/json; charset=utf-8",
                         version);
}

Response text_response(status code, std::string body, std::string_view content_type,
                       unsigned version) {
    Response res{code, version};
    res.set(field::content_type, content_type);
    res.set(field::cache_control, "no-store");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

std::string_view header_value(const Request& req, std::string_view name) {
    const auto it = req.find(name);
    return it == req.end() ? std::string_view() : std::string_view(it->value());
}

}  // namespace budget::server::http
