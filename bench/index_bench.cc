// Micro-benchmark of the server's query index (AuditIndex, RocksDB): the cost of indexing
// records, which is the append pipeline's indexer stage (server/service/append_pipeline.h).
//
//   build/bench/sealtrail_index_bench                              # all
//   build/bench/sealtrail_index_bench --benchmark_filter=IndexAdd  # one group
//
// BM_IndexAdd/<batch>/<records>: indexes <records> generated records in batches of <batch>
// (as the pipeline does after each group commit) into a fresh index under /tmp, with the
// server's default IndexOptions: 10 tenants, 1000 actors, 24 actions, a random trace id and leaf
// hash per record, commit times ascending. Reports items_per_second and wall_us_per_record over
// the whole load (memtable inserts, flushes and compactions, which run on RocksDB's own threads,
// included as wall time: on a 2-core machine they compete with the indexer thread);
// caller_cpu_us_per_record, the CPU of the calling (indexer) thread alone; and
// process_cpu_us_per_record, all threads' CPU (flushes and compactions included); and
// disk_bytes_per_record, the index's files once fully compacted (outside the timed region).
// The index is closed (flushed) inside the timed region, so no work is left undone.
//
// BM_LiveIndexFields/<from_stored_bytes>/<record_size>: the per-record cost of making the index
// entry on the live path, for records from the load generator's RecordGenerator of about
// <record_size> bytes. 0: ExtractIndexFields on the in-memory record (what the pipeline did
// before there was one decoder); 1: IndexFieldsFromStoredBytes on the stored bytes (parse and
// leaf hash; what the pipeline, catch-up and rebuild all do now). Runs on the committer thread,
// after the appends are answered; compare with BM_IndexAdd's caller_cpu_us_per_record.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/record_generator.h"
#include "benchmark/benchmark.h"
#include "rocksdb/db.h"
#include "server/index/audit_index.h"
#include "server/index/index_fields.h"
#include "server/index/rocks_options.h"
#include "server/record/record.h"

namespace {

double CpuSeconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

// The index's size once fully compacted with the server's options (what a long-running index
// converges to; right after Close, the share of uncompressed L0 files varies from run to run).
uint64_t CompactedBytes(const std::string& dir) {
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(sealtrail::index_internal::MakeDbOptions(sealtrail::IndexOptions()), dir,
                         &raw)
           .ok()) {
    return 0;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  if (!db->CompactRange(compact, nullptr, nullptr).ok() || !db->Close().ok()) return 0;
  return DirectoryBytes(dir);
}

std::vector<sealtrail::IndexFields> GenerateRecords(uint64_t count) {
  std::mt19937_64 rng(42);
  std::vector<sealtrail::IndexFields> records;
  records.reserve(count);
  const int64_t start_ns = int64_t{1'790'000'000} * 1'000'000'000;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t actor = rng() % 1000;
    sealtrail::IndexFields f;
    f.tenant_id = absl::StrCat("tenant-", actor % 10);
    f.actor = absl::StrCat("agent-", actor, "@cx.example");
    f.action = absl::StrCat("call.action-", rng() % 24);
    f.commit_time_ns = start_ns + static_cast<int64_t>(i) * 7'000;
    f.outcome = 1 + static_cast<int32_t>(rng() % 3);
    f.trace_id.resize(16);
    for (char& c : f.trace_id) c = static_cast<char>(rng());
    f.leaf_hash.resize(32);
    for (char& c : f.leaf_hash) c = static_cast<char>(rng());
    records.push_back(std::move(f));
  }
  return records;
}

void BM_IndexAdd(benchmark::State& state) {
  const auto batch = static_cast<uint64_t>(state.range(0));
  const auto total = static_cast<uint64_t>(state.range(1));
  const std::vector<sealtrail::IndexFields> records = GenerateRecords(total);
  const std::string dir =
      (std::filesystem::temp_directory_path() / absl::StrCat("sealtrail-index-bench-", getpid()))
          .string();
  double wall_seconds = 0;
  double caller_cpu_seconds = 0;
  double process_cpu_seconds = 0;
  uint64_t disk_bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
    const auto wall_start = std::chrono::steady_clock::now();
    const double cpu_start = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    const double process_cpu_start = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
    absl::StatusOr<std::unique_ptr<sealtrail::AuditIndex>> index =
        sealtrail::AuditIndex::Open(dir, sealtrail::IndexOptions());
    if (!index.ok()) {
      state.SkipWithError(index.status().ToString().c_str());
      return;
    }
    for (uint64_t first = 0; first < total; first += batch) {
      const uint64_t n = std::min(batch, total - first);
      absl::Status added = (*index)->Add(first, absl::MakeConstSpan(records.data() + first, n));
      if (!added.ok()) {
        state.SkipWithError(added.ToString().c_str());
        return;
      }
    }
    absl::Status closed = (*index)->Close();
    if (!closed.ok()) {
      state.SkipWithError(closed.ToString().c_str());
      return;
    }
    caller_cpu_seconds += CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    state.PauseTiming();
    disk_bytes = CompactedBytes(dir);
    state.ResumeTiming();
    process_cpu_seconds += CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process_cpu_start;
    wall_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  }
  std::filesystem::remove_all(dir);
  const double records_done = static_cast<double>(state.iterations() * total);
  state.SetItemsProcessed(static_cast<int64_t>(records_done));
  state.counters["wall_us_per_record"] = wall_seconds * 1e6 / records_done;
  state.counters["caller_cpu_us_per_record"] = caller_cpu_seconds * 1e6 / records_done;
  state.counters["process_cpu_us_per_record"] = process_cpu_seconds * 1e6 / records_done;
  // The last iteration's index, fully compacted (outside the timed region).
  state.counters["disk_bytes_per_record"] =
      static_cast<double>(disk_bytes) / static_cast<double>(total);
}

BENCHMARK(BM_IndexAdd)
    ->Args({64, 300'000})
    ->Args({256, 1'000'000})
    ->Args({2048, 1'000'000})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_LiveIndexFields(benchmark::State& state) {
  const bool from_stored_bytes = state.range(0) != 0;
  sealtrail::bench::RecordShape shape;
  shape.record_size = static_cast<uint32_t>(state.range(1));
  sealtrail::bench::RecordGenerator generator(shape, 42);
  std::vector<sealtrail::v1::AuditRecord> records;
  std::vector<std::string> stored;
  for (uint32_t i = 0; i < 4096; ++i) {
    records.push_back(generator.Next(i % shape.actors));
    records.back().mutable_context()->set_commit_time_ns(int64_t{1'790'000'000'000'000'000} + i);
    stored.push_back(sealtrail::SerializeForLog(records.back()));
  }
  size_t i = 0;
  for (auto _ : state) {
    if (from_stored_bytes) {
      absl::StatusOr<sealtrail::IndexFields> fields =
          sealtrail::IndexFieldsFromStoredBytes(stored[i]);
      benchmark::DoNotOptimize(fields);
    } else {
      sealtrail::IndexFields fields = sealtrail::ExtractIndexFields(records[i]);
      benchmark::DoNotOptimize(fields);
    }
    i = (i + 1) % records.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

BENCHMARK(BM_LiveIndexFields)->ArgsProduct({{0, 1}, {300, 1000}})->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
