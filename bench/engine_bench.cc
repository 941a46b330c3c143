// Micro-benchmarks of the sealtrail engine (Google Benchmark).
//
// Build a Release tree, then run everything (under a minute on a 2-core VM, plus ~10 s the first
// time to build the cached proof logs, about 1 GB in /tmp/sealtrail-bench-*) or one group:
//
//   B=build/bench/sealtrail_engine_bench
//   $B                                           # the whole suite
//   $B --benchmark_filter='^BM_HashOnly'         # hash-only limit, no I/O
//   $B --benchmark_filter='^BM_Append/'          # appends, batch x {none, durable}, + threads
//   $B --benchmark_filter='threads:'             # durable group commit (2 and 4 threads)
//   $B --benchmark_filter='Proof'                # inclusion and consistency proofs
//   $B --benchmark_filter='^BM_Verify'           # VerifyDataDir throughput vs OpenSSL SHA-256
//   $B --benchmark_filter='^BM_Open'             # Log::Open of the 10^7-leaf log
//   $B --benchmark_filter='^BM_Checkpoint'       # sign / verify one checkpoint note (Ed25519)
//   $B --benchmark_filter='^BM_FullOffline'      # auditor's offline check of the 10^7-leaf log
//
// Names: BM_Append/<batch>/<sync> with sync 0 = SyncPolicy::kNone, 1 = kDurable;
// BM_InclusionProof/<leaves>, BM_ConsistencyProof/<leaves>, BM_Open/<leaves>;
// BM_Verify/<record bytes>/<VerifyOptions::threads, 0 = one per hardware thread>;
// BM_FullOfflineVerify/<leaves>/<threads, as BM_Verify>.
//
// Every benchmark that writes uses a fresh directory under /tmp and removes it, except the proof
// and open benchmarks: their logs (SyncPolicy::kNone, 16-byte records) are kept in
// /tmp/sealtrail-bench-<leaves> across runs and rebuilt when missing or of the wrong size; delete
// them by hand when done. Data written just before it is read is in the page cache, so the
// verify and proof figures are CPU figures, not disk figures.
//
// Counters: items_per_second / bytes_per_second as usual (wall time for everything that does
// I/O). Append benchmarks also measure, in the same run and untimed, the hash-only rate on the
// same records (hash_only_per_s: one thread, best of 4 x 50 ms before the timed loop) and report
// appends_per_s and ratio_to_hash_only = appends_per_s / hash_only_per_s; with threads both are
// totals over the threads. Proofs report ns_per_proof. BM_Verify reports verify_MBps,
// openssl_sha256_8k_MBps (EVP SHA-256 over 8 KiB blocks, one thread, measured once per process) and
// ratio_to_openssl. BM_CheckpointSign and BM_CheckpointVerify report us_per_op (one signed
// note: NoteSigner::Sign of a checkpoint body; VerifyCheckpoint of the signed note).
// BM_FullOfflineVerify is what `sealtrail verify` does for an auditor on the cached 10^7-record
// proof log: VerifyDataDir (every segment rehashed, node tables and chain compared) plus one
// signed checkpoint of the log's head verified and compared with the recomputed size and root;
// it reports verify_MBps (segment bytes read per second of wall time) and records_per_s. The
// checkpoint is signed in memory in setup; nothing is written to the cached directory.
// MB = 10^6 bytes.
#include <openssl/evp.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "benchmark/benchmark.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/note.h"
#include "sealtrail/note_signer.h"
#include "sealtrail/verify.h"

namespace sealtrail {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kAppendRecordBytes = 256;
constexpr size_t kRecordPool = 4096;  // Distinct records cycled through by hash and append runs.

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A fresh directory under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/sealtrail-bench-tmp-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) std::perror("mkdtemp");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string DataDir() const { return path_ + "/data"; }

 private:
  std::string path_;
};

// `count` random records of `bytes` bytes, back to back in one buffer so that hashing and
// appending them see the same, compact memory layout whatever the heap looked like before.
class RecordPool {
 public:
  RecordPool(size_t count, size_t bytes, uint64_t seed) : buffer_(count * bytes, '\0') {
    std::mt19937_64 rng(seed);
    for (char& c : buffer_) c = static_cast<char>(rng());
    for (size_t i = 0; i < count; ++i) records_.emplace_back(buffer_.data() + i * bytes, bytes);
  }
  RecordPool(const RecordPool&) = delete;
  RecordPool& operator=(const RecordPool&) = delete;

  absl::Span<const std::string_view> records() const { return records_; }
  size_t size() const { return records_.size(); }

 private:
  std::string buffer_;
  std::vector<std::string_view> records_;
};

// The interior nodes an append computes: one pending complete subtree per level, merged as
// leaves arrive (a compact range over [0, count)). Memory O(log n), no I/O.
class Frontier {
 public:
  void Add(const Hash& leaf) {
    Hash node = leaf;
    size_t level = 0;
    for (uint64_t n = count_; n & 1; n >>= 1, ++level) node = HashChildren(levels_[level], node);
    if (level == levels_.size()) {
      levels_.push_back(node);
    } else {
      levels_[level] = node;
    }
    ++count_;
  }
  const Hash& top() const { return levels_.back(); }

 private:
  std::vector<Hash> levels_;
  uint64_t count_ = 0;
};

void HashRecords(absl::Span<const std::string_view> records, Frontier& frontier) {
  for (std::string_view record : records) frontier.Add(HashLeaf(record));
}

// Clears the upper halves of the vector registers of the calling thread. While they are dirty
// the legacy-SSE SHA-NI code in OpenSSL runs ~25-30% slower (measured on this project's 2-vCPU
// AMD EPYC VM). ISA-L's AVX-512 CRC leaves them dirty; the engine clears them after each CRC
// (engine/src/crc32c.cc), and the limits here are measured from a clean state too, so that
// nothing that ran before in the thread can lower the denominator of ratio_to_hash_only.
void ClearUpperVectorState() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx")) asm volatile("vzeroupper");
#endif
}

// Leaves per second of HashRecords on `records`: the best of `slices` runs of ~50 ms each, so
// that a moment of contention on a shared machine does not lower the limit.
double MeasureHashOnlyPerSecond(absl::Span<const std::string_view> records, int slices = 4) {
  ClearUpperVectorState();
  double best = 0;
  for (int slice = 0; slice < slices; ++slice) {
    Frontier frontier;
    uint64_t hashed = 0;
    const Clock::time_point start = Clock::now();
    double elapsed = 0;
    do {
      HashRecords(records, frontier);
      hashed += records.size();
      elapsed = SecondsSince(start);
    } while (elapsed < 0.05);
    benchmark::DoNotOptimize(frontier.top());
    best = std::max(best, static_cast<double>(hashed) / elapsed);
  }
  return best;
}

// MB/s (10^6 bytes) of OpenSSL EVP SHA-256 over separate 8 KiB messages, one thread, ~0.5 s;
// the figure `openssl speed -evp sha256` prints for 8192-byte blocks. Measured once.
double OpenSslSha256MBps() {
  static const double rate = [] {
    ClearUpperVectorState();  // Like the hash-only limit: OpenSSL's own speed, not ISA-L's debt.
    std::string block(8192, '\x5a');
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    uint64_t blocks = 0;
    const Clock::time_point start = Clock::now();
    double elapsed = 0;
    do {
      for (int i = 0; i < 64; ++i, ++blocks) {
        EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
        EVP_DigestUpdate(ctx, block.data(), block.size());
        EVP_DigestFinal_ex(ctx, digest, &digest_len);
        block[0] = static_cast<char>(digest[0]);
      }
      elapsed = SecondsSince(start);
    } while (elapsed < 0.5);
    EVP_MD_CTX_free(ctx);
    return static_cast<double>(blocks) * 8192 / elapsed / 1e6;
  }();
  return rate;
}

// ---- Hashing only ----

void BM_HashOnly(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  const RecordPool pool(std::max(batch, kRecordPool), kAppendRecordBytes, 1);
  ClearUpperVectorState();
  Frontier frontier;
  size_t offset = 0;
  for (auto _ : state) {
    HashRecords(pool.records().subspan(offset, batch), frontier);
    offset = (offset + batch) % (pool.size() - batch + 1);
  }
  benchmark::DoNotOptimize(frontier.top());
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetBytesProcessed(state.iterations() * batch * kAppendRecordBytes);
}
BENCHMARK(BM_HashOnly)->Arg(1)->Arg(16)->Arg(256)->Arg(4096);

// ---- Appends ----

// Shared by the threads of one BM_Append run; thread 0 sets it up before the benchmark's start
// barrier and tears it down after the stop barrier.
struct AppendFixture {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<Log> log;
  std::string open_error;
  double hash_only_per_s = 0;
};
AppendFixture g_append;

void BM_Append(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  const SyncPolicy sync = state.range(1) != 0 ? SyncPolicy::kDurable : SyncPolicy::kNone;
  const RecordPool pool(std::max(batch, kRecordPool), kAppendRecordBytes,
                        100 + state.thread_index());
  if (state.thread_index() == 0) {
    g_append.dir = std::make_unique<TempDir>();
    LogOptions options;
    options.sync = sync;
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(options, g_append.dir->DataDir());
    g_append.open_error = log.ok() ? "" : log.status().ToString();
    g_append.log = log.ok() ? *std::move(log) : nullptr;
    g_append.hash_only_per_s = MeasureHashOnlyPerSecond(pool.records());
  }

  size_t offset = 0;
  bool first = true;
  Clock::time_point start;
  for (auto _ : state) {
    if (first) {
      start = Clock::now();
      first = false;
    }
    if (g_append.log == nullptr) {
      state.SkipWithError(g_append.open_error.c_str());
      break;
    }
    absl::StatusOr<uint64_t> index = g_append.log->Append(pool.records().subspan(offset, batch));
    if (!index.ok()) {
      state.SkipWithError(index.status().ToString().c_str());
      break;
    }
    offset = (offset + batch) % (pool.size() - batch + 1);
  }
  const double elapsed = SecondsSince(start);

  const double items = static_cast<double>(state.iterations() * batch);
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetBytesProcessed(state.iterations() * batch * kAppendRecordBytes);
  // Per-thread rates add up to the run's rate (the default counter flag sums over threads).
  const double appends_per_s = elapsed > 0 ? items / elapsed : 0;
  state.counters["appends_per_s"] = appends_per_s;
  state.counters["ratio_to_hash_only"] = appends_per_s / g_append.hash_only_per_s;
  state.counters["hash_only_per_s"] =
      benchmark::Counter(g_append.hash_only_per_s, benchmark::Counter::kAvgThreads);

  if (state.thread_index() == 0) {
    g_append.log.reset();
    g_append.dir.reset();
  }
}

BENCHMARK(BM_Append)->Args({1, 0})->Iterations(20000)->UseRealTime();
BENCHMARK(BM_Append)->Args({16, 0})->Iterations(5000)->UseRealTime();
BENCHMARK(BM_Append)->Args({256, 0})->Iterations(1000)->UseRealTime();
BENCHMARK(BM_Append)->Args({4096, 0})->Iterations(100)->UseRealTime();
BENCHMARK(BM_Append)->Args({1, 1})->Iterations(200)->UseRealTime();
BENCHMARK(BM_Append)->Args({16, 1})->Iterations(200)->UseRealTime();
BENCHMARK(BM_Append)->Args({256, 1})->Iterations(100)->UseRealTime();
BENCHMARK(BM_Append)->Args({4096, 1})->Iterations(20)->UseRealTime();
// Group commit: concurrent durable appenders share fdatasyncs. Iterations are per thread.
BENCHMARK(BM_Append)->Args({16, 1})->Iterations(100)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK(BM_Append)->Args({4096, 1})->Iterations(10)->Threads(2)->Threads(4)->UseRealTime();

// ---- Proofs and open, on big logs built once ----

std::string ProofLogDir(uint64_t leaves) {
  return absl::StrFormat("/tmp/sealtrail-bench-%d", leaves);
}

LogOptions ProofLogOptions() {
  LogOptions options;
  options.sync = SyncPolicy::kNone;
  return options;
}

absl::Status BuildProofLog(uint64_t leaves, const std::string& dir) {
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  std::fprintf(stderr, "building a %llu-leaf log in %s ...\n",
               static_cast<unsigned long long>(leaves), dir.c_str());
  const Clock::time_point start = Clock::now();
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(ProofLogOptions(), dir);
  if (!log.ok()) return log.status();
  constexpr uint64_t kBatch = 1 << 16;
  std::string buffer(kBatch * 16 + 1, '\0');  // +1: snprintf's terminator.
  std::vector<std::string_view> views;
  for (uint64_t first = 0; first < leaves; first += kBatch) {
    const uint64_t n = std::min(kBatch, leaves - first);
    views.clear();
    for (uint64_t i = 0; i < n; ++i) {
      char* record = buffer.data() + i * 16;
      std::snprintf(record, 17, "%016llu", static_cast<unsigned long long>(first + i));
      views.emplace_back(record, 16);
    }
    absl::StatusOr<uint64_t> index = (*log)->Append(views);
    if (!index.ok()) return index.status();
  }
  std::fprintf(stderr, "built in %.1f s\n", SecondsSince(start));
  return absl::OkStatus();
}

// The cached log of `leaves` records, open; built first if missing or of another size.
class ProofLogs {
 public:
  static absl::StatusOr<Log*> Get(uint64_t leaves) {
    std::unique_ptr<Log>& log = open_logs()[leaves];
    if (log != nullptr) return log.get();
    const std::string dir = ProofLogDir(leaves);
    LogOptions options = ProofLogOptions();
    options.create_if_missing = false;
    absl::StatusOr<std::unique_ptr<Log>> opened = Log::Open(options, dir);
    if (!opened.ok() || (*opened)->Size() != leaves) {
      if (opened.ok()) opened->reset();  // Releases the lock before rebuilding.
      if (absl::Status built = BuildProofLog(leaves, dir); !built.ok()) return built;
      opened = Log::Open(options, dir);
      if (!opened.ok()) return opened.status();
    }
    log = *std::move(opened);
    return log.get();
  }
  // Releases the directory's lock so that BM_Open can open it.
  static void Close(uint64_t leaves) { open_logs().erase(leaves); }

 private:
  static std::map<uint64_t, std::unique_ptr<Log>>& open_logs() {
    static std::map<uint64_t, std::unique_ptr<Log>> logs;  // Closed at exit.
    return logs;
  }
};

// Times the loop from its first iteration and reports ns_per_proof.
void ReportNsPerOp(benchmark::State& state, Clock::time_point start) {
  const double elapsed = SecondsSince(start);
  state.SetItemsProcessed(state.iterations());
  state.counters["ns_per_proof"] = elapsed * 1e9 / static_cast<double>(state.iterations());
}

void BM_InclusionProof(benchmark::State& state) {
  const uint64_t leaves = static_cast<uint64_t>(state.range(0));
  absl::StatusOr<Log*> log = ProofLogs::Get(leaves);
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return;
  }
  std::mt19937_64 rng(7);
  const Clock::time_point start = Clock::now();
  for (auto _ : state) {
    const uint64_t tree_size = 1 + rng() % leaves;
    const uint64_t index = rng() % tree_size;
    absl::StatusOr<InclusionProof> proof = (*log)->ProveInclusion(index, tree_size);
    if (!proof.ok()) {
      state.SkipWithError(proof.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(proof->path.data());
  }
  ReportNsPerOp(state, start);
}
BENCHMARK(BM_InclusionProof)->Arg(1'000'000)->Arg(10'000'000)->UseRealTime();

void BM_ConsistencyProof(benchmark::State& state) {
  const uint64_t leaves = static_cast<uint64_t>(state.range(0));
  absl::StatusOr<Log*> log = ProofLogs::Get(leaves);
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return;
  }
  std::mt19937_64 rng(11);
  const Clock::time_point start = Clock::now();
  for (auto _ : state) {
    const uint64_t new_size = 1 + rng() % leaves;
    const uint64_t old_size = 1 + rng() % new_size;
    absl::StatusOr<ConsistencyProof> proof = (*log)->ProveConsistency(old_size, new_size);
    if (!proof.ok()) {
      state.SkipWithError(proof.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(proof->path.data());
  }
  ReportNsPerOp(state, start);
}
BENCHMARK(BM_ConsistencyProof)->Arg(1'000'000)->Arg(10'000'000)->UseRealTime();

void BM_Open(benchmark::State& state) {
  const uint64_t leaves = static_cast<uint64_t>(state.range(0));
  if (absl::StatusOr<Log*> log = ProofLogs::Get(leaves); !log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return;
  }
  ProofLogs::Close(leaves);
  LogOptions options = ProofLogOptions();
  options.create_if_missing = false;
  for (auto _ : state) {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(options, ProofLogDir(leaves));
    if (!log.ok() || (*log)->Size() != leaves) {
      state.SkipWithError(log.ok() ? "wrong size after open" : log.status().ToString().c_str());
      break;
    }
    state.PauseTiming();
    log->reset();  // Closing is not part of opening.
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Open)->Arg(10'000'000)->Iterations(10)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- Offline verification ----

constexpr uint64_t kVerifyLogBytes = 200'000'000;

// A ~200 MB log of `record_bytes` records in a temp dir, built once per process and removed at
// exit. 8 KiB records get 2^12-leaf segments (32 MiB each) so that, like the 256-byte log with
// its default 2^16, the log has a dozen segments to verify in parallel.
absl::StatusOr<std::string> VerifyLogDir(size_t record_bytes) {
  static std::map<size_t, std::unique_ptr<TempDir>> dirs;  // Destroyed, so removed, at exit.
  std::unique_ptr<TempDir>& dir = dirs[record_bytes];
  if (dir != nullptr) return dir->DataDir();
  dir = std::make_unique<TempDir>();
  LogOptions options;
  options.sync = SyncPolicy::kNone;
  options.leaves_per_segment_log2 = record_bytes >= 4096 ? 12 : 16;
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(options, dir->DataDir());
  if (!log.ok()) return log.status();
  const RecordPool pool(std::max<size_t>(1, (4 << 20) / record_bytes), record_bytes, 3);
  for (uint64_t written = 0; written < kVerifyLogBytes; written += pool.size() * record_bytes) {
    absl::StatusOr<uint64_t> first = (*log)->Append(pool.records());
    if (!first.ok()) return first.status();
  }
  return dir->DataDir();
}

void BM_Verify(benchmark::State& state) {
  const size_t record_bytes = static_cast<size_t>(state.range(0));
  absl::StatusOr<std::string> dir = VerifyLogDir(record_bytes);
  if (!dir.ok()) {
    state.SkipWithError(dir.status().ToString().c_str());
    return;
  }
  VerifyOptions options;
  options.threads = static_cast<int>(state.range(1));
  uint64_t bytes = 0;
  const Clock::time_point start = Clock::now();
  for (auto _ : state) {
    absl::StatusOr<VerifyReport> report = VerifyDataDir(*dir, options);
    if (!report.ok()) {
      state.SkipWithError(report.status().ToString().c_str());
      break;
    }
    bytes += report->bytes;
  }
  const double verify_mbps = static_cast<double>(bytes) / SecondsSince(start) / 1e6;
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["verify_MBps"] = verify_mbps;
  state.counters["openssl_sha256_8k_MBps"] = OpenSslSha256MBps();
  state.counters["ratio_to_openssl"] = verify_mbps / OpenSslSha256MBps();
}
BENCHMARK(BM_Verify)
    ->Args({256, 0})
    ->Args({256, 1})
    ->Args({8192, 0})
    ->Args({8192, 1})
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ---- Checkpoints ----

// The benchmarks' signing key, generated once per process.
const NoteSigner& BenchSigner() {
  static const NoteSigner* const signer = [] {
    absl::StatusOr<NoteSigner> generated = NoteSigner::Generate("bench.sealtrail.example/log");
    if (!generated.ok()) {
      std::fprintf(stderr, "NoteSigner::Generate: %s\n", generated.status().ToString().c_str());
      std::abort();
    }
    return new NoteSigner(*std::move(generated));
  }();
  return *signer;
}

Checkpoint BenchCheckpoint(uint64_t size, const Hash& root) {
  Checkpoint checkpoint;
  checkpoint.origin = BenchSigner().verifier_key().name;
  checkpoint.size = size;
  checkpoint.root = root;
  checkpoint.timestamp_ms = 1700000000123;
  return checkpoint;
}

void ReportUsPerOp(benchmark::State& state, Clock::time_point start) {
  state.SetItemsProcessed(state.iterations());
  state.counters["us_per_op"] = SecondsSince(start) * 1e6 / static_cast<double>(state.iterations());
}

void BM_CheckpointSign(benchmark::State& state) {
  const std::string body = FormatCheckpointBody(BenchCheckpoint(10'000'000, HashLeaf("bench")));
  const Clock::time_point start = Clock::now();
  for (auto _ : state) {
    absl::StatusOr<std::string> note = BenchSigner().Sign(body);
    if (!note.ok()) {
      state.SkipWithError(note.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(note->data());
  }
  ReportUsPerOp(state, start);
}
BENCHMARK(BM_CheckpointSign)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_CheckpointVerify(benchmark::State& state) {
  absl::StatusOr<std::string> note =
      BenchSigner().Sign(FormatCheckpointBody(BenchCheckpoint(10'000'000, HashLeaf("bench"))));
  if (!note.ok()) {
    state.SkipWithError(note.status().ToString().c_str());
    return;
  }
  const NoteVerifierKey& key = BenchSigner().verifier_key();
  const Clock::time_point start = Clock::now();
  for (auto _ : state) {
    absl::StatusOr<Checkpoint> checkpoint = VerifyCheckpoint(*note, key);
    if (!checkpoint.ok()) {
      state.SkipWithError(checkpoint.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(checkpoint->root);
  }
  ReportUsPerOp(state, start);
}
BENCHMARK(BM_CheckpointVerify)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_FullOfflineVerify(benchmark::State& state) {
  const uint64_t leaves = static_cast<uint64_t>(state.range(0));
  absl::StatusOr<Log*> log = ProofLogs::Get(leaves);  // Builds the cached log if missing.
  if (!log.ok()) {
    state.SkipWithError(log.status().ToString().c_str());
    return;
  }
  absl::StatusOr<TreeHead> head = (*log)->Head();
  if (!head.ok()) {
    state.SkipWithError(head.status().ToString().c_str());
    return;
  }
  // The log's signed checkpoint, as the auditor would receive it; kept in memory only.
  absl::StatusOr<std::string> note =
      BenchSigner().Sign(FormatCheckpointBody(BenchCheckpoint(head->size, head->root)));
  if (!note.ok()) {
    state.SkipWithError(note.status().ToString().c_str());
    return;
  }
  const NoteVerifierKey& key = BenchSigner().verifier_key();
  VerifyOptions options;
  options.threads = static_cast<int>(state.range(1));
  uint64_t bytes = 0;
  uint64_t records = 0;
  const Clock::time_point start = Clock::now();
  for (auto _ : state) {
    absl::StatusOr<VerifyReport> report = VerifyDataDir(ProofLogDir(leaves), options);
    if (!report.ok()) {
      state.SkipWithError(report.status().ToString().c_str());
      break;
    }
    absl::StatusOr<Checkpoint> checkpoint = VerifyCheckpoint(*note, key);
    if (!checkpoint.ok()) {
      state.SkipWithError(checkpoint.status().ToString().c_str());
      break;
    }
    if (checkpoint->size != report->records || checkpoint->root != report->root) {
      state.SkipWithError("the signed checkpoint does not match the recomputed tree");
      break;
    }
    bytes += report->bytes;
    records += report->records;
  }
  const double elapsed = SecondsSince(start);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(records));
  state.counters["verify_MBps"] = static_cast<double>(bytes) / elapsed / 1e6;
  state.counters["records_per_s"] = static_cast<double>(records) / elapsed;
}
BENCHMARK(BM_FullOfflineVerify)
    ->Args({10'000'000, 0})
    ->Args({10'000'000, 1})
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sealtrail

BENCHMARK_MAIN();
