#include "bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sealtrail::bench {
namespace {

constexpr int kExactValues = 1 << LatencyHistogram::kSubBucketBits;  // 256
constexpr int kHalf = kExactValues / 2;                              // buckets per octave
// Index of the last bucket: the top octave of 64-bit values, shift 56.
constexpr int kBucketCount = (64 - LatencyHistogram::kSubBucketBits + 1) * kHalf + kHalf;

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBucketCount, 0) {}

int LatencyHistogram::BucketIndex(uint64_t value) {
  if (value < static_cast<uint64_t>(kExactValues)) return static_cast<int>(value);
  // value = mantissa << shift with mantissa in [kHalf, 2 * kHalf); index = shift * kHalf +
  // mantissa continues the exact range without a gap.
  const int shift = std::bit_width(value) - kSubBucketBits;
  return shift * kHalf + static_cast<int>(value >> shift);
}

uint64_t LatencyHistogram::BucketLow(int index) {
  if (index < kExactValues) return static_cast<uint64_t>(index);
  const int shift = index / kHalf - 1;
  const uint64_t mantissa = static_cast<uint64_t>(index % kHalf + kHalf);
  return mantissa << shift;
}

uint64_t LatencyHistogram::BucketWidth(int index) {
  if (index < kExactValues) return 1;
  return uint64_t{1} << (index / kHalf - 1);
}

void LatencyHistogram::RecordMany(uint64_t value, uint64_t times) {
  if (times == 0) return;
  buckets_[BucketIndex(value)] += times;
  count_ += times;
  sum_ += value * times;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::Clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

uint64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const uint64_t rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  // The extremes are known exactly.
  if (rank == 1) return min_;
  if (rank >= count_) return max_;
  uint64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      const uint64_t middle = BucketLow(i) + BucketWidth(i) / 2;
      return std::clamp(middle, min_, max_);
    }
  }
  return max_;
}

}  // namespace sealtrail::bench
