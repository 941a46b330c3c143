// IndexOptions: tuning for the RocksDB secondary index (server/index/). Why each default was
// chosen is in docs/index.md.
#ifndef SEALTRAIL_SERVER_INDEX_INDEX_OPTIONS_H_
#define SEALTRAIL_SERVER_INDEX_INDEX_OPTIONS_H_

#include <cstddef>
#include <cstdint>

namespace sealtrail {

struct IndexOptions {
  // Shared LRU cache for data, index and filter blocks.
  size_t block_cache_bytes = size_t{64} << 20;
  // Memtable size; also bounds how much indexing a crash can lose (it is re-done from the log).
  size_t write_buffer_bytes = size_t{32} << 20;
  // LZ4 block compression when the RocksDB library has it, else none. False: always none.
  bool compress = true;
  // Bloom filter bits per (tenant, trace id) prefix.
  int bloom_bits_per_key = 10;
  // Records read from the log and written per WriteBatch by CatchUp. At least 1.
  uint32_t catch_up_batch_records = 4096;
  // Open reads every SST block and checks its checksum, so a corrupt index is found (and, by
  // OpenOrRebuild, rebuilt) at start rather than at the first unlucky query. Costs one
  // sequential read of the index.
  bool verify_checksums_on_open = true;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_INDEX_INDEX_OPTIONS_H_
