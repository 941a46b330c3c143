// Multi-leaf inclusion proofs (sealtrail/merkle_proof.h): Log::ProveMultiInclusion against the
// naive recursion of testing/reference_merkle.h, VerifyMultiInclusion against the log's roots,
// and every kind of bad proof or bad input against the reason it must be refused for.
//
// A real Log in a temporary directory with tiny segments (2^2 and 2^3 leaves), so that proofs
// read nodes of many sealed segments, of the open segment and of the tree above them.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/merkle_proof.h"
#include "testing/proof_checks.h"
#include "testing/reference_merkle.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::FlipBit;
using ::sealtrail::testing::MentionsNumber;
using ::sealtrail::testing::ShortHex;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint64_t kLogSize = 80;      // Records in the log.
constexpr uint64_t kMaxTreeSize = 70;  // Tree sizes proven by brute force: 1..kMaxTreeSize.

std::string RecordFor(uint64_t i) { return absl::StrCat("multi-", i, std::string(i % 11, 'x')); }

std::vector<Hash> LeafHashesOf(absl::Span<const uint64_t> indices) {
  std::vector<Hash> hashes;
  for (uint64_t i : indices) hashes.push_back(testing::RefLeafHash(RecordFor(i)));
  return hashes;
}

std::string Describe(absl::Span<const uint64_t> indices, uint64_t size) {
  return absl::StrCat("leaves {", absl::StrJoin(indices, ","), "} of tree size ", size);
}

// The index sets proven for a tree of `size` leaves with segments of `segment` leaves: all
// leaves, every single leaf, first and last, pairs and runs across each segment boundary, and
// random sets of several densities.
std::vector<std::vector<uint64_t>> IndexSetsFor(uint64_t size, uint64_t segment,
                                                std::mt19937_64& rng) {
  std::vector<std::vector<uint64_t>> sets;
  std::vector<uint64_t> all(size);
  for (uint64_t i = 0; i < size; ++i) all[i] = i;
  sets.push_back(all);
  for (uint64_t i = 0; i < size; ++i) sets.push_back({i});
  if (size > 1) sets.push_back({0, size - 1});
  for (uint64_t boundary = segment; boundary < size; boundary += segment) {
    sets.push_back({boundary - 1, boundary});
    std::vector<uint64_t> run;
    for (uint64_t i = boundary - std::min<uint64_t>(boundary, 2); i < std::min(size, boundary + 3);
         ++i) {
      run.push_back(i);
    }
    sets.push_back(run);
  }
  for (const double density : {0.05, 0.2, 0.5, 0.9}) {
    for (int round = 0; round < 5; ++round) {
      std::vector<uint64_t> set;
      std::bernoulli_distribution take(density);
      for (uint64_t i = 0; i < size; ++i) {
        if (take(rng)) set.push_back(i);
      }
      if (set.empty()) set.push_back(rng() % size);
      sets.push_back(std::move(set));
    }
  }
  return sets;
}

// The number of maximal subtrees without a requested leaf, counted without PROOF's recursion:
// the nodes on the root-to-leaf routes of the requested leaves form a tree with k leaves in
// which every inner node has two children; each of those children not on a route is one such
// subtree. With N nodes on the routes, that is 2(N - k) - (N - 1) = N - 2k + 1.
size_t MaximalLeafFreeSubtrees(absl::Span<const uint64_t> indices, uint64_t size) {
  std::set<std::pair<uint64_t, uint64_t>> on_routes;
  for (uint64_t leaf : indices) {
    uint64_t lo = 0;
    uint64_t hi = size;
    on_routes.insert({lo, hi});
    while (hi - lo > 1) {
      uint64_t k = 1;
      while (k < hi - lo - k) k *= 2;  // The largest power of two below hi - lo.
      if (leaf < lo + k) {
        hi = lo + k;
      } else {
        lo += k;
      }
      on_routes.insert({lo, hi});
    }
  }
  return on_routes.size() - 2 * indices.size() + 1;
}

// ---------------------------------------------------------------------------------------------
// A real log, for two segment sizes.

std::string SegmentSizeName(const ::testing::TestParamInfo<uint32_t>& param_info) {
  return absl::StrCat("LeavesPerSegmentLog2_", param_info.param);
}

class MultiInclusionTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override {
    LogOptions options;
    options.leaves_per_segment_log2 = GetParam();
    options.sync = SyncPolicy::kNone;
    ASSERT_OK_AND_ASSIGN(log_, Log::Open(options, dir_.Sub("log")));
    // Batches of varied sizes, some crossing segment boundaries.
    uint64_t next = 0;
    for (uint64_t batch = 1; next < kLogSize; batch = batch % 7 + 1) {
      std::vector<std::string> records;
      for (uint64_t i = next; i < std::min(kLogSize, next + batch); ++i) {
        records.push_back(RecordFor(i));
      }
      std::vector<std::string_view> views(records.begin(), records.end());
      ASSERT_OK_AND_ASSIGN(const uint64_t first, log_->Append(views));
      ASSERT_EQ(first, next);
      next += records.size();
    }
    for (uint64_t i = 0; i < kLogSize; ++i) {
      all_leaf_hashes_.push_back(testing::RefLeafHash(RecordFor(i)));
    }
  }

  absl::Span<const Hash> LeafHashesOfTree(uint64_t size) const {
    return absl::MakeConstSpan(all_leaf_hashes_).subspan(0, size);
  }
  Hash RootOf(uint64_t size) const {
    absl::StatusOr<Hash> root = log_->Root(size);
    EXPECT_TRUE(root.ok()) << root.status();
    return root.ok() ? *root : Hash{};
  }

  testing::ScratchDir dir_;
  std::unique_ptr<Log> log_;
  std::vector<Hash> all_leaf_hashes_;
};

INSTANTIATE_TEST_SUITE_P(SegmentSizes, MultiInclusionTest, ::testing::Values(2u, 3u),
                         SegmentSizeName);

TEST_P(MultiInclusionTest, ProofOfEveryIndexSetIsTheNaivePathAndVerifiesAgainstTheLogsRoot) {
  std::mt19937_64 rng(GetParam());
  uint64_t proofs = 0;
  for (uint64_t size = 1; size <= kMaxTreeSize; ++size) {
    const Hash root = RootOf(size);
    ASSERT_EQ(root, testing::RefMthOfLeafHashes(LeafHashesOfTree(size))) << "size " << size;
    for (const std::vector<uint64_t>& indices :
         IndexSetsFor(size, log_->RecordsPerSegment(), rng)) {
      ASSERT_OK_AND_ASSIGN(const std::vector<Hash> path, log_->ProveMultiInclusion(indices, size));
      const std::vector<Hash> want = testing::RefMultiPath(indices, LeafHashesOfTree(size));
      ASSERT_EQ(path, want) << Describe(indices, size) << ": got " << ShortHex(path) << ", naive "
                            << ShortHex(want);
      ASSERT_EQ(path.size(), MaximalLeafFreeSubtrees(indices, size)) << Describe(indices, size);
      ASSERT_OK(VerifyMultiInclusion(indices, LeafHashesOf(indices), size, path, root))
          << Describe(indices, size);
      ++proofs;
    }
  }
  EXPECT_GT(proofs, 4000u);
}

TEST_P(MultiInclusionTest, ProofOfAllLeavesIsEmpty) {
  for (uint64_t size = 1; size <= kMaxTreeSize; ++size) {
    std::vector<uint64_t> all(size);
    for (uint64_t i = 0; i < size; ++i) all[i] = i;
    ASSERT_OK_AND_ASSIGN(const std::vector<Hash> path, log_->ProveMultiInclusion(all, size));
    EXPECT_THAT(path, IsEmpty()) << "size " << size;
    EXPECT_OK(VerifyMultiInclusion(all, LeafHashesOf(all), size, path, RootOf(size)));
  }
}

TEST_P(MultiInclusionTest, ProofOfOneLeafHoldsTheHashesOfItsInclusionPath) {
  for (uint64_t size = 1; size <= kMaxTreeSize; ++size) {
    for (uint64_t leaf = 0; leaf < size; ++leaf) {
      const uint64_t indices[] = {leaf};
      ASSERT_OK_AND_ASSIGN(std::vector<Hash> multi, log_->ProveMultiInclusion(indices, size));
      ASSERT_OK_AND_ASSIGN(InclusionProof single, log_->ProveInclusion(leaf, size));
      // The same hashes; the multi-leaf path orders them left to right over the tree.
      std::sort(multi.begin(), multi.end());
      std::sort(single.path.begin(), single.path.end());
      ASSERT_EQ(multi, single.path) << "leaf " << leaf << " of " << size;
    }
  }
}

TEST_P(MultiInclusionTest, ProofHoldsOneHashPerMaximalSubtreeWithoutARequestedLeaf) {
  // By hand, n = 7, I = {1, 4}: the tree splits [0,7) into [0,4) and [4,7); the maximal
  // leaf-free subtrees are [0,1), [2,4), [5,6) and [6,7), in that order.
  const uint64_t indices[] = {1, 4};
  ASSERT_OK_AND_ASSIGN(const std::vector<Hash> path, log_->ProveMultiInclusion(indices, 7));
  const absl::Span<const Hash> d = LeafHashesOfTree(7);
  const std::vector<Hash> want = {d[0], testing::RefMthOfLeafHashes(d.subspan(2, 2)), d[5], d[6]};
  EXPECT_EQ(path, want) << ShortHex(path);
  EXPECT_EQ(MaximalLeafFreeSubtrees(indices, 7), 4u);
  EXPECT_OK(VerifyMultiInclusion(indices, LeafHashesOf(indices), 7, path, RootOf(7)));

  // Adjacent leaves share their path: 16 leaves in a row of a 64-leaf tree need only the two
  // subtrees beside the run's own node ([0,16) and [32,64)), not 16 paths of 6 hashes.
  std::vector<uint64_t> run;
  for (uint64_t i = 16; i < 32; ++i) run.push_back(i);
  ASSERT_OK_AND_ASSIGN(const std::vector<Hash> run_path, log_->ProveMultiInclusion(run, 64));
  EXPECT_EQ(run_path.size(), 2u);
}

// ---------------------------------------------------------------------------------------------
// Bad proofs: each refused, for its own reason.

class MultiInclusionBadProofTest : public MultiInclusionTest {
 protected:
  // Leaves in three segments, two of them siblings, and the last leaf of the tree.
  static constexpr uint64_t kSize = 70;
  const std::vector<uint64_t> indices_ = {3, 16, 17, 40, 69};

  void SetUp() override {
    MultiInclusionTest::SetUp();
    if (HasFatalFailure()) return;
    leaf_hashes_ = LeafHashesOf(indices_);
    root_ = RootOf(kSize);
    ASSERT_OK_AND_ASSIGN(path_, log_->ProveMultiInclusion(indices_, kSize));
    ASSERT_OK(VerifyMultiInclusion(indices_, leaf_hashes_, kSize, path_, root_));
  }

  std::vector<Hash> leaf_hashes_;
  Hash root_{};
  std::vector<Hash> path_;
};

INSTANTIATE_TEST_SUITE_P(SegmentSizes, MultiInclusionBadProofTest, ::testing::Values(2u, 3u),
                         SegmentSizeName);

TEST_P(MultiInclusionBadProofTest, FlippedBitInAnyPathHashIsRootMismatch) {
  ASSERT_EQ(path_.size(), MaximalLeafFreeSubtrees(indices_, kSize));
  for (size_t i = 0; i < path_.size(); ++i) {
    for (size_t bit : {size_t{0}, i * 37 + 5, size_t{255}}) {
      std::vector<Hash> path = path_;
      path[i] = FlipBit(path[i], bit);
      EXPECT_THAT(VerifyMultiInclusion(indices_, leaf_hashes_, kSize, path, root_),
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr("root mismatch")))
          << "hash " << i << " bit " << bit;
    }
  }
}

TEST_P(MultiInclusionBadProofTest, SwappedLeafHashesAreRootMismatch) {
  for (size_t a = 0; a < leaf_hashes_.size(); ++a) {
    for (size_t b = a + 1; b < leaf_hashes_.size(); ++b) {
      std::vector<Hash> hashes = leaf_hashes_;
      std::swap(hashes[a], hashes[b]);
      EXPECT_THAT(VerifyMultiInclusion(indices_, hashes, kSize, path_, root_),
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr("root mismatch")))
          << "swapped " << a << " and " << b;
    }
  }
  // Another record's leaf hash in place of a requested one.
  std::vector<Hash> hashes = leaf_hashes_;
  hashes[2] = all_leaf_hashes_[19];
  EXPECT_THAT(VerifyMultiInclusion(indices_, hashes, kSize, path_, root_),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("root mismatch")));
}

TEST_P(MultiInclusionBadProofTest, SwappedIndicesAreNotStrictlyIncreasing) {
  std::vector<uint64_t> indices = indices_;
  std::swap(indices[1], indices[2]);  // {3, 17, 16, 40, 69}
  std::vector<Hash> hashes = leaf_hashes_;
  std::swap(hashes[1], hashes[2]);
  EXPECT_THAT(VerifyMultiInclusion(indices, hashes, kSize, path_, root_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not strictly increasing at position 2: 16 follows 17")));
  EXPECT_THAT(log_->ProveMultiInclusion(indices, kSize),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("not strictly increasing at position 2: 16 follows 17")));
}

TEST_P(MultiInclusionBadProofTest, DuplicatedIndexIsRefused) {
  const std::vector<uint64_t> indices = {3, 16, 16, 17, 40, 69};
  std::vector<Hash> hashes = LeafHashesOf(indices);
  EXPECT_THAT(VerifyMultiInclusion(indices, hashes, kSize, path_, root_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf index 16 is repeated at position 2")));
  EXPECT_THAT(log_->ProveMultiInclusion(indices, kSize),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf index 16 is repeated at position 2")));
}

TEST_P(MultiInclusionBadProofTest, IndexRemovedWithItsHashLeavesThePathTooShortOrTooLong) {
  // Without leaf 17, whose sibling 16 is requested, [17,18) becomes one more leaf-free subtree:
  // the path lacks a hash.
  {
    const std::vector<uint64_t> indices = {3, 16, 40, 69};
    ASSERT_EQ(MaximalLeafFreeSubtrees(indices, kSize), path_.size() + 1);
    EXPECT_THAT(VerifyMultiInclusion(indices, LeafHashesOf(indices), kSize, path_, root_),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("path is too short for 4 leaves in tree size 70"),
                               HasSubstr(absl::StrCat("(", path_.size(), " hashes)")))));
  }
  // Without leaf 40, alone in [32,64), the five siblings on its route below [32,64) give way to
  // [32,64) itself: four of the path's hashes are left over.
  {
    const std::vector<uint64_t> indices = {3, 16, 17, 69};
    ASSERT_EQ(MaximalLeafFreeSubtrees(indices, kSize) + 4, path_.size());
    EXPECT_THAT(VerifyMultiInclusion(indices, LeafHashesOf(indices), kSize, path_, root_),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(absl::StrCat("4 of its ", path_.size(),
                                                " hashes left over for 4 leaves"))));
  }
}

TEST_P(MultiInclusionBadProofTest, HashLeftOverOrMissingIsInvalidArgument) {
  std::vector<Hash> longer = path_;
  longer.push_back(path_.front());
  EXPECT_THAT(VerifyMultiInclusion(indices_, leaf_hashes_, kSize, longer, root_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(absl::StrCat("path is too long: 1 of its ", longer.size(),
                                              " hashes left over for 5 leaves in tree size 70"))));
  for (size_t missing = 0; missing < path_.size(); ++missing) {
    std::vector<Hash> shorter = path_;
    shorter.erase(shorter.begin() + static_cast<std::ptrdiff_t>(missing));
    EXPECT_THAT(VerifyMultiInclusion(indices_, leaf_hashes_, kSize, shorter, root_),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("path is too short for 5 leaves in tree size 70")))
        << "without hash " << missing;
  }
  EXPECT_THAT(VerifyMultiInclusion(indices_, leaf_hashes_, kSize, {}, root_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(0 hashes)")));
}

TEST_P(MultiInclusionBadProofTest, WrongTreeSizeIsRefused) {
  // Leaf 69 is not in a tree of 69.
  EXPECT_THAT(VerifyMultiInclusion(indices_, leaf_hashes_, kSize - 1, path_, RootOf(kSize - 1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf index 69 at position 4 is not below tree size 69")));
  // At 71 leaves, leaf 69 has one more sibling ([70,71)).
  EXPECT_THAT(VerifyMultiInclusion(indices_, leaf_hashes_, kSize + 1, path_, RootOf(kSize + 1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("path is too short for 5 leaves in tree size 71")));
  // Without leaf 69 the proofs at 70 and 80 leaves have the same shape ([64,70) and [64,80)
  // are each one hash), so only the root tells them apart.
  const std::vector<uint64_t> indices = {3, 16, 17, 40};
  ASSERT_OK_AND_ASSIGN(const std::vector<Hash> path, log_->ProveMultiInclusion(indices, kSize));
  EXPECT_OK(VerifyMultiInclusion(indices, LeafHashesOf(indices), kSize, path, root_));
  EXPECT_THAT(VerifyMultiInclusion(indices, LeafHashesOf(indices), 80, path, RootOf(80)),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("root mismatch"), HasSubstr("tree size 80"))));
}

TEST_P(MultiInclusionBadProofTest, ProveMultiInclusionRefusesBadIndicesAndTreeLargerThanLog) {
  EXPECT_THAT(log_->ProveMultiInclusion({}, kSize),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least one leaf index")));
  const uint64_t beyond[] = {3, 70};
  EXPECT_THAT(log_->ProveMultiInclusion(beyond, kSize),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf index 70 at position 1 is not below tree size 70")));
  const uint64_t in_log[] = {3, 79};
  EXPECT_THAT(log_->ProveMultiInclusion(in_log, kLogSize + 1),
              StatusIs(absl::StatusCode::kOutOfRange,
                       AllOf(HasSubstr("beyond the log's size"), MentionsNumber(kLogSize + 1))));
  EXPECT_THAT(log_->ProveMultiInclusion(in_log, std::numeric_limits<uint64_t>::max()),
              StatusIs(absl::StatusCode::kOutOfRange));
}

// ---------------------------------------------------------------------------------------------
// The verifier alone: bad input and random bytes.

TEST(VerifyMultiInclusionBadInputTest, EmptySetOrHashCountMismatchIsInvalidArgument) {
  const Hash root = HashLeaf("x");
  EXPECT_THAT(VerifyMultiInclusion({}, {}, 1, {}, root),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least one leaf index")));
  const uint64_t indices[] = {0, 2, 5};
  const Hash hashes[] = {HashLeaf("a"), HashLeaf("c")};
  EXPECT_THAT(VerifyMultiInclusion(indices, hashes, 8, {}, root),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("got 2 leaf hashes for 3 leaf indices")));
  EXPECT_THAT(VerifyMultiInclusion(indices, {}, 0, {}, root),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("leaf index 0 at position 0 is not below tree size 0")));
}

TEST(VerifyMultiInclusionBadInputTest, OneLeafTreeNeedsNoPath) {
  const uint64_t indices[] = {0};
  const Hash leaf = HashLeaf("only");
  EXPECT_OK(VerifyMultiInclusion(indices, {&leaf, 1}, 1, {}, leaf));
  EXPECT_THAT(
      VerifyMultiInclusion(indices, {&leaf, 1}, 1, {&leaf, 1}, leaf),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1 of its 1 hashes left over")));
}

TEST(VerifyMultiInclusionBadInputTest, RandomBytesNeverCrashAndNeverVerify) {
  // Random sizes up to 2^64 - 1 (the recursion is 64 deep at most), random index lists (sorted or
  // not, in range or not) and random paths; a bounded number of rounds.
  std::mt19937_64 rng(20240607);
  auto random_hash = [&rng] {
    Hash hash;
    for (uint8_t& byte : hash) byte = static_cast<uint8_t>(rng());
    return hash;
  };
  int refused = 0;
  int well_formed_rounds = 0;
  for (int round = 0; round < 3000; ++round) {
    const int size_bits = static_cast<int>(rng() % 65);
    const uint64_t tree_size =
        size_bits == 64 ? rng() : (rng() & ((uint64_t{1} << size_bits) - 1)) | 1;
    std::vector<uint64_t> indices(rng() % 12);
    for (uint64_t& index : indices) index = tree_size == 0 ? rng() : rng() % tree_size;
    if (round % 2 == 0) {
      std::sort(indices.begin(), indices.end());
      indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
    }
    if (round % 50 == 0 && !indices.empty()) indices.back() = tree_size;  // out of range
    std::vector<Hash> leaf_hashes(indices.size() + (round % 7 == 0 ? 1 : 0));
    for (Hash& hash : leaf_hashes) hash = random_hash();
    // Well-formed input with a path of the right length, every third round it can have one.
    const bool well_formed = CheckMultiInclusionIndices(indices, tree_size).ok() &&
                             leaf_hashes.size() == indices.size() && round % 3 == 0;
    std::vector<Hash> path(well_formed ? MaximalLeafFreeSubtrees(indices, tree_size) : rng() % 300);
    for (Hash& hash : path) hash = random_hash();
    const absl::Status status =
        VerifyMultiInclusion(indices, leaf_hashes, tree_size, path, random_hash());
    if (well_formed) {
      ASSERT_THAT(status, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("root mismatch")))
          << Describe(indices, tree_size);
      ++well_formed_rounds;
    } else {
      ASSERT_THAT(status.code(),
                  ::testing::AnyOf(absl::StatusCode::kInvalidArgument, absl::StatusCode::kDataLoss))
          << Describe(indices, tree_size);
    }
    ++refused;
  }
  EXPECT_EQ(refused, 3000);
  EXPECT_GT(well_formed_rounds, 300);
}

}  // namespace
}  // namespace sealtrail
