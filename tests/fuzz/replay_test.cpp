// Replays a fuzz target's committed inputs (tests/fuzz/corpus/<target>/ and every crash kept in
// tests/fuzz/regressions/<target>/) through the same LLVMFuzzerTestOneInput, compiled with the
// normal toolchain and the project's sanitizers: a crash found by scripts/fuzz.sh becomes a
// regression test of the ordinary suite.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_in(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
            out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::size_t replay(const fs::path& dir) {
    const auto files = inputs_in(dir);
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
        INFO("input: " << file.string());
        // A crash or a violated property aborts the process; ctest reports it with this input.
        std::fprintf(stderr, "replaying %s\n", file.string().c_str());
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    return files.size();
}

const fs::path kFuzzDir = fs::path(BUDGET_SOURCE_DIR) / "tests" / "fuzz";

}  // namespace

TEST_CASE("every seed of the " FUZZ_TARGET_NAME " fuzz target runs cleanly", "[fuzz-replay]") {
    const auto seeds = replay(kFuzzDir / "corpus" / FUZZ_TARGET_NAME);
    CHECK(seeds > 0);
}

TEST_CASE("every crash the " FUZZ_TARGET_NAME " fuzz target found stays fixed", "[fuzz-replay]") {
    replay(kFuzzDir / "regressions" / FUZZ_TARGET_NAME);
    SUCCEED();
}
