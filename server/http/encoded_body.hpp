#pragma once
// A body that never changes while budgetd runs (a file of the web site, the commune list), held
// in every content coding worth sending, each with its strong ETag; and the answer to a GET of
// it: the coding the request accepts, or 304 when the client already holds that one.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/negotiation.hpp"
#include "server/http/types.hpp"

namespace budget::server::http {

class EncodedBody {
  public:
    struct Variant {
        ContentCoding coding;
        std::string bytes;
        std::string etag;  ///< strong, quotes included: 32 hex digits of SHA-256(bytes)
    };

    /// `identity`, and the compressed forms of it given (a build step's .gz and .br), each kept
    /// only when smaller than `identity`.
    explicit EncodedBody(std::string identity, std::optional<std::string> gzip = std::nullopt,
                         std::optional<std::string> br = std::nullopt);
    /// `identity` compressed now (gzip level 9, brotli quality 11), each kept when smaller.
    static EncodedBody compressed(std::string identity);

    const Variant& identity() const { return variants_.front(); }
    /// The variant to send to a request whose Accept-Encoding is `accept_encoding`.
    const Variant& select(std::string_view accept_encoding) const;
    /// Whether the answer depends on Accept-Encoding (a compressed variant is held).
    bool varies() const { return variants_.size() > 1; }
    const std::vector<Variant>& variants() const { return variants_; }

  private:
    std::vector<Variant> variants_;  ///< identity first
    std::vector<ContentCoding> codings_;
};

/// The answer to a GET or HEAD of `body`: 200 with the variant the request's Accept-Encoding
/// allows (Content-Encoding when compressed, Vary: Accept-Encoding when the body varies, its
/// ETag, `cache_control`), or 304 with the same validators when If-None-Match names that
/// variant's ETag.
Response respond_with(const Request& req, const EncodedBody& body, std::string_view content_type,
                      std::string_view cache_control);

}  // namespace budget::server::http
