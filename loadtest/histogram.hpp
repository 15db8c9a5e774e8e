#pragma once
// A log-linear latency histogram in the spirit of HdrHistogram: exact below 128 µs, then 128
// linear sub-buckets per power of two, so every recorded value is known within 0.8 %.

#include <cstdint>
#include <vector>

namespace budget::loadtest {

class LatencyHistogram {
  public:
    /// Records one latency, in microseconds.
    void record(std::uint64_t micros);
    /// Adds every value recorded in `other`.
    void merge(const LatencyHistogram& other);

    std::uint64_t count() const { return count_; }
    std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
    std::uint64_t max() const { return max_; }
    double mean() const {
        return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
    }
    /// The smallest recorded bucket's highest value such that a fraction `q` (0..1) of the
    /// values are at or below it; exact max for q = 1; 0 when empty.
    std::uint64_t percentile(double q) const;

    static constexpr int kSubBucketBits = 7;
    /// The bucket holding `micros`, and the highest value that bucket stands for.
    static std::size_t bucket_of(std::uint64_t micros);
    static std::uint64_t highest_in_bucket(std::size_t bucket);

  private:
    std::vector<std::uint64_t> counts_;  // allocated on first record
    std::uint64_t count_ = 0;
    std::uint64_t sum_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
};

}  // namespace budget::loadtest
