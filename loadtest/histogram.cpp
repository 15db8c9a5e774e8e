#include "loadtest/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace budget::loadtest {

namespace {
constexpr std::uint64_t kSub = std::uint64_t{1} << LatencyHistogram::kSubBucketBits;
// Values below kSub are exact; each further power of two [2^m, 2^(m+1)) gets kSub buckets.
constexpr std::size_t kBuckets = kSub + (64 - LatencyHistogram::kSubBucketBits) * kSub;
}  // namespace

std::size_t LatencyHistogram::bucket_of(std::uint64_t micros) {
    if (micros < kSub) return static_cast<std::size_t>(micros);
    const int magnitude = 63 - std::countl_zero(micros);  // >= kSubBucketBits
    const int shift = magnitude - kSubBucketBits;
    const std::uint64_t top = micros >> shift;  // in [kSub, 2 kSub)
    return static_cast<std::size_t>(kSub + static_cast<std::uint64_t>(shift) * kSub + (top - kSub));
}

std::uint64_t LatencyHistogram::highest_in_bucket(std::size_t bucket) {
    if (bucket < kSub) return bucket;
    const auto shift = (bucket - kSub) / kSub;
    const auto top = kSub + (bucket - kSub) % kSub;
    const auto lowest = top << shift;
    return lowest + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t micros) {
    if (counts_.empty()) counts_.assign(kBuckets, 0);
    ++counts_[bucket_of(micros)];
    ++count_;
    sum_ += micros;
    min_ = std::min(min_, micros);
    max_ = std::max(max_, micros);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    if (other.count_ == 0) return;
    if (counts_.empty()) counts_.assign(kBuckets, 0);
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

std::uint64_t LatencyHistogram::percentile(double q) const {
    if (count_ == 0) return 0;
    if (q >= 1.0) return max_;
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::min(highest_in_bucket(i), max_);
    }
    return max_;
}

}  // namespace budget::loadtest
