#pragma once
// Splitting a loop over a few threads, for the tally's hashing. Plain std::jthread: the voting
// layer is pure (no Asio), and a thread costs tens of microseconds, against the milliseconds of
// hashing each call shares out.

#include <algorithm>
#include <cstdint>
#include <system_error>
#include <thread>
#include <vector>

namespace budget::voting {

/// Runs `work(begin, end)` over [0, count) split into contiguous parts, one per thread, the
/// calling thread taking the first; as one call when `threads` is 1 or when a part would be
/// smaller than `min_part`. `work` must not throw (it runs on threads that cannot report).
template <typename Work>
void parallel_for(std::uint64_t count, unsigned threads, std::uint64_t min_part, Work&& work) {
    const std::uint64_t parts =
        std::min<std::uint64_t>(threads, count / std::max<std::uint64_t>(min_part, 1));
    if (parts <= 1) {
        if (count > 0) work(std::uint64_t{0}, count);
        return;
    }
    std::vector<std::jthread> helpers;
    helpers.reserve(parts - 1);
    const auto bound = [&](std::uint64_t part) { return count * part / parts; };
    std::uint64_t started = 1;
    try {
        for (; started < parts; ++started) {
            helpers.emplace_back(
                [&work, begin = bound(started), end = bound(started + 1)] { work(begin, end); });
        }
    } catch (const std::system_error&) {
        // No thread to be had (a process limit): the parts not started run here.
    }
    work(std::uint64_t{0}, bound(1));
    if (started < parts) work(bound(started), count);
    // The helpers join as they go out of scope, before `work` does.
}

}  // namespace budget::voting
