#include "server/index/rocks_options.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "rocksdb/cache.h"
#include "rocksdb/convenience.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "server/index/index_keys.h"

namespace sealtrail::index_internal {
namespace {

// Maps an R key to its (tenant, trace id) prefix and an H key to 'H' and its 8 hash bytes; other
// keys are outside the domain and get no filter entries. Every trace or leaf-hash lookup is a scan
// within one such prefix, so the bloom filter lets it skip SST files that hold no entry for it.
// The name is stored in the SST files; renaming it makes RocksDB ignore old filters (safe, just
// slower) until they are compacted. (".1" covered R keys only, in format sealtrail-index/1.)
class LookupPrefixTransform : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "sealtrail.LookupPrefix.2"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), LookupPrefixLength(std::string_view(key.data(), key.size())));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return LookupPrefixLength(std::string_view(key.data(), key.size())) != 0;
  }
};

// The memtable insert hint: RocksDB keeps the last insert position per prefix, and since each
// T/A/X/R prefix only ever receives ascending keys, an insert starts where the previous one of
// its prefix ended rather than at the top of the skip list (most of the indexer's CPU without
// it). Not stored in SST files; changing it needs no format change.
class InsertRunPrefixTransform : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "sealtrail.InsertRunPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(),
                          InsertRunPrefixLength(std::string_view(key.data(), key.size())));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return InsertRunPrefixLength(std::string_view(key.data(), key.size())) != 0;
  }
};

bool HasLz4() {
  const std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  return std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end();
}

}  // namespace

rocksdb::Options MakeDbOptions(const IndexOptions& options) {
  rocksdb::Options db;
  db.paranoid_checks = true;
  db.write_buffer_size = options.write_buffer_bytes;
  db.max_background_jobs = 2;
  // Under a sustained append load on a small machine, flushes and compactions fall behind in
  // bursts. RocksDB's defaults then delay every write (2 memtables, slowdown at 20 L0 files),
  // which showed as ~100 ms stalls at the appenders' p99.9 and halved the indexing rate in
  // bench/index_bench.cc. Two more memtables and a higher L0 threshold absorb those bursts;
  // queries read a few more L0 files meanwhile (each is checked with its bloom filter or
  // a seek), and a longer backlog still slows writers down before it grows without bound.
  db.max_write_buffer_number = 4;
  db.level0_slowdown_writes_trigger = 32;
  db.level0_stop_writes_trigger = 48;
  db.level_compaction_dynamic_level_bytes = true;
  // Compressing only the last level saves the flushes' and upper compactions' CPU; with
  // level_compaction_dynamic_level_bytes nearly all data lives in the last level anyway.
  db.compression = rocksdb::kNoCompression;
  db.bottommost_compression =
      options.compress && HasLz4() ? rocksdb::kLZ4Compression : rocksdb::kDisableCompressionOption;
  // A crash may drop unflushed memtables only (no WAL); flushing at close keeps a clean
  // shutdown from having to re-index anything.
  db.avoid_flush_during_shutdown = false;
  // AuditIndex::Open replaces RocksDB's info log with one that survives a full disk
  // (rocks_info_log.h); this is its level.
  db.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;

  db.prefix_extractor = std::make_shared<LookupPrefixTransform>();
  db.memtable_prefix_bloom_size_ratio = 0.02;
  db.memtable_insert_with_hint_prefix_extractor = std::make_shared<InsertRunPrefixTransform>();

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(options.bloom_bits_per_key));
  // Point lookups are rare (meta keys, the open-time spot check); filters are for prefixes.
  table.whole_key_filtering = false;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.format_version = 5;
  db.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return db;
}

rocksdb::WriteOptions MakeWriteOptions() {
  rocksdb::WriteOptions write;
  write.disableWAL = true;
  write.sync = false;
  return write;
}

}  // namespace sealtrail::index_internal
