// Micro-benchmarks of multi-leaf inclusion proofs (sealtrail/merkle_proof.h), Google Benchmark.
//
//   build/bench/sealtrail_multiproof_bench
//
// The tree is held in memory: 10^6 synthetic leaf hashes and every perfect node above them,
// built once per process (~1 s, 64 MB). Proofs are planned and assembled by the engine's own
// proof builder over those nodes, as Log::ProveMultiInclusion does over stored ones, so no log
// is needed and the figures are CPU figures.
//
// Names: BM_VerifyMultiInclusion/<leaves proven>/<layout>, BM_ProveMultiInclusionInMemory/...
// with layout 0 = clustered (one run of adjacent leaves at an arbitrary offset) and
// 1 = scattered (distinct leaves drawn uniformly). Counters: ms_per_proof, path_hashes (the
// proof's length) and ns_per_leaf.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "proof_builder.h"
#include "sealtrail/hash.h"
#include "sealtrail/merkle_proof.h"

namespace sealtrail {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kTreeSize = 1'000'000;

// Every perfect node of the tree of kTreeSize synthetic leaves: levels[l][i] covers leaves
// [i << l, (i + 1) << l).
struct InMemoryTree {
  std::vector<std::vector<Hash>> levels;

  NodeFetcher Fetcher() const {
    return [this](uint32_t level, uint64_t index) -> absl::StatusOr<Hash> {
      if (level >= levels.size() || index >= levels[level].size()) {
        return absl::InternalError(absl::StrCat("no node (", level, ", ", index, ")"));
      }
      return levels[level][index];
    };
  }
};

const InMemoryTree& Tree() {
  static const InMemoryTree* const tree = [] {
    auto* t = new InMemoryTree;
    std::vector<Hash> leaves(kTreeSize);
    for (uint64_t i = 0; i < kTreeSize; ++i) leaves[i] = HashLeaf(absl::StrCat("record ", i));
    t->levels.push_back(std::move(leaves));
    while (t->levels.back().size() > 1) {
      const std::vector<Hash>& below = t->levels.back();
      std::vector<Hash> level(below.size() / 2);
      for (size_t i = 0; i < level.size(); ++i)
        level[i] = HashChildren(below[2 * i], below[2 * i + 1]);
      t->levels.push_back(std::move(level));
    }
    return t;
  }();
  return *tree;
}

// `count` strictly increasing leaf indices below kTreeSize; the same for every run.
std::vector<uint64_t> LeafIndices(uint64_t count, bool scattered) {
  std::vector<uint64_t> indices;
  if (!scattered) {
    const uint64_t first = 123'457;  // Not aligned to any subtree of interest.
    for (uint64_t i = 0; i < count; ++i) indices.push_back(first + i);
    return indices;
  }
  std::mt19937_64 rng(count);
  std::vector<bool> taken(kTreeSize);
  while (indices.size() < count) {
    const uint64_t index = rng() % kTreeSize;
    if (!taken[index]) {
      taken[index] = true;
      indices.push_back(index);
    }
  }
  std::sort(indices.begin(), indices.end());
  return indices;
}

absl::StatusOr<std::vector<Hash>> Prove(const std::vector<uint64_t>& indices) {
  return AssemblePath(PlanMultiInclusion(indices, kTreeSize), Tree().Fetcher());
}

void ReportPerProof(benchmark::State& state, Clock::time_point start, size_t leaves,
                    size_t path_hashes) {
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count() /
                         static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(leaves));
  state.counters["ms_per_proof"] = seconds * 1e3;
  state.counters["path_hashes"] = static_cast<double>(path_hashes);
  state.counters["ns_per_leaf"] = seconds * 1e9 / static_cast<double>(leaves);
}

void BM_VerifyMultiInclusion(benchmark::State& state) {
  const std::vector<uint64_t> indices = LeafIndices(state.range(0), state.range(1) != 0);
  const InMemoryTree& tree = Tree();
  std::vector<Hash> leaf_hashes;
  for (uint64_t i : indices) leaf_hashes.push_back(tree.levels[0][i]);
  absl::StatusOr<Hash> root = HashRange({0, kTreeSize}, tree.Fetcher());
  absl::StatusOr<std::vector<Hash>> path = Prove(indices);
  if (!root.ok() || !path.ok()) {
    state.SkipWithError(root.ok() ? path.status().ToString().c_str()
                                  : root.status().ToString().c_str());
    return;
  }
  if (absl::Status ok = VerifyMultiInclusion(indices, leaf_hashes, kTreeSize, *path, *root);
      !ok.ok()) {
    state.SkipWithError(ok.ToString().c_str());
    return;
  }
  const Clock::time_point start = Clock::now();
  for (auto _ : state) {
    absl::Status status = VerifyMultiInclusion(indices, leaf_hashes, kTreeSize, *path, *root);
    benchmark::DoNotOptimize(status);
  }
  ReportPerProof(state, start, indices.size(), path->size());
}

void BM_ProveMultiInclusionInMemory(benchmark::State& state) {
  const std::vector<uint64_t> indices = LeafIndices(state.range(0), state.range(1) != 0);
  Tree();  // Built before the clock starts.
  size_t path_hashes = 0;
  const Clock::time_point start = Clock::now();
  for (auto _ : state) {
    absl::StatusOr<std::vector<Hash>> path = Prove(indices);
    if (!path.ok()) {
      state.SkipWithError(path.status().ToString().c_str());
      return;
    }
    path_hashes = path->size();
    benchmark::DoNotOptimize(path->data());
  }
  ReportPerProof(state, start, indices.size(), path_hashes);
}

void LeafSets(benchmark::internal::Benchmark* b) {
  b->Args({10'000, 0})->Args({10'000, 1})->Args({100'000, 0})->Args({100'000, 1});
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}
BENCHMARK(BM_VerifyMultiInclusion)->Apply(LeafSets);
BENCHMARK(BM_ProveMultiInclusionInMemory)->Apply(LeafSets);

}  // namespace
}  // namespace sealtrail

BENCHMARK_MAIN();
