// Micro-benchmark of the key map (server/keymap/, docs/format/keymap.md): what keeping every
// key's newest record in the authenticated map costs per updated key, and what its proofs cost.
//
//   build/bench/sealtrail_keymap_bench                                  # all (~1 min)
//   build/bench/sealtrail_keymap_bench --benchmark_filter=SetRoot       # one group
//
// BM_SetRoot/<entries>/<batch>/<fresh>: a map of <entries> random paths (built outside the
// timed region, with Reserve), then per iteration <batch> Set calls and one Root(), as the
// server would do per checkpoint. fresh = 1: new random paths (inserts; the map is rebuilt
// before each iteration so that it stays at <entries>); fresh = 0: paths already in the map
// (overwrites of head and count, the common case for tenants, actors and actions). Reports
// time_per_key (seconds of Set + Root over the batch, per key, with SI prefix: "3.1u" is
// 3.1 µs), hashes_per_key (SHA-256 calls of Root per key), and bytes_per_entry (the node
// vectors' capacity over the entry count). The fresh-key map is reserved with room for the
// batch: a vector growing inside the batch would copy the whole map (about 96 MB at 10^6).
//
// BM_Prove/<entries>: KeyMap::Prove plus SerializeMapProof for random paths (members and
// non-members alternately). BM_Verify/<entries>: ParseMapProof plus VerifyMapProof of such
// proofs. Both report proof_bytes, the mean encoded size.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "server/keymap/key_map.h"
#include "server/keymap/map_proof.h"

namespace {

using sealtrail::Hash;
using sealtrail::keymap::KeyHead;
using sealtrail::keymap::KeyMap;

Hash RandomPath(std::mt19937_64& rng) {
  Hash path;
  for (size_t i = 0; i < path.size(); i += 8) {
    const uint64_t word = rng();
    for (size_t j = 0; j < 8; ++j) path[i + j] = static_cast<uint8_t>(word >> (8 * j));
  }
  return path;
}

std::vector<Hash> RandomPaths(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Hash> paths(count);
  for (Hash& path : paths) path = RandomPath(rng);
  return paths;
}

// `room`: entries to reserve beyond `paths`, so that the timed inserts move no vector.
void Fill(KeyMap& map, const std::vector<Hash>& paths, size_t room = 0) {
  map.Reserve(paths.size() + room);
  uint64_t seq = 0;
  for (const Hash& path : paths) {
    if (!map.Set(path, {seq++, 1}).ok()) std::abort();
  }
  map.Root();
}

// One built map per size, shared by the benchmarks that do not grow it.
struct SharedMap {
  std::vector<Hash> paths;
  KeyMap map;
};
SharedMap& MapOf(size_t entries) {
  static std::map<size_t, std::unique_ptr<SharedMap>> maps;
  std::unique_ptr<SharedMap>& slot = maps[entries];
  if (slot == nullptr) {
    slot = std::make_unique<SharedMap>();
    slot->paths = RandomPaths(entries, entries);
    Fill(slot->map, slot->paths);
  }
  return *slot;
}

void BM_SetRoot(benchmark::State& state) {
  const size_t entries = static_cast<size_t>(state.range(0));
  const size_t batch = static_cast<size_t>(state.range(1));
  const bool fresh = state.range(2) != 0;
  std::mt19937_64 rng(99);
  SharedMap& shared = MapOf(entries);
  KeyMap rebuilt;
  uint64_t hashes = 0;
  uint64_t seq = entries;
  size_t bytes_per_entry = 0;
  std::vector<Hash> updates(batch);
  for (auto _ : state) {
    state.PauseTiming();
    KeyMap* map = &shared.map;
    if (fresh) {
      rebuilt = KeyMap();
      Fill(rebuilt, shared.paths, batch);
      map = &rebuilt;
      for (Hash& path : updates) path = RandomPath(rng);
    } else {
      for (Hash& path : updates) path = shared.paths[rng() % entries];
    }
    const uint64_t hashes_before = map->hashes_computed();
    state.ResumeTiming();
    for (const Hash& path : updates) {
      if (!map->Set(path, {seq, 2}).ok()) std::abort();
      ++seq;
    }
    benchmark::DoNotOptimize(map->Root());
    state.PauseTiming();
    hashes += map->hashes_computed() - hashes_before;
    bytes_per_entry = map->MemoryBytes() / map->size();
    state.ResumeTiming();
  }
  const double keys = static_cast<double>(batch) * static_cast<double>(state.iterations());
  state.counters["time_per_key"] =
      benchmark::Counter(keys, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["hashes_per_key"] = static_cast<double>(hashes) / keys;
  state.counters["bytes_per_entry"] = static_cast<double>(bytes_per_entry);
}

void SetRootArgs(benchmark::internal::Benchmark* b) {
  for (int64_t entries : {100'000, 1'000'000}) {
    for (int64_t batch : {4096, 16384, 65536}) {
      b->Args({entries, batch, 0});
      b->Args({entries, batch, 1});
    }
  }
}
// Rebuilding the map before each fresh-key iteration is slow (seconds at 10^6): few iterations.
BENCHMARK(BM_SetRoot)->Apply(SetRootArgs)->Iterations(4)->Unit(benchmark::kMillisecond);

// Members (even) and non-members (odd), as paths to prove.
std::vector<Hash> ProvePaths(const SharedMap& shared, size_t count) {
  std::mt19937_64 rng(5);
  std::vector<Hash> paths;
  for (size_t i = 0; i < count; ++i) {
    paths.push_back(i % 2 == 0 ? shared.paths[rng() % shared.paths.size()] : RandomPath(rng));
  }
  return paths;
}

void BM_Prove(benchmark::State& state) {
  SharedMap& shared = MapOf(static_cast<size_t>(state.range(0)));
  const std::vector<Hash> paths = ProvePaths(shared, 4096);
  size_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string proof =
        sealtrail::keymap::SerializeMapProof(shared.map.Prove(paths[i++ % paths.size()]));
    bytes += proof.size();
    benchmark::DoNotOptimize(proof);
  }
  state.counters["proof_bytes"] =
      static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Prove)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

void BM_Verify(benchmark::State& state) {
  SharedMap& shared = MapOf(static_cast<size_t>(state.range(0)));
  const std::vector<Hash> paths = ProvePaths(shared, 4096);
  std::vector<std::string> proofs;
  size_t total_bytes = 0;
  for (const Hash& path : paths) {
    proofs.push_back(sealtrail::keymap::SerializeMapProof(shared.map.Prove(path)));
    total_bytes += proofs.back().size();
  }
  const Hash root = shared.map.Root();
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ % proofs.size();
    auto proof = sealtrail::keymap::ParseMapProof(proofs[k]);
    if (!proof.ok()) std::abort();
    auto answer = sealtrail::keymap::VerifyMapProof(*proof, paths[k], root);
    if (!answer.ok()) std::abort();
    benchmark::DoNotOptimize(answer);
  }
  state.counters["proof_bytes"] =
      static_cast<double>(total_bytes) / static_cast<double>(proofs.size());
}
BENCHMARK(BM_Verify)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
