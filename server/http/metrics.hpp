#pragma once
// Process metrics in the Prometheus text format. Only operational figures: never a count of
// votes per initiative (those must not leave the engine before publication).

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace budget::server::http {

/// A fixed-bucket latency histogram, lock-free to observe.
class Histogram {
  public:
    static constexpr std::array<double, 14> kBounds = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
    void observe(std::chrono::nanoseconds d);
    /// Appends the `_bucket`, `_sum` and `_count` lines for `name` with extra `labels`.
    void render(std::string& out, const std::string& name, const std::string& labels) const;

  private:
    std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_ns_{0};
};

/// The method as a metrics label: a standard method as it is, "-" (unparsed request) as it is,
/// any other token "other".
std::string_view method_label(std::string_view method);

/// Every label set is bounded: routes are patterns of the route table or fixed labels
/// ("(static)", "(unknown)", "(unparsed)", "(redirect)") given by the server, methods go through
/// method_label, statuses outside 100..599 are "other".
class Metrics {
  public:
    void record_request(std::string_view route, std::string_view method, int status,
                        std::chrono::nanoseconds latency);
    void record_redis_roundtrip(std::chrono::nanoseconds latency) { redis_.observe(latency); }
    void set_redis_up(bool up) { redis_up_.store(up, std::memory_order_relaxed); }
    bool redis_up() const { return redis_up_.load(std::memory_order_relaxed); }
    /// Counts one event of the engine, exposed as budget_events_total{event="NAME"}. `event` is
    /// a constant of the caller's (never a client's word), so the label set stays bounded.
    void count_event(std::string_view event);
    std::string render() const;

  private:
    using RequestKey = std::tuple<std::string, std::string, int>;
    using RequestView = std::tuple<std::string_view, std::string_view, int>;
    /// Transparent: a request is counted by looking up views, strings are made once per key.
    /// Both sides are compared as views (the same order as the strings'): std::less<> would
    /// compare a tuple of strings with a tuple of views, which clang 14 rejects (libstdc++ 12).
    struct ByView {
        using is_transparent = void;
        static RequestView view(const RequestKey& k) {
            return {std::get<0>(k), std::get<1>(k), std::get<2>(k)};
        }
        static RequestView view(const RequestView& k) { return k; }
        template <typename A, typename B>
        bool operator()(const A& a, const B& b) const {
            return view(a) < view(b);
        }
    };

    mutable std::mutex mutex_;
    std::map<RequestKey, std::uint64_t, ByView> requests_;
    std::map<std::string, std::uint64_t, std::less<>> events_;
    Histogram http_;
    Histogram redis_;
    std::atomic<bool> redis_up_{false};
};

}  // namespace budget::server::http
