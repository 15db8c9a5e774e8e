#include "server/http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/core/crypto.hpp"

namespace budget::server::http {

namespace fs = std::filesystem;

namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream data;
    data << in.rdbuf();
    return data.str();
}

}  // namespace

std::string content_type_for(std::string_view path) {
    const auto ends = [&](std::string_view ext) { return ends_with(path, ext); };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
    if (ends(".json")) return "application/json; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".jpg") || ends(".jpeg")) return "image/jpeg";
    if (ends(".webp")) return "image/webp";
    if (ends(".ico")) return "image/x-icon";
    if (ends(".woff2")) return "font/woff2";
    if (ends(".txt")) return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

bool carries_own_hash(std::string_view path, std::string_view content) {
    const auto slash = path.rfind('/');
    const auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const auto ext = name.rfind('.');
    if (ext == std::string_view::npos || ext == 0) return false;
    const auto stem = name.substr(0, ext);
    const auto dot = stem.rfind('.');
    if (dot == std::string_view::npos) return false;
    const auto digits = stem.substr(dot + 1);
    if (digits.size() < 8 || digits.size() > 64) return false;
    for (const char c : digits) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return crypto::sha256_hex(content).starts_with(digits);
}

StaticFiles::StaticFiles(const std::string& root, const ErrorPages& error_pages) {
    std::error_code ec;
    if (root.empty() || !fs::is_directory(root, ec)) return;
    std::map<std::string, std::string, std::less<>> contents;  // "/rel/path" -> bytes
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        const auto rel = fs::relative(it->path(), root, ec).generic_string();
        if (ec || rel.empty() || rel.front() == '.' || rel.find("/.") != std::string::npos)
            continue;
        std::string key = "/";  // not "/" + rel: GCC 12 warns falsely (-Wrestrict) on that
        key += rel;
        contents.emplace(std::move(key), read_file(it->path()));
    }
    const auto compressed_form = [&](const std::string& path) {
        for (const std::string_view suffix : {".gz", ".br"}) {
            if (ends_with(path, suffix) &&
                contents.contains(std::string_view(path).substr(0, path.size() - 3)))
                return true;
        }
        return false;
    };
    for (auto& [path, content] : contents) {
        if (compressed_form(path)) continue;  // a variant of its file, not a file of its own
        std::optional<std::string> gzip;
        std::optional<std::string> br;
        // Never a page: see BREACH above.
        if (!ends_with(path, ".html")) {
            if (const auto it = contents.find(path + ".gz"); it != contents.end())
                gzip = it->second;
            if (const auto it = contents.find(path + ".br"); it != contents.end()) br = it->second;
        }
        const auto cache_control =
            carries_own_hash(path, content) ? kImmutableCacheControl : kRevalidateCacheControl;
        auto type = content_type_for(path);
        files_.emplace(path, File{EncodedBody(std::move(content), std::move(gzip), std::move(br)),
                                  std::move(type), cache_control});
    }
    const auto page = [&](const std::string& path) -> const File* {
        const auto it = path.empty() ? files_.end() : files_.find(path);
        return it == files_.end() ? nullptr : &it->second;
    };
    not_found_page_ = page(error_pages.not_found);
    internal_page_ = page(error_pages.internal);
}

const StaticFiles::File* StaticFiles::find(std::string_view url_path) const {
    std::string key(url_path);
    if (key.empty() || key.back() == '/') key += "index.html";
    // Only exact names of loaded files are served: "..", encoded or not, never reaches the disk.
    auto it = files_.find(key);
    if (it == files_.end()) it = files_.find(key + ".html");
    return it == files_.end() ? nullptr : &it->second;
}

bool StaticFiles::is_folder(std::string_view url_path) const {
    if (url_path.empty() || url_path.back() == '/') return false;
    std::string key(url_path);
    key += "/index.html";
    return files_.contains(key);
}

const StaticFiles::File* StaticFiles::error_page(TransportError error) const {
    switch (error) {
        case TransportError::not_found:
            return not_found_page_;
        case TransportError::internal:
            return internal_page_;
        default:
            return nullptr;
    }
}

}  // namespace budget::server::http
