#include "server/log.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace budget::server {

std::string now_rfc3339() {
    const auto now = std::chrono::system_clock::now();
    const auto secs = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    return buf;
}

void log_request(std::string_view method, std::string_view route, int status, double latency_ms) {
    // Method and route are ours (a Beast verb, a route pattern): plain ASCII without quotes or
    // backslashes, so they need no escaping. Anything else is cut off rather than logged.
    auto clean = [](std::string_view s) {
        const auto bad = s.find_first_of("\"\\\n\r");
        return s.substr(0, std::min<std::size_t>(bad, 120));
    };
    const auto m = clean(method), r = clean(route);
    char buf[512];
    const int n =
        std::snprintf(buf, sizeof buf,
                      "{\"ts\":\"%s\",\"level\":\"info\",\"event\":\"request\",\"method\":\"%.*s\","
                      "\"path\":\"%.*s\",\"status\":%d,\"latency_ms\":%.3f}\n",
                      now_rfc3339().c_str(), static_cast<int>(m.size()), m.data(),
                      static_cast<int>(r.size()), r.data(), status, latency_ms);
    if (n > 0) [[maybe_unused]]
        auto w = ::write(STDERR_FILENO, buf, std::min<std::size_t>(n, sizeof buf - 1));
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
