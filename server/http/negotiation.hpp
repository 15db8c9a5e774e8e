#pragma once
// Content negotiation (RFC 9110 §12 and §13): the content coding an Accept-Encoding allows,
// whether an Accept asks for HTML, and whether an If-None-Match names an entity tag.

#include <span>
#include <string_view>

namespace budget::server::http {

/// The content codings budgetd sends, in its order of preference when the client has none.
enum class ContentCoding { br, gzip, identity };

/// The token of a coding in Content-Encoding ("br", "gzip"; "identity" is never sent).
std::string_view coding_token(ContentCoding coding);

/// Which of `available` to send to a request whose Accept-Encoding is `accept_encoding` (empty
/// when absent): the coding the client ranks highest by q-value, "*" standing for the codings
/// it does not name, q=0 refusing one; at equal q, br before gzip before identity. Identity is
/// the answer when nothing else is acceptable (no header, "identity" only, or every coding
/// refused: an answer it may not decode beats none).
ContentCoding negotiate_coding(std::string_view accept_encoding,
                               std::span<const ContentCoding> available);

/// Whether an Accept value names text/html itself with a q-value above 0. Wildcards do not
/// count: a browser navigating lists text/html, while scripts, curl and fetch() say "*/*" and
/// keep getting the API's JSON errors.
bool accepts_html(std::string_view accept);

/// Whether If-None-Match `if_none_match` matches `etag` (a strong tag, quotes included): "*",
/// or one of its tags compared weakly (W/"x" matches "x"), as RFC 9110 §13.1.2 wants.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace budget::server::http
