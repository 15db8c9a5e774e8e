#pragma once
// Every expected failure the API reports, and the one place that maps it to an HTTP status and
// a French message (API.md, "Errors").

#include <optional>
#include <string>
#include <string_view>

#include "server/http_types.hpp"

namespace budget::server {

enum class ApiError {
    malformed_request,
    malformed_json,
    invalid_field,
    not_authenticated,
    forbidden,
    csrf_failed,
    not_found,
    method_not_allowed,
    conflict,
    too_large,
    headers_too_large,
    unprocessable,
    rate_limited,
    storage_unavailable,
    internal,
    shutting_down,
};

struct ApiErrorInfo {
    http::status status;
    std::string_view code;
    std::string_view message;  ///< en français, pour le public
};

/// The status, code and default French message of an error.
ApiErrorInfo describe(ApiError error);

/// `{"error":{"code","message"}}` with the matching status (and Retry-After where it applies).
/// `message` replaces the default message; `code` replaces the generic code with a precise one
/// (e.g. "already_voted" for a conflict).
Response error_response(ApiError error, unsigned version = 11,
                        std::optional<std::string> message = std::nullopt,
                        std::optional<std::string> code = std::nullopt);

/// The same with its arguments in the order handlers think of them: which error, which precise
/// code, which French message.
Response reject(ApiError error, unsigned version, std::string code, std::string message);

}  // namespace budget::server
