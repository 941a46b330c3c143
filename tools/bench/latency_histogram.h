// LatencyHistogram: a log-linear histogram of non-negative integer values (latencies in
// nanoseconds) with a bounded relative error, in the manner of HdrHistogram.
//
// Values below 2^kSubBucketBits are counted exactly. Above that, each power-of-two range
// [2^e, 2^(e+1)) is split into 2^(kSubBucketBits-1) equal buckets, so a bucket is at most
// 1/128 of its lower bound wide, and Percentile() (which answers with the bucket's midpoint,
// clamped to the smallest and largest value recorded) is within 0.4% of the exact order
// statistic. Min, max, count and sum are exact.
//
// Recording is O(1) with no allocation; the bucket array (~60 KiB) is allocated once.
//
// Thread-safety: none; callers guard it (the bench keeps one per caller and merges them).
#ifndef SEALTRAIL_TOOLS_BENCH_LATENCY_HISTOGRAM_H_
#define SEALTRAIL_TOOLS_BENCH_LATENCY_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace sealtrail::bench {

class LatencyHistogram {
 public:
  // Bits of resolution: values below 2^kSubBucketBits are exact, larger ones are kept to
  // kSubBucketBits - 1 bits of mantissa.
  static constexpr int kSubBucketBits = 8;
  // The largest relative error of Percentile() against the exact order statistic.
  static constexpr double kMaxRelativeError = 1.0 / (1 << kSubBucketBits);

  LatencyHistogram();

  void Record(uint64_t value) { RecordMany(value, 1); }
  void RecordMany(uint64_t value, uint64_t times);
  // Adds every value of `other`.
  void Merge(const LatencyHistogram& other);
  void Clear();

  uint64_t count() const { return count_; }
  // 0 when empty.
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0 : static_cast<double>(sum_) / count_; }

  // The value at quantile `q` in [0, 1]: an estimate of the ceil(q * count)-th smallest value
  // (the smallest for q = 0), within kMaxRelativeError of it; exactly min() and max() for the
  // first and last. 0 when empty.
  uint64_t Percentile(double q) const;

 private:
  static int BucketIndex(uint64_t value);
  // The smallest value and the width of the bucket at `index`.
  static uint64_t BucketLow(int index);
  static uint64_t BucketWidth(int index);

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  uint64_t sum_ = 0;  // Wraps after ~584 years of summed nanoseconds; only mean() reads it.
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_LATENCY_HISTOGRAM_H_
