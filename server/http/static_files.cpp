#include "server/http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace budget::server::http {

namespace fs = std::filesystem;

std::string content_type_for(std::string_view path) {
    auto ends = [&](std::string_view ext) {
        return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
    };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
    if (ends(".json")) return "application/json; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".ico")) return "image/x-icon";
    if (ends(".woff2")) return "font/woff2";
    if (ends(".txt")) return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

StaticFiles::StaticFiles(const std::string& root) {
    std::error_code ec;
    if (root.empty() || !fs::is_directory(root, ec)) return;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (!it->is_regular_file()) continue;
        const auto rel = fs::relative(it->path(), root, ec).generic_string();
        if (ec || rel.empty() || rel.front() == '.') continue;
        std::ifstream in(it->path(), std::ios::binary);
        std::ostringstream data;
        data << in.rdbuf();
        File f{data.str(), content_type_for(rel), ""};
        f.etag = "\"" + std::to_string(std::hash<std::string>{}(f.content)) + "\"";
        std::string key = "/";  // not "/" + rel: GCC 12 warns falsely (-Wrestrict) on that
        key += rel;
        files_.emplace(std::move(key), std::move(f));
    }
}

const StaticFiles::File* StaticFiles::find(std::string_view url_path) const {
    std::string key(url_path);
    if (key.empty() || key.back() == '/') key += "index.html";
    // Only exact names of loaded files are served: "..", encoded or not, never reaches the disk.
    auto it = files_.find(key);
    if (it == files_.end()) it = files_.find(key + ".html");
    return it == files_.end() ? nullptr : &it->second;
}

}  // namespace budget::server::http
