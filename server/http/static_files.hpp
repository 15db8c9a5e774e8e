#pragma once
// The web site as the build step made it (scripts/build-web.mjs), loaded into memory at start so
// that serving a file never blocks an I/O thread on the disk.
//
// - A file whose name carries the start of the SHA-256 of its own bytes (css/site.0123456789ab.css)
//   cannot change under that name: it is served as immutable, kept a year by every cache. Any
//   other file (the pages, a licence text) is revalidated at each use against its strong ETag.
// - X.gz and X.br beside X are X compressed (gzip, brotli): sent to the clients that accept
//   them, never served under their own names. Beside an HTML page they are ignored: a page
//   compressed over TLS is what BREACH exploits (the tls_testssl scan checks for it), and the
//   pages are small and revalidated anyway.
// - The pages answering the transport's own failures (404, 500) are files of the site that the
//   program names: the transport knows no wording.

#include <map>
#include <string>
#include <string_view>

#include "server/http/encoded_body.hpp"
#include "server/http/types.hpp"

namespace budget::server::http {

/// The Cache-Control of a file whose name carries its content's hash.
inline constexpr std::string_view kImmutableCacheControl = "public, max-age=31536000, immutable";
/// The Cache-Control of every other file: any cache may keep it, but must ask before reusing it.
inline constexpr std::string_view kRevalidateCacheControl = "no-cache";

class StaticFiles {
  public:
    struct File {
        EncodedBody body;
        std::string content_type;
        std::string_view cache_control;  ///< one of the two constants above
    };
    /// The site's pages for the transport's failures, as URL paths of the site ("/404.html");
    /// empty, or absent from the site: the failure keeps the application's JSON error.
    struct ErrorPages {
        std::string not_found;
        std::string internal;
    };

    /// Loads every regular file under `root` (recursively; dot files left out). A missing root
    /// gives an empty set.
    explicit StaticFiles(const std::string& root, const ErrorPages& error_pages = {});
    StaticFiles(const StaticFiles&) = delete;
    StaticFiles& operator=(const StaticFiles&) = delete;

    /// The file for a URL path ("/" means "/index.html"; "/x/" means "/x/index.html"; "/x" may
    /// stand for "/x.html").
    const File* find(std::string_view url_path) const;
    /// Whether `url_path`, which does not end in '/', names a folder holding an index.html: it is
    /// then answered with a redirect to the same path with a final '/'.
    bool is_folder(std::string_view url_path) const;
    /// The page of the site that answers `error` (not_found or internal), if the site has it.
    const File* error_page(TransportError error) const;
    std::size_t size() const { return files_.size(); }

  private:
    std::map<std::string, File, std::less<>> files_;
    const File* not_found_page_ = nullptr;
    const File* internal_page_ = nullptr;
};

std::string content_type_for(std::string_view path);

/// Whether the file name of `path` carries, just before its extension, a dot and 8 to 64
/// lower-case hex digits that begin the SHA-256 of `content` (as scripts/build-web.mjs names
/// assets: "site.0123456789ab.css").
bool carries_own_hash(std::string_view path, std::string_view content);

}  // namespace budget::server::http
