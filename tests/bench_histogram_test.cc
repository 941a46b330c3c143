// The bench's LatencyHistogram (tools/bench/latency_histogram.h): percentiles checked against
// the exact order statistics of a sorted vector, within the stated relative error, over
// distributions that span many octaves.
#include "bench/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace sealtrail::bench {
namespace {

// The ceil(q * n)-th smallest value (the smallest for q = 0): what Percentile estimates.
uint64_t ExactPercentile(const std::vector<uint64_t>& sorted, double q) {
  const size_t rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(q * sorted.size())));
  return sorted[rank - 1];
}

void ExpectPercentilesWithinBound(const std::vector<uint64_t>& values) {
  LatencyHistogram histogram;
  for (uint64_t value : values) histogram.Record(value);
  std::vector<uint64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double q : {0.0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 1.0}) {
    const double exact = static_cast<double>(ExactPercentile(sorted, q));
    const double estimate = static_cast<double>(histogram.Percentile(q));
    EXPECT_LE(std::abs(estimate - exact), exact * LatencyHistogram::kMaxRelativeError)
        << "q=" << q << " exact=" << exact << " estimate=" << estimate;
  }
  EXPECT_EQ(histogram.count(), values.size());
  EXPECT_EQ(histogram.min(), sorted.front());
  EXPECT_EQ(histogram.max(), sorted.back());
}

TEST(LatencyHistogramTest, RelativeErrorIsUnderOnePercent) {
  EXPECT_LE(LatencyHistogram::kMaxRelativeError, 0.01);
}

TEST(LatencyHistogramTest, EmptyAnswersZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.Percentile(0.5), 0u);
  EXPECT_EQ(histogram.max(), 0u);
  EXPECT_EQ(histogram.min(), 0u);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (uint64_t v = 0; v < 256; ++v) histogram.Record(v);
  EXPECT_EQ(histogram.Percentile(0.5), 127u);
  EXPECT_EQ(histogram.Percentile(1.0), 255u);
  EXPECT_EQ(histogram.Percentile(0.0), 0u);
}

TEST(LatencyHistogramTest, LogNormalLatenciesMatchSortedReference) {
  std::mt19937_64 rng(7);
  // Around 1 ms with a long tail, in nanoseconds.
  std::lognormal_distribution<double> latency(std::log(1e6), 1.0);
  std::vector<uint64_t> values(200000);
  for (uint64_t& value : values) value = static_cast<uint64_t>(latency(rng));
  ExpectPercentilesWithinBound(values);
}

TEST(LatencyHistogramTest, ValuesAcrossEveryOctaveMatchSortedReference) {
  std::mt19937_64 rng(11);
  std::vector<uint64_t> values;
  for (int bits = 0; bits < 64; ++bits) {
    for (int i = 0; i < 500; ++i) {
      const uint64_t top = bits == 63 ? UINT64_MAX : (uint64_t{1} << (bits + 1)) - 1;
      values.push_back(std::uniform_int_distribution<uint64_t>(uint64_t{1} << bits, top)(rng));
    }
  }
  ExpectPercentilesWithinBound(values);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<uint64_t> latency(1000, 50'000'000);
  LatencyHistogram all;
  LatencyHistogram first;
  LatencyHistogram second;
  for (int i = 0; i < 10000; ++i) {
    const uint64_t value = latency(rng);
    all.Record(value);
    (i % 3 == 0 ? first : second).Record(value);
  }
  first.Merge(second);
  EXPECT_EQ(first.count(), all.count());
  EXPECT_EQ(first.min(), all.min());
  EXPECT_EQ(first.max(), all.max());
  for (double q : {0.5, 0.9, 0.99, 0.999}) EXPECT_EQ(first.Percentile(q), all.Percentile(q));
}

TEST(LatencyHistogramTest, RecordManyCountsEachTime) {
  LatencyHistogram histogram;
  histogram.RecordMany(5'000'000, 99);
  histogram.Record(90'000'000);
  EXPECT_EQ(histogram.count(), 100u);
  EXPECT_NEAR(static_cast<double>(histogram.Percentile(0.99)), 5e6, 5e6 / 256);
  EXPECT_EQ(histogram.Percentile(1.0), 90'000'000u);
  histogram.Clear();
  EXPECT_EQ(histogram.count(), 0u);
}

}  // namespace
}  // namespace sealtrail::bench
