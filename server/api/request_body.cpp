#include "server/api/request_body.hpp"

#include <boost/json/parse.hpp>

#include "labelling/utf8.hpp"

namespace budget::server::api {

namespace json = boost::json;

Response Rejection::to_response(unsigned version) const {
    return fail(error, version, {field, detail});
}

std::variant<json::object, Rejection> parse_json_object(const Request& req,
                                                        json::storage_ptr storage) {
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 16;
    auto value = json::parse(req.body(), ec, std::move(storage), opts);
    if (ec) return Rejection{Error::malformed_json, "", ""};
    if (!value.is_object()) return Rejection{Error::body_not_object, "", ""};
    return std::move(value.as_object());
}

bool is_clean_utf8(std::string_view s) {
    // Valid UTF-8 (RFC 3629), and no control characters, C0 or C1: a name or an id never needs
    // one, and logs and JSON stay clean.
    if (labelling::first_invalid_utf8(s)) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) return false;
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0)
            return false;
    }
    return true;
}

std::string safe_excerpt(std::string_view text, std::size_t max_bytes) {
    if (text.size() > max_bytes) {
        std::size_t cut = max_bytes;
        // Never cut inside a UTF-8 sequence.
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text = text.substr(0, cut);
    }
    if (!is_clean_utf8(text)) return "(illisible)";
    return std::string(text);
}

namespace {
Rejection bad_field(const char* field, Error what, std::string detail = {}) {
    return Rejection{what, field, std::move(detail)};
}
}  // namespace

std::variant<std::optional<std::string>, Rejection> get_optional_string(const json::object& o,
                                                                        const char* field,
                                                                        std::size_t max_length) {
    const auto* v = o.if_contains(field);
    if (!v || v->is_null()) return std::optional<std::string>{};
    if (!v->is_string()) return bad_field(field, Error::field_not_string);
    const auto& s = v->as_string();
    if (s.size() > max_length) {
        return bad_field(field, Error::field_too_long, std::to_string(max_length));
    }
    std::string out(s.data(), s.size());
    if (!is_clean_utf8(out)) return bad_field(field, Error::field_invalid_text);
    return std::optional<std::string>(std::move(out));
}

std::variant<std::string, Rejection> get_string(const json::object& o, const char* field,
                                                std::size_t max_length) {
    auto r = get_optional_string(o, field, max_length);
    if (auto* rej = std::get_if<Rejection>(&r)) return *rej;
    auto& opt = std::get<std::optional<std::string>>(r);
    if (!opt) return bad_field(field, Error::field_missing);
    return std::move(*opt);
}

std::variant<std::int64_t, Rejection> get_integer(const json::object& o, const char* field) {
    const auto* v = o.if_contains(field);
    if (!v) return bad_field(field, Error::field_missing);
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->as_uint64());
    return bad_field(field, Error::field_not_integer);
}

std::variant<std::vector<std::string>, Rejection> get_string_array(const json::object& o,
                                                                   const char* field,
                                                                   std::size_t max_items) {
    const auto* v = o.if_contains(field);
    if (!v) return bad_field(field, Error::field_missing);
    if (!v->is_array()) return bad_field(field, Error::field_not_list);
    const auto& a = v->as_array();
    if (a.size() > max_items) return bad_field(field, Error::field_too_many_items);
    std::vector<std::string> out;
    out.reserve(a.size());
    for (const auto& item : a) {
        if (!item.is_string()) return bad_field(field, Error::field_not_string_list);
        out.emplace_back(item.as_string().data(), item.as_string().size());
        if (out.back().size() > 200 || !is_clean_utf8(out.back()))
            return bad_field(field, Error::field_invalid_id);
    }
    return out;
}

}  // namespace budget::server::api
