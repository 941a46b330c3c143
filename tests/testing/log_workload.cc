#include "testing/log_workload.h"

#include <algorithm>
#include <cstring>

namespace sealtrail::testing {

uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::string RecordAt(uint64_t seed, uint64_t index, uint32_t max_bytes) {
  uint64_t state = Mix64(seed ^ Mix64(index));
  const size_t length = 1 + state % max_bytes;
  std::string out(length, '\0');
  for (size_t i = 0; i < length; i += sizeof(state)) {
    state = Mix64(state);
    std::memcpy(out.data() + i, &state, std::min(sizeof(state), length - i));
  }
  return out;
}

std::vector<uint32_t> BatchPlan(uint64_t seed, int count, uint32_t max_batch) {
  std::vector<uint32_t> sizes;
  uint64_t state = Mix64(seed);
  for (int i = 0; i < count; ++i) {
    state = Mix64(state);
    sizes.push_back(1 + static_cast<uint32_t>(state % max_batch));
  }
  return sizes;
}

RecordBatch MakeBatch(uint64_t seed, uint64_t first, uint32_t n, uint32_t max_bytes) {
  RecordBatch batch;
  batch.records.reserve(n);
  for (uint32_t i = 0; i < n; ++i) batch.records.push_back(RecordAt(seed, first + i, max_bytes));
  batch.views.assign(batch.records.begin(), batch.records.end());
  return batch;
}

}  // namespace sealtrail::testing
