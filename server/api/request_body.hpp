#pragma once
// Reading a JSON request body into typed fields, with the API's error for each failure:
// malformed JSON -> 400 malformed_json, missing or mistyped field -> 400 invalid_field.

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "server/api/errors.hpp"

namespace budget::server::api {

/// A rejected request, ready to be sent: the error and what fills its message's blanks.
struct Rejection {
    Error error;
    std::string field;   ///< the field concerned, when there is one
    std::string detail;  ///< a limit or a value the message names

    Response to_response(unsigned version) const;
};

/// Parses the body as a JSON object (an array, a number... is refused), its nodes allocated from
/// `storage` (the default heap, or e.g. a monotonic buffer that outlives the object).
std::variant<boost::json::object, Rejection> parse_json_object(
    const Request& req, boost::json::storage_ptr storage = {});

/// Field getters: a Rejection naming the field when absent (if required) or of the wrong type.
std::variant<std::string, Rejection> get_string(const boost::json::object& o, const char* field,
                                                std::size_t max_length = 1000);
std::variant<std::optional<std::string>, Rejection> get_optional_string(
    const boost::json::object& o, const char* field, std::size_t max_length = 1000);
std::variant<std::int64_t, Rejection> get_integer(const boost::json::object& o, const char* field);
std::variant<std::vector<std::string>, Rejection> get_string_array(const boost::json::object& o,
                                                                   const char* field,
                                                                   std::size_t max_items = 100);

/// True when `s` is well-formed UTF-8 (RFC 3629) without control characters.
bool is_clean_utf8(std::string_view s);

/// A part of untrusted text fit to be echoed in a message: at most `max_bytes`, never cut inside
/// a UTF-8 sequence, and "(illisible)" when it is not clean UTF-8.
std::string safe_excerpt(std::string_view text, std::size_t max_bytes);

}  // namespace budget::server::api
