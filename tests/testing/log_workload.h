// Deterministic records and batch plans for the fault and crash tests.
//
// Record i's bytes depend only on (seed, i), so whichever process or stage wrote index i, a test
// can recompute what must be there, and a record found at index i must equal RecordAt(seed, i).
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_TESTS_TESTING_LOG_WORKLOAD_H_
#define SEALTRAIL_TESTS_TESTING_LOG_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sealtrail::testing {

// SplitMix64: a well-mixed 64-bit hash of `x`, also usable as a PRNG step.
uint64_t Mix64(uint64_t x);

// The record at `index`: 1..max_bytes bytes (length and content from Mix64 of seed and index).
// REQUIRES: max_bytes >= 1.
std::string RecordAt(uint64_t seed, uint64_t index, uint32_t max_bytes);

// `count` batch sizes, each in [1, max_batch], fixed by `seed`. REQUIRES: max_batch >= 1.
std::vector<uint32_t> BatchPlan(uint64_t seed, int count, uint32_t max_batch);

// The records [first, first + n) and views of them, in a form Log::Append takes.
struct RecordBatch {
  std::vector<std::string> records;
  std::vector<std::string_view> views;
};
RecordBatch MakeBatch(uint64_t seed, uint64_t first, uint32_t n, uint32_t max_bytes);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_LOG_WORKLOAD_H_
