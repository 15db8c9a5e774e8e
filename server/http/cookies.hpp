#pragma once
// Reading the Cookie header: the one parser for the voter and staff sessions.

#include <optional>
#include <string>
#include <string_view>

namespace budget::server::http {

/// The value of cookie `name` in a `Cookie` header; std::nullopt when absent.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace budget::server::http
