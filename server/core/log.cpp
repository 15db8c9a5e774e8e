#include "server/core/log.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace budget::server {

namespace {

constexpr std::size_t kTimestampSize = 24;  // "2026-09-15T10:04:05.123Z"

// Writes now as RFC 3339 UTC with milliseconds. Runs for every request: the calendar part is
// recomputed once per second per thread, not per call.
void format_now(char (&out)[kTimestampSize]) {
    struct SecondCache {
        std::time_t second = -1;
        char text[20];  // "YYYY-MM-DDTHH:MM:SS"
    };
    thread_local SecondCache cache;
    const auto now = std::chrono::system_clock::now();
    const auto secs = std::chrono::system_clock::to_time_t(now);
    const auto ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000);
    if (secs != cache.second) {
        std::tm tm{};
        gmtime_r(&secs, &tm);
        char buf[96];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        std::memcpy(cache.text, buf, sizeof cache.text);
        cache.second = secs;
    }
    std::memcpy(out, cache.text, sizeof cache.text);
    out[19] = '.';
    out[20] = static_cast<char>('0' + ms / 100);
    out[21] = static_cast<char>('0' + ms / 10 % 10);
    out[22] = static_cast<char>('0' + ms % 10);
    out[23] = 'Z';
}

// Appends text to a fixed buffer, dropping what does not fit.
struct LineBuffer {
    char data[512];
    std::size_t size = 0;
    void append(std::string_view s) {
        const auto n = std::min(s.size(), sizeof data - size);
        std::memcpy(data + size, s.data(), n);
        size += n;
    }
};

}  // namespace

std::string now_rfc3339() {
    char ts[kTimestampSize];
    format_now(ts);
    return std::string(ts, sizeof ts);
}

void log_request(std::string_view method, std::string_view route, int status, double latency_ms) {
    // Method and route are ours (a Beast verb, a route pattern): plain ASCII without quotes or
    // backslashes, so they need no escaping. Anything else is cut off rather than logged.
    auto clean = [](std::string_view s) {
        const auto bad = s.find_first_of("\"\\\n\r");
        return s.substr(0, std::min<std::size_t>(bad, 120));
    };
    // Built by hand rather than with snprintf, whose formatting was most of this line's cost, to
    // the same bytes: std::to_chars with precision 3 rounds exactly as "%.3f" does.
    char ts[kTimestampSize];
    format_now(ts);
    char number[64];
    LineBuffer line;
    line.append("{\"ts\":\"");
    line.append({ts, sizeof ts});
    line.append("\",\"level\":\"info\",\"event\":\"request\",\"method\":\"");
    line.append(clean(method));
    line.append("\",\"path\":\"");
    line.append(clean(route));
    line.append("\",\"status\":");
    auto end = std::to_chars(number, number + sizeof number, status).ptr;
    line.append({number, static_cast<std::size_t>(end - number)});
    line.append(",\"latency_ms\":");
    end =
        std::to_chars(number, number + sizeof number, latency_ms, std::chars_format::fixed, 3).ptr;
    line.append({number, static_cast<std::size_t>(end - number)});
    line.append("}\n");
    // One write(2) per line so that lines from several threads never interleave.
    [[maybe_unused]] auto w = ::write(STDERR_FILENO, line.data, line.size);
}

void log_event(std::string_view level, std::string_view event, boost::json::object fields) {
    boost::json::object line;
    line["ts"] = now_rfc3339();
    line["level"] = level;
    line["event"] = event;
    for (auto& field : fields) line[field.key()] = std::move(field.value());
    auto text = boost::json::serialize(line);
    text += '\n';
    // One write(2) per line so that lines from several threads never interleave.
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace budget::server
