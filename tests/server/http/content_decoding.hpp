#pragma once
// Decoders for the tests of content codings: what a client does with a gzip or brotli body,
// through the reference libraries (zlib, brotlidec), independent of the server's encoders.

#include <string>
#include <string_view>

namespace budget::test {

/// The bytes of a gzip body; throws std::runtime_error when it is not one (or has trailing bytes).
std::string gunzip(std::string_view body);
/// The bytes of a brotli body; throws std::runtime_error when it is not one.
std::string unbrotli(std::string_view body);
/// `body` decoded as Content-Encoding `coding` says ("" or "identity": as it is).
std::string decode_content(std::string_view body, std::string_view coding);

}  // namespace budget::test
