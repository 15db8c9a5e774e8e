#pragma once
// The web front end, loaded into memory at start so that serving a page never blocks an I/O
// thread on the disk.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace budget::server::http {

class StaticFiles {
  public:
    struct File {
        std::string content;
        std::string content_type;
        std::string etag;
    };
    /// Loads every regular file under `root` (recursively). A missing root gives an empty set.
    explicit StaticFiles(const std::string& root);

    /// The file for a URL path ("/" means "/index.html"; "/x/" means "/x/index.html").
    const File* find(std::string_view url_path) const;
    std::size_t size() const { return files_.size(); }

  private:
    std::map<std::string, File, std::less<>> files_;
};

std::string content_type_for(std::string_view path);

}  // namespace budget::server::http
