#include "server/http/encoded_body.hpp"

#include "server/core/crypto.hpp"
#include "server/http/compression.hpp"

namespace budget::server::http {

namespace {

std::string strong_etag(std::string_view bytes) {
    return "\"" + crypto::sha256_hex(bytes).substr(0, 32) + "\"";
}

}  // namespace

EncodedBody::EncodedBody(std::string identity, std::optional<std::string> gzip,
                         std::optional<std::string> br) {
    const auto size = identity.size();
    auto etag = strong_etag(identity);
    variants_.push_back({ContentCoding::identity, std::move(identity), std::move(etag)});
    codings_.push_back(ContentCoding::identity);
    const auto add = [&](ContentCoding coding, std::optional<std::string>& bytes) {
        if (!bytes || bytes->size() >= size) return;
        auto tag = strong_etag(*bytes);
        variants_.push_back({coding, std::move(*bytes), std::move(tag)});
        codings_.push_back(coding);
    };
    add(ContentCoding::br, br);
    add(ContentCoding::gzip, gzip);
}

EncodedBody EncodedBody::compressed(std::string identity) {
    auto gzip = gzip_compress(identity, 9);
    auto br = brotli_compress(identity, 11);
    return EncodedBody(std::move(identity), std::move(gzip), std::move(br));
}

const EncodedBody::Variant& EncodedBody::select(std::string_view accept_encoding) const {
    const auto coding = negotiate_coding(accept_encoding, codings_);
    for (const auto& v : variants_) {
        if (v.coding == coding) return v;
    }
    return identity();
}

Response respond_with(const Request& req, const EncodedBody& body, std::string_view content_type,
                      std::string_view cache_control) {
    const auto& variant = body.select(header_value(req, "Accept-Encoding"));
    Response res;
    const auto if_none_match = header_value(req, "If-None-Match");
    if (!if_none_match.empty() && etag_matches(if_none_match, variant.etag)) {
        res = Response{status::not_modified, req.version()};
    } else {
        res = text_response(status::ok, variant.bytes, content_type, req.version());
        if (variant.coding != ContentCoding::identity)
            res.set(field::content_encoding, coding_token(variant.coding));
    }
    res.set(field::etag, variant.etag);
    res.set(field::cache_control, cache_control);
    if (body.varies()) res.set(field::vary, "Accept-Encoding");
    return res;
}

}  // namespace budget::server::http
