#include "server/http/negotiation.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace budget::server::http {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
std::optional<int> parse_qvalue(std::string_view text) {
    if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
    int value = (text[0] - '0') * 1000;
    if (text.size() == 1) return value;
    if (text[1] != '.' || text.size() > 5) return std::nullopt;
    int scale = 100;
    for (const char c : text.substr(2)) {
        if (c < '0' || c > '9') return std::nullopt;
        value += (c - '0') * scale;
        scale /= 10;
    }
    if (value > 1000) return std::nullopt;
    return value;
}

// One element of a list header: its value (a coding, a media range) and its q-value (1000 when
// absent); std::nullopt when its q is malformed, so that the element is ignored.
struct Element {
    std::string_view value;
    int q = 1000;
};

std::optional<Element> parse_element(std::string_view item) {
    Element element;
    const auto semicolon = item.find(';');
    element.value = trim(item.substr(0, semicolon));
    auto params = semicolon == std::string_view::npos ? std::string_view() : item.substr(semicolon);
    while (!params.empty()) {
        params.remove_prefix(1);  // the ';'
        const auto next = params.find(';');
        const auto param = trim(params.substr(0, next));
        params = next == std::string_view::npos ? std::string_view() : params.substr(next);
        const auto equals = param.find('=');
        if (equals == std::string_view::npos) continue;
        if (!iequals(trim(param.substr(0, equals)), "q")) continue;
        const auto q = parse_qvalue(trim(param.substr(equals + 1)));
        if (!q) return std::nullopt;
        element.q = *q;
    }
    return element;
}

// Calls `visit(Element)` for each well-formed element of a comma-separated list.
template <typename Visit>
void for_each_element(std::string_view list, Visit visit) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        const auto item = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (trim(item).empty()) continue;
        if (const auto element = parse_element(item); element && !element->value.empty())
            visit(*element);
    }
}

}  // namespace

std::string_view coding_token(ContentCoding coding) {
    switch (coding) {
        case ContentCoding::br:
            return "br";
        case ContentCoding::gzip:
            return "gzip";
        case ContentCoding::identity:
            break;
    }
    return "identity";
}

ContentCoding negotiate_coding(std::string_view accept_encoding,
                               std::span<const ContentCoding> available) {
    // The q each coding gets: named explicitly, else through "*", else none (-1).
    std::array<int, 3> named{-1, -1, -1};
    int star = -1;
    for_each_element(accept_encoding, [&](const Element& e) {
        if (e.value == "*") {
            star = e.q;
        } else if (iequals(e.value, "br")) {
            named[0] = e.q;
        } else if (iequals(e.value, "gzip") || iequals(e.value, "x-gzip")) {
            named[1] = e.q;
        } else if (iequals(e.value, "identity")) {
            named[2] = e.q;
        }
    });
    auto best = ContentCoding::identity;
    int best_q = 0;
    // In order of preference, so that a tie keeps the earlier one.
    for (const auto coding : {ContentCoding::br, ContentCoding::gzip, ContentCoding::identity}) {
        if (coding != ContentCoding::identity &&
            std::find(available.begin(), available.end(), coding) == available.end())
            continue;
        const int explicit_q = named[static_cast<int>(coding)];
        const int q = explicit_q >= 0 ? explicit_q : star;
        if (q > best_q) {
            best = coding;
            best_q = q;
        }
    }
    return best;
}

bool accepts_html(std::string_view accept) {
    bool html = false;
    for_each_element(accept, [&](const Element& e) {
        if (iequals(e.value, "text/html") && e.q > 0) html = true;
    });
    return html;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
    const auto list = trim(if_none_match);
    if (list == "*") return true;
    // Entity tags may hold commas: read them one quoted string at a time.
    std::size_t at = 0;
    while (at < list.size()) {
        while (at < list.size() && (is_space(list[at]) || list[at] == ',')) ++at;
        if (list.substr(at, 2) == "W/") at += 2;
        if (at >= list.size() || list[at] != '"') return false;  // malformed: no match
        const auto close = list.find('"', at + 1);
        if (close == std::string_view::npos) return false;
        if (list.substr(at, close - at + 1) == etag) return true;
        at = close + 1;
    }
    return false;
}

}  // namespace budget::server::http
