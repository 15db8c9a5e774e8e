// Fuzz target: the engine's TOML configuration (config::parse_config). The contract (API.md,
// budgetd_main.cpp) is that a bad file is refused with a ConfigError carrying a one-line
// reason; any other exception would escape budgetd's main. RFC 3339 dates are checked too.

#include <string>

#include "config/config.hpp"
#include "config/paris_time.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace budget;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(fuzz::as_text(data, size));
    // Paths in the config are only checked for existence; keep the fuzzer away from /dev, /proc.
    if (text.find("/dev") != std::string::npos || text.find("/proc") != std::string::npos) return 0;
    try {
        const auto c = config::parse_config(text, "fuzz.toml", "/nonexistent-fuzz-base");
        FUZZ_CHECK(c.server.threads >= 1, "a config without server threads was accepted");
        FUZZ_CHECK(c.campaign.max_choices >= 1, "max_choices below 1 was accepted");
        FUZZ_CHECK(c.campaign.vote_opens_unix <= c.campaign.vote_closes_unix,
                   "the vote closes before it opens");
    } catch (const config::ConfigError& e) {
        const std::string reason = e.what();
        FUZZ_CHECK(!reason.empty(), "an empty reason");
        FUZZ_CHECK(reason.find('\n') == std::string::npos, "the reason is not one line");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "parse_config threw a non-ConfigError: %s\n", e.what());
        FUZZ_CHECK(false, "parse_config let another exception than ConfigError escape");
    }

    // parse_rfc3339 on every line: an accepted time formats back to the same instant.
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find('\n', start), text.size());
        const auto line = text.substr(start, end - start);
        if (const auto t = config::parse_rfc3339(line)) {
            const auto back = config::parse_rfc3339(config::format_paris_time(*t));
            FUZZ_CHECK(back && *back == *t, "an RFC 3339 time does not survive formatting");
        }
        start = end + 1;
    }
    return 0;
}
