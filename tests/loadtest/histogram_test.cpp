#include "loadtest/histogram.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <vector>

using budget::loadtest::LatencyHistogram;

TEST_CASE("an empty histogram reports zeros", "[loadtest]") {
    const LatencyHistogram h;
    CHECK(h.count() == 0);
    CHECK(h.percentile(0.5) == 0);
    CHECK(h.max() == 0);
    CHECK(h.min() == 0);
}

TEST_CASE("small latencies are recorded exactly", "[loadtest]") {
    LatencyHistogram h;
    for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
    CHECK(h.count() == 100);
    CHECK(h.percentile(0.5) == 50);
    CHECK(h.percentile(0.99) == 99);
    CHECK(h.percentile(1.0) == 100);
    CHECK(h.min() == 1);
    CHECK(h.mean() == Approx(50.5));
}

TEST_CASE("every bucket stands for values within 1 % of its highest value", "[loadtest]") {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 100000; ++i) {
        const auto v = rng() >> (rng() % 64);
        const auto bucket = LatencyHistogram::bucket_of(v);
        const auto high = LatencyHistogram::highest_in_bucket(bucket);
        REQUIRE(high >= v);
        REQUIRE(static_cast<double>(high - v) <= 0.008 * static_cast<double>(v) + 1);
        if (bucket > 0) REQUIRE(LatencyHistogram::highest_in_bucket(bucket - 1) < v);
    }
}

TEST_CASE("percentiles follow the distribution within the bucket precision", "[loadtest]") {
    LatencyHistogram h;
    std::vector<std::uint64_t> values;
    for (std::uint64_t v = 1000; v < 101000; v += 1) values.push_back(v);  // 1 ms .. 101 ms
    for (const auto v : values) h.record(v);
    const auto p50 = static_cast<double>(h.percentile(0.5));
    const auto p99 = static_cast<double>(h.percentile(0.99));
    CHECK(p50 == Approx(51000).epsilon(0.01));
    CHECK(p99 == Approx(100000).epsilon(0.01));
    CHECK(h.percentile(1.0) == 100999);
    CHECK(h.percentile(0.999) <= h.max());
}

TEST_CASE("merging two histograms is recording both", "[loadtest]") {
    LatencyHistogram a, b, both;
    for (std::uint64_t v = 1; v < 5000; v += 7) {
        a.record(v);
        both.record(v);
    }
    for (std::uint64_t v = 3; v < 90000; v += 13) {
        b.record(v);
        both.record(v);
    }
    a.merge(b);
    CHECK(a.count() == both.count());
    CHECK(a.max() == both.max());
    CHECK(a.min() == both.min());
    for (const double q : {0.1, 0.5, 0.9, 0.99, 0.999})
        CHECK(a.percentile(q) == both.percentile(q));
}
