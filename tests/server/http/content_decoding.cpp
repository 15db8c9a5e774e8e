#include "tests/server/http/content_decoding.hpp"

#include <brotli/decode.h>
#include <zlib.h>

#include <cstdint>
#include <memory>
#include <stdexcept>

namespace budget::test {

std::string gunzip(std::string_view body) {
    z_stream stream{};
    // 15 + 16: gzip only (a zlib stream is refused).
    if (inflateInit2(&stream, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2 failed");
    const std::unique_ptr<z_stream, int (*)(z_stream*)> owner(&stream, inflateEnd);
    // zlib's API is not const-correct: next_in is only read.
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    stream.avail_in = static_cast<uInt>(body.size());
    std::string out;
    char chunk[16384];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef*>(chunk);
        stream.avail_out = sizeof chunk;
        rc = inflate(&stream, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) throw std::runtime_error("not a gzip body");
        out.append(chunk, sizeof chunk - stream.avail_out);
        if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0)
            throw std::runtime_error("truncated gzip body");
    }
    if (stream.avail_in != 0) throw std::runtime_error("bytes after the gzip member");
    return out;
}

std::string unbrotli(std::string_view body) {
    const std::unique_ptr<BrotliDecoderState, void (*)(BrotliDecoderState*)> state(
        BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), BrotliDecoderDestroyInstance);
    if (!state) throw std::runtime_error("BrotliDecoderCreateInstance failed");
    auto available_in = body.size();
    const auto* next_in = reinterpret_cast<const std::uint8_t*>(body.data());
    std::string out;
    std::uint8_t chunk[16384];
    for (;;) {
        auto available_out = sizeof chunk;
        std::uint8_t* next_out = chunk;
        const auto rc = BrotliDecoderDecompressStream(state.get(), &available_in, &next_in,
                                                      &available_out, &next_out, nullptr);
        out.append(reinterpret_cast<const char*>(chunk), sizeof chunk - available_out);
        if (rc == BROTLI_DECODER_RESULT_SUCCESS) break;
        if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) continue;
        throw std::runtime_error(rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT
                                     ? "truncated brotli body"
                                     : "not a brotli body");
    }
    if (available_in != 0) throw std::runtime_error("bytes after the brotli stream");
    return out;
}

std::string decode_content(std::string_view body, std::string_view coding) {
    if (coding.empty() || coding == "identity") return std::string(body);
    if (coding == "gzip") return gunzip(body);
    if (coding == "br") return unbrotli(body);
    throw std::runtime_error("unknown content coding " + std::string(coding));
}

}  // namespace budget::test
