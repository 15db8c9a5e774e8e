#pragma once
// gzip (zlib) and brotli compressors, for the bodies budgetd compresses once at start. The
// build step compresses the web site's files the same way (scripts/build-web.mjs).

#include <string>
#include <string_view>

namespace budget::server::http {

/// `data` as a gzip member (RFC 1952) at zlib's `level` (1..9). Throws std::runtime_error when
/// zlib fails (out of memory).
std::string gzip_compress(std::string_view data, int level = 9);

/// `data` as a brotli stream (RFC 7932) at `quality` (0..11). Throws std::runtime_error when
/// the encoder fails.
std::string brotli_compress(std::string_view data, int quality = 11);

}  // namespace budget::server::http
