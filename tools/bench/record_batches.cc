#include "bench/record_batches.h"

#include <algorithm>
#include <random>

namespace sealtrail::bench {

std::vector<std::vector<v1::AuditRecord>> GenerateRecordBatches(const RecordShape& shape,
                                                                uint32_t batch, uint64_t seed) {
  const uint32_t batches = std::max<uint32_t>(4, (kMinPoolRecords + batch - 1) / batch);
  const uint64_t records = uint64_t{batches} * batch;
  std::vector<uint32_t> actors(records);
  for (uint64_t i = 0; i < records; ++i) actors[i] = static_cast<uint32_t>(i % shape.actors);
  std::mt19937_64 shuffle_rng(seed ^ 0x5eed);
  std::shuffle(actors.begin(), actors.end(), shuffle_rng);

  RecordGenerator generator(shape, seed);
  std::vector<std::vector<v1::AuditRecord>> out(batches);
  for (uint32_t b = 0; b < batches; ++b) {
    out[b].reserve(batch);
    for (uint32_t i = 0; i < batch; ++i) {
      out[b].push_back(generator.Next(actors[uint64_t{b} * batch + i]));
    }
  }
  return out;
}

}  // namespace sealtrail::bench
