#include "server/log.hpp"

#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace budget::server {

std::string now_rfc3339() {
    const auto now = std::chrono::system_clock::now();
    const auto secs = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buf;
}

void log_event(std::string_view level, std::string_view event, boost::json::object fields) {
    boost::json::object line;
    line["ts"] = now_rfc3339();
    line["level"] = level;
    line["event"] = event;
    for (auto& [k, v] : fields) line[k] = std::move(v);
    auto text = boost::json::serialize(line);
    text += '\n';
    // One write(2) per line so that lines from several threads never interleave.
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace budget::server
