#include "server/http/metrics.hpp"

#include <array>
#include <cstdio>

namespace budget::server::http {

void Histogram::observe(std::chrono::nanoseconds d) {
    const double seconds = std::chrono::duration<double>(d).count();
    std::size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
    const std::string sep = labels.empty() ? "" : ",";
    std::uint64_t cumulative = 0;
    char buf[64];
    for (std::size_t i = 0; i <= kBounds.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        if (i < kBounds.size()) {
            std::snprintf(buf, sizeof buf, "%g", kBounds[i]);
        } else {
            std::snprintf(buf, sizeof buf, "+Inf");
        }
        out += name + "_bucket{" + labels + sep + "le=\"" + buf + "\"} " +
               std::to_string(cumulative) + "\n";
    }
    std::snprintf(buf, sizeof buf, "%.9f",
                  static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
    const std::string braces = labels.empty() ? "" : "{" + labels + "}";
    out += name + "_sum" + braces + " " + buf + "\n";
    out += name + "_count" + braces + " " + std::to_string(count_.load(std::memory_order_relaxed)) +
           "\n";
}

std::string_view method_label(std::string_view method) {
    // The methods of RFC 9110 and PATCH; any other token a client sends (Beast accepts every
    // token) is one label, so that made-up methods cannot grow the exposition without bound.
    static constexpr std::array<std::string_view, 10> kKnown = {
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "-"};
    for (const auto known : kKnown) {
        if (method == known) return known;
    }
    return "other";
}

void Metrics::record_request(std::string_view route, std::string_view method, int status,
                             std::chrono::nanoseconds latency) {
    http_.observe(latency);
    // Statuses are three digits by construction; anything else would be a bug upstream, still
    // kept to one label ("other").
    if (status < 100 || status > 599) status = 0;
    const RequestView key{route, method_label(method), status};
    std::lock_guard lock(mutex_);
    if (auto it = requests_.find(key); it != requests_.end()) {
        ++it->second;
    } else {
        requests_.emplace(RequestKey{std::get<0>(key), std::get<1>(key), status}, 1);
    }
}

void Metrics::count_event(std::string_view event) {
    std::lock_guard lock(mutex_);
    if (auto it = events_.find(event); it != events_.end()) {
        ++it->second;
    } else {
        events_.emplace(std::string(event), 1);
    }
}

std::string Metrics::render() const {
    std::string out;
    out += "# HELP budget_http_requests_total HTTP requests by route, method and status.\n";
    out += "# TYPE budget_http_requests_total counter\n";
    {
        std::lock_guard lock(mutex_);
        for (const auto& [key, n] : requests_) {
            const auto& [route, method, status] = key;
            out += "budget_http_requests_total{route=\"" + route + "\",method=\"" + method +
                   "\",status=\"" + (status == 0 ? std::string("other") : std::to_string(status)) +
                   "\"} " + std::to_string(n) + "\n";
        }
    }
    out += "# HELP budget_http_request_duration_seconds HTTP request latency.\n";
    out += "# TYPE budget_http_request_duration_seconds histogram\n";
    http_.render(out, "budget_http_request_duration_seconds", "");
    out += "# HELP budget_redis_roundtrip_seconds Redis command round-trip time.\n";
    out += "# TYPE budget_redis_roundtrip_seconds histogram\n";
    redis_.render(out, "budget_redis_roundtrip_seconds", "");
    out += "# HELP budget_redis_up Whether a Redis connection is established.\n";
    out += "# TYPE budget_redis_up gauge\n";
    out += std::string("budget_redis_up ") + (redis_up() ? "1" : "0") + "\n";
    out += "# HELP budget_events_total Events of the engine by name.\n";
    out += "# TYPE budget_events_total counter\n";
    std::lock_guard lock(mutex_);
    for (const auto& [event, n] : events_) {
        out += "budget_events_total{event=\"" + event + "\"} " + std::to_string(n) + "\n";
    }
    return out;
}

}  // namespace budget::server::http
