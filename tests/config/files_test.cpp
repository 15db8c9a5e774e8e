#include "config/files.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

using budget::config::read_text_file;

namespace {

// A file of its own in the temporary directory, removed at the end of the test.
class TempFile {
  public:
    explicit TempFile(const std::string& content)
        : path_((std::filesystem::temp_directory_path() /
                 ("budget-files-test-" + std::to_string(::getpid()) + ".txt"))
                    .string()) {
        std::ofstream(path_, std::ios::binary) << content;
    }
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

}  // namespace

TEST_CASE("a file that cannot be opened reads as nothing", "[config][files]") {
    CHECK_FALSE(read_text_file("/nonexistent/questionnaire.toml").has_value());
    CHECK_FALSE(read_text_file("").has_value());
}

TEST_CASE("a file is read whole, bytes unchanged", "[config][files]") {
    SECTION("line ends, a NUL byte and non-UTF-8 bytes are kept") {
        const char raw[] = "META\r\nkey;value\n\0\xff\xfe end";
        const std::string content(raw, sizeof raw - 1);
        const TempFile file(content);
        const auto text = read_text_file(file.path());
        REQUIRE(text.has_value());
        CHECK(*text == content);
    }
    SECTION("an empty file is empty text, not a failure") {
        const TempFile file("");
        const auto text = read_text_file(file.path());
        REQUIRE(text.has_value());
        CHECK(text->empty());
    }
}

TEST_CASE("the shipped questionnaire reads as the text in the source tree", "[config][files]") {
    const auto text = read_text_file(BUDGET_SOURCE_DIR "/config/questionnaire.toml");
    REQUIRE(text.has_value());
    CHECK(text->find("[gate]") != std::string::npos);
}
