// Property tests of the log's Merkle tree and proofs against the naive RFC 9162 reference
// (testing/reference_merkle.h), and of both verifiers against known answers and bad input.
//
// A real Log in a temporary directory with tiny segments (2^2 and 2^3 leaves), so that most
// proofs cross sealed segments, the open segment and the nodes above both.
#include "sealtrail/merkle_proof.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "testing/proof_checks.h"
#include "testing/reference_merkle.h"
#include "testing/rfc6962_vectors.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::BothVerifiersAcceptConsistency;
using ::sealtrail::testing::BothVerifiersAcceptInclusion;
using ::sealtrail::testing::BothVerifiersRejectConsistency;
using ::sealtrail::testing::BothVerifiersRejectInclusion;
using ::sealtrail::testing::ConsistencyShape;
using ::sealtrail::testing::ConsistencyShapeOf;
using ::sealtrail::testing::FlipBit;
using ::sealtrail::testing::InclusionShape;
using ::sealtrail::testing::RefFromHex;
using ::sealtrail::testing::RefToHex;
using ::sealtrail::testing::RefVerifyConsistency;
using ::sealtrail::testing::RefVerifyInclusion;
using ::sealtrail::testing::ShortHex;
using ::sealtrail::testing::StatusIs;
using ::testing::IsEmpty;

constexpr uint64_t kRecords = 300;

// ---------------------------------------------------------------------------------------------
// The records and what the naive reference says about them, computed once for every test.

std::string RecordFor(uint64_t i) {
  // 3..53 bytes of assorted values, so frames are of many sizes.
  std::string record = absl::StrCat("r", i, ":");
  record.append(i * 7 % 48, static_cast<char>(i * 31 % 256));
  return record;
}

// Varied batch sizes summing to kRecords: single records, runs that fill a segment exactly,
// and batches that span several segments.
std::vector<size_t> BatchSizes() {
  static constexpr size_t kPattern[] = {1, 2, 3, 1, 4, 8, 5, 1, 13, 2, 7, 16, 1, 9, 21, 3};
  std::vector<size_t> sizes;
  size_t total = 0;
  for (size_t i = 0; total < kRecords; ++i) {
    const size_t n = std::min<size_t>(kPattern[i % std::size(kPattern)], kRecords - total);
    sizes.push_back(n);
    total += n;
  }
  return sizes;
}

// Cheap enough to build in every test process (ctest runs each test case in its own). The
// naive proofs are not kept here: each costs O(n) hashes, and only the two tests that compare
// every proof with the engine's need them.
struct NaiveModel {
  std::vector<std::string> records;
  std::vector<Hash> leaf_hashes;
  std::vector<Hash> roots;  // [size], 0..kRecords

  absl::Span<const Hash> LeafHashes(uint64_t size) const {
    return absl::MakeConstSpan(leaf_hashes).subspan(0, size);
  }
};

const NaiveModel& Model() {
  static const NaiveModel* const model = [] {
    auto* m = new NaiveModel;
    for (uint64_t i = 0; i < kRecords; ++i) {
      m->records.push_back(RecordFor(i));
      m->leaf_hashes.push_back(testing::RefLeafHash(m->records.back()));
    }
    for (uint64_t size = 0; size <= kRecords; ++size) {
      m->roots.push_back(testing::RefMth(absl::MakeConstSpan(m->records).subspan(0, size)));
    }
    return m;
  }();
  return *model;
}

// Whether a (leaf, size) pair or (old, new) pair gets the costlier negative checks: all small
// trees, and a deterministic fifth of the rest.
bool SampledForNegatives(uint64_t a, uint64_t b) {
  return b <= 64 || (a * 7919 + b * 104729) % 5 == 0;
}

// ---------------------------------------------------------------------------------------------
// Properties of a real log, for two segment sizes.

class LogProofPropertyTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override {
    LogOptions options;
    options.leaves_per_segment_log2 = GetParam();
    options.sync = SyncPolicy::kNone;
    ASSERT_OK_AND_ASSIGN(log_, Log::Open(options, dir_.Sub("log")));
    ASSERT_EQ(log_->Size(), 0u);

    const NaiveModel& model = Model();
    uint64_t next = 0;
    for (size_t batch_size : BatchSizes()) {
      std::vector<std::string_view> batch;
      for (size_t i = 0; i < batch_size; ++i) batch.push_back(model.records[next + i]);
      ASSERT_OK_AND_ASSIGN(uint64_t first, log_->Append(batch));
      ASSERT_EQ(first, next) << "batch of " << batch_size;
      next += batch_size;
      ASSERT_OK_AND_ASSIGN(const TreeHead head, log_->Head());
      ASSERT_EQ(head.size, next);
      ASSERT_EQ(RefToHex(head.root), RefToHex(model.roots[next])) << "after " << next << " records";
    }
    ASSERT_EQ(log_->Size(), kRecords);
  }

  testing::ScratchDir dir_;
  std::unique_ptr<Log> log_;
};

INSTANTIATE_TEST_SUITE_P(SegmentSizes, LogProofPropertyTest, ::testing::Values(2u, 3u),
                         [](const ::testing::TestParamInfo<uint32_t>& param_info) {
                           return absl::StrCat("LeavesPerSegmentLog2_", param_info.param);
                         });

TEST_P(LogProofPropertyTest, RootOfEveryTreeSizeMatchesNaiveMth) {
  const NaiveModel& model = Model();
  for (uint64_t size = 0; size <= kRecords; ++size) {
    ASSERT_OK_AND_ASSIGN(Hash root, log_->Root(size));
    ASSERT_EQ(RefToHex(root), RefToHex(model.roots[size])) << "size " << size;
  }
  EXPECT_EQ(RefToHex(model.roots[0]), RefToHex(EmptyTreeRoot()));
  ASSERT_OK_AND_ASSIGN(const TreeHead head, log_->Head());
  EXPECT_EQ(head.size, kRecords);
  EXPECT_EQ(RefToHex(head.root), RefToHex(model.roots[kRecords]));
  EXPECT_THAT(log_->Root(kRecords + 1), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(log_->Root(std::numeric_limits<uint64_t>::max()),
              StatusIs(absl::StatusCode::kOutOfRange));
}

TEST_P(LogProofPropertyTest, EveryRecordAndLeafHashMatchesWhatWasAppended) {
  const NaiveModel& model = Model();
  for (uint64_t i = 0; i < kRecords; ++i) {
    ASSERT_OK_AND_ASSIGN(std::string record, log_->Read(i));
    ASSERT_EQ(record, model.records[i]) << "index " << i;
    ASSERT_OK_AND_ASSIGN(Hash leaf_hash, log_->LeafHash(i));
    ASSERT_EQ(RefToHex(leaf_hash), RefToHex(model.leaf_hashes[i])) << "index " << i;
  }
}

TEST_P(LogProofPropertyTest, InclusionProofOfEveryLeafInEveryTreeSizeIsNaivePathAndVerifies) {
  const NaiveModel& model = Model();
  for (uint64_t size = 1; size <= kRecords; ++size) {
    for (uint64_t leaf = 0; leaf < size; ++leaf) {
      ASSERT_OK_AND_ASSIGN(InclusionProof proof, log_->ProveInclusion(leaf, size));
      ASSERT_EQ(proof.leaf_index, leaf);
      ASSERT_EQ(proof.tree_size, size);
      const std::vector<Hash> want = testing::RefPath(leaf, model.LeafHashes(size));
      ASSERT_EQ(proof.path, want) << "leaf " << leaf << " size " << size << ": got "
                                  << ShortHex(proof.path) << ", naive PATH " << ShortHex(want);
      ASSERT_TRUE(BothVerifiersAcceptInclusion(model.leaf_hashes[leaf], leaf, size, proof.path,
                                               model.roots[size]));
    }
  }
}

TEST_P(LogProofPropertyTest, ConsistencyProofOfEveryPairOfSizesIsNaiveSubproofAndVerifies) {
  const NaiveModel& model = Model();
  for (uint64_t new_size = 1; new_size <= kRecords; ++new_size) {
    for (uint64_t old_size = 1; old_size <= new_size; ++old_size) {
      ASSERT_OK_AND_ASSIGN(ConsistencyProof proof, log_->ProveConsistency(old_size, new_size));
      ASSERT_EQ(proof.old_size, old_size);
      ASSERT_EQ(proof.new_size, new_size);
      const std::vector<Hash> want = testing::RefProof(old_size, model.LeafHashes(new_size));
      ASSERT_EQ(proof.path, want) << old_size << " -> " << new_size << ": got "
                                  << ShortHex(proof.path) << ", naive PROOF " << ShortHex(want);
      ASSERT_TRUE(BothVerifiersAcceptConsistency(old_size, new_size, model.roots[old_size],
                                                 model.roots[new_size], proof.path));
    }
  }
}

TEST_P(LogProofPropertyTest, FlippedBitInAnyInclusionProofHashFailsVerification) {
  const NaiveModel& model = Model();
  for (uint64_t size = 1; size <= kRecords; ++size) {
    for (uint64_t leaf = 0; leaf < size; ++leaf) {
      if (!SampledForNegatives(leaf, size)) continue;
      ASSERT_OK_AND_ASSIGN(InclusionProof proof, log_->ProveInclusion(leaf, size));
      for (size_t i = 0; i < proof.path.size(); ++i) {
        std::vector<Hash> path = proof.path;
        path[i] = FlipBit(path[i], leaf * 31 + size + i * 7);
        ASSERT_TRUE(BothVerifiersRejectInclusion(model.leaf_hashes[leaf], leaf, size, path,
                                                 model.roots[size], "flipped bit"));
        // A bad hash in a path of the right length is a root mismatch, not bad input.
        ASSERT_THAT(VerifyInclusion(model.leaf_hashes[leaf], leaf, size, path, model.roots[size]),
                    StatusIs(absl::StatusCode::kDataLoss));
      }
    }
  }
}

TEST_P(LogProofPropertyTest, FlippedBitInAnyConsistencyProofHashFailsVerification) {
  const NaiveModel& model = Model();
  for (uint64_t new_size = 2; new_size <= kRecords; ++new_size) {
    for (uint64_t old_size = 1; old_size < new_size; ++old_size) {
      if (!SampledForNegatives(old_size, new_size)) continue;
      ASSERT_OK_AND_ASSIGN(ConsistencyProof proof, log_->ProveConsistency(old_size, new_size));
      for (size_t i = 0; i < proof.path.size(); ++i) {
        std::vector<Hash> path = proof.path;
        path[i] = FlipBit(path[i], old_size * 13 + new_size + i * 5);
        ASSERT_TRUE(BothVerifiersRejectConsistency(old_size, new_size, model.roots[old_size],
                                                   model.roots[new_size], path, "flipped bit"));
        ASSERT_THAT(VerifyConsistency(old_size, new_size, model.roots[old_size],
                                      model.roots[new_size], path),
                    StatusIs(absl::StatusCode::kDataLoss));
      }
    }
  }
}

TEST_P(LogProofPropertyTest, InclusionProofWithWrongLeafIndexFailsVerification) {
  const NaiveModel& model = Model();
  uint64_t checked = 0;
  for (uint64_t size = 2; size <= kRecords; ++size) {
    for (uint64_t leaf = 0; leaf < size; ++leaf) {
      if (!SampledForNegatives(leaf, size)) continue;
      ASSERT_OK_AND_ASSIGN(InclusionProof proof, log_->ProveInclusion(leaf, size));
      for (uint64_t wrong : {leaf + 1, leaf - 1, leaf ^ 1, leaf ^ 2, leaf ^ 5, size - 1 - leaf}) {
        if (wrong == leaf || wrong >= size) continue;  // out of range is covered below
        // Two leaves of one tree never share a root-to-leaf route, so this must fail.
        ASSERT_NE(InclusionShape(wrong, size), InclusionShape(leaf, size));
        ASSERT_TRUE(BothVerifiersRejectInclusion(model.leaf_hashes[leaf], wrong, size, proof.path,
                                                 model.roots[size], "wrong index"));
        ++checked;
      }
      // An index at or past the end of the tree is bad input.
      for (uint64_t wrong : {size, size + 1, std::numeric_limits<uint64_t>::max()}) {
        ASSERT_THAT(
            VerifyInclusion(model.leaf_hashes[leaf], wrong, size, proof.path, model.roots[size]),
            StatusIs(absl::StatusCode::kInvalidArgument))
            << "index " << wrong << " size " << size;
        ASSERT_FALSE(RefVerifyInclusion(model.leaf_hashes[leaf], wrong, size, proof.path,
                                        model.roots[size]));
      }
    }
  }
  EXPECT_GT(checked, 10000u);
}

TEST_P(LogProofPropertyTest, InclusionProofWithWrongTreeSizeFailsUnlessTheShapeIsIdentical) {
  const NaiveModel& model = Model();
  uint64_t must_fail = 0;
  uint64_t same_shape = 0;
  for (uint64_t size = 1; size <= kRecords; ++size) {
    for (uint64_t leaf = 0; leaf < size; ++leaf) {
      if (!SampledForNegatives(leaf, size)) continue;
      ASSERT_OK_AND_ASSIGN(InclusionProof proof, log_->ProveInclusion(leaf, size));
      for (uint64_t wrong : {size + 1, size - 1, size * 2, size / 2, size + 8, size * 3 + 1}) {
        if (wrong == size || wrong <= leaf) continue;
        if (InclusionShape(leaf, wrong) == InclusionShape(leaf, size)) {
          // The verifier cannot tell these sizes apart: the same hashing, the same root.
          ASSERT_TRUE(BothVerifiersAcceptInclusion(model.leaf_hashes[leaf], leaf, wrong, proof.path,
                                                   model.roots[size]));
          ++same_shape;
        } else {
          ASSERT_TRUE(BothVerifiersRejectInclusion(model.leaf_hashes[leaf], leaf, wrong, proof.path,
                                                   model.roots[size], "wrong size"));
          ++must_fail;
        }
      }
    }
  }
  // Same shapes are common (leaf 0 of 129 and of 130 leaves, say); failures must be too.
  EXPECT_GT(must_fail, 5000u);
  EXPECT_GT(same_shape, 0u);
}

TEST_P(LogProofPropertyTest, InclusionProofAgainstWrongRootOrWrongLeafFailsVerification) {
  const NaiveModel& model = Model();
  for (uint64_t size = 1; size <= kRecords; ++size) {
    for (uint64_t leaf = 0; leaf < size; ++leaf) {
      if (!SampledForNegatives(leaf, size)) continue;
      ASSERT_OK_AND_ASSIGN(InclusionProof proof, log_->ProveInclusion(leaf, size));
      const Hash& root = model.roots[size];
      const Hash& leaf_hash = model.leaf_hashes[leaf];
      for (const Hash& wrong_root : {FlipBit(root, leaf + size), model.roots[size - 1],
                                     model.roots[std::min(size + 1, kRecords)], EmptyTreeRoot()}) {
        if (wrong_root == root) continue;
        ASSERT_TRUE(BothVerifiersRejectInclusion(leaf_hash, leaf, size, proof.path, wrong_root,
                                                 "wrong root"));
        ASSERT_THAT(VerifyInclusion(leaf_hash, leaf, size, proof.path, wrong_root),
                    StatusIs(absl::StatusCode::kDataLoss));
      }
      // The record's hash, not the record: a plain SHA-256 of it, or its neighbour's leaf.
      for (const Hash& wrong_leaf : {Sha256(model.records[leaf]), FlipBit(leaf_hash, size),
                                     model.leaf_hashes[(leaf + 1) % kRecords]}) {
        ASSERT_TRUE(BothVerifiersRejectInclusion(wrong_leaf, leaf, size, proof.path, root,
                                                 "wrong leaf hash"));
      }
    }
  }
}

TEST_P(LogProofPropertyTest, ConsistencyProofWithWrongSizesFailsUnlessTheShapeIsIdentical) {
  const NaiveModel& model = Model();
  uint64_t must_fail = 0;
  uint64_t same_shape = 0;
  for (uint64_t new_size = 2; new_size <= kRecords; ++new_size) {
    for (uint64_t old_size = 1; old_size < new_size; ++old_size) {
      if (!SampledForNegatives(old_size, new_size)) continue;
      ASSERT_OK_AND_ASSIGN(ConsistencyProof proof, log_->ProveConsistency(old_size, new_size));
      const ConsistencyShape shape = ConsistencyShapeOf(old_size, new_size);
      const std::pair<uint64_t, uint64_t> wrong_sizes[] = {
          {old_size + 1, new_size}, {old_size - 1, new_size},     {old_size ^ 2, new_size},
          {old_size, new_size + 1}, {old_size, new_size - 1},     {old_size, new_size * 2},
          {old_size, new_size / 2}, {old_size + 1, new_size + 1}, {old_size * 2, new_size * 2},
      };
      for (const auto& [wrong_old, wrong_new] : wrong_sizes) {
        if (wrong_old == 0 || wrong_old >= wrong_new) continue;  // edge cases: tested below
        if (wrong_old == old_size && wrong_new == new_size) continue;
        if (ConsistencyShapeOf(wrong_old, wrong_new) == shape) {
          ASSERT_TRUE(BothVerifiersAcceptConsistency(wrong_old, wrong_new, model.roots[old_size],
                                                     model.roots[new_size], proof.path));
          ++same_shape;
        } else {
          ASSERT_TRUE(BothVerifiersRejectConsistency(wrong_old, wrong_new, model.roots[old_size],
                                                     model.roots[new_size], proof.path,
                                                     "wrong sizes"));
          ++must_fail;
        }
      }
    }
  }
  EXPECT_GT(must_fail, 5000u);
  EXPECT_GT(same_shape, 0u);
}

TEST_P(LogProofPropertyTest, ConsistencyProofAgainstWrongRootsFailsVerification) {
  const NaiveModel& model = Model();
  for (uint64_t new_size = 2; new_size <= kRecords; ++new_size) {
    for (uint64_t old_size = 1; old_size < new_size; ++old_size) {
      if (!SampledForNegatives(old_size, new_size)) continue;
      ASSERT_OK_AND_ASSIGN(ConsistencyProof proof, log_->ProveConsistency(old_size, new_size));
      const Hash& old_root = model.roots[old_size];
      const Hash& new_root = model.roots[new_size];
      const std::pair<Hash, Hash> wrong_roots[] = {
          {FlipBit(old_root, new_size), new_root},
          {old_root, FlipBit(new_root, old_size)},
          {new_root, old_root},
          {model.roots[old_size - 1], new_root},
          {old_root, model.roots[new_size - 1]},
      };
      for (const auto& [wrong_old_root, wrong_new_root] : wrong_roots) {
        if (wrong_old_root == old_root && wrong_new_root == new_root) continue;
        ASSERT_TRUE(BothVerifiersRejectConsistency(old_size, new_size, wrong_old_root,
                                                   wrong_new_root, proof.path, "wrong roots"));
        ASSERT_THAT(
            VerifyConsistency(old_size, new_size, wrong_old_root, wrong_new_root, proof.path),
            StatusIs(absl::StatusCode::kDataLoss));
      }
    }
  }
}

TEST_P(LogProofPropertyTest, ProveInclusionRejectsIndexOutsideTreeAndTreeLargerThanLog) {
  EXPECT_THAT(log_->ProveInclusion(0, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log_->ProveInclusion(5, 5), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log_->ProveInclusion(6, 5), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log_->ProveInclusion(kRecords, kRecords),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log_->ProveInclusion(0, kRecords + 1), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(log_->ProveInclusion(kRecords - 1, kRecords + 1),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(log_->ProveInclusion(0, std::numeric_limits<uint64_t>::max()),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_OK(log_->ProveInclusion(kRecords - 1, kRecords));
}

TEST_P(LogProofPropertyTest, ProveConsistencyRejectsShrinkingTreeAndTreeLargerThanLog) {
  EXPECT_THAT(log_->ProveConsistency(2, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log_->ProveConsistency(kRecords, kRecords - 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(log_->ProveConsistency(1, kRecords + 1), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(log_->ProveConsistency(kRecords, kRecords + 1),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(log_->ProveConsistency(0, std::numeric_limits<uint64_t>::max()),
              StatusIs(absl::StatusCode::kOutOfRange));
}

TEST_P(LogProofPropertyTest, ConsistencyFromEmptyTreeOrToSameSizeHasEmptyProofAndVerifies) {
  const NaiveModel& model = Model();
  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{4}, uint64_t{7}, kRecords}) {
    ASSERT_OK_AND_ASSIGN(ConsistencyProof from_empty, log_->ProveConsistency(0, size));
    EXPECT_EQ(from_empty.old_size, 0u);
    EXPECT_EQ(from_empty.new_size, size);
    EXPECT_THAT(from_empty.path, IsEmpty()) << "0 -> " << size;
    EXPECT_TRUE(BothVerifiersAcceptConsistency(0, size, EmptyTreeRoot(), model.roots[size],
                                               from_empty.path));

    ASSERT_OK_AND_ASSIGN(ConsistencyProof same, log_->ProveConsistency(size, size));
    EXPECT_THAT(same.path, IsEmpty()) << size << " -> " << size;
    EXPECT_TRUE(BothVerifiersAcceptConsistency(size, size, model.roots[size], model.roots[size],
                                               same.path));
  }
}

// ---------------------------------------------------------------------------------------------
// The verifiers alone: published vectors and malformed input.

std::vector<Hash> PathFromHex(const std::vector<std::string>& hex) {
  std::vector<Hash> path;
  for (const std::string& h : hex) path.push_back(RefFromHex(h));
  return path;
}

TEST(VerifierKnownAnswerTest, NaiveReferenceGeneratesThePublishedProofs) {
  std::vector<Hash> leaf_hashes;
  for (const std::string& leaf : testing::Rfc6962LeafInputs()) {
    leaf_hashes.push_back(testing::RefLeafHash(leaf));
  }
  const absl::Span<const Hash> all = leaf_hashes;
  for (const testing::InclusionVector& v : testing::Rfc6962InclusionVectors()) {
    const std::vector<Hash> got = testing::RefPath(v.leaf_index, all.subspan(0, v.tree_size));
    EXPECT_EQ(got, PathFromHex(v.path_hex))
        << "leaf " << v.leaf_index << " size " << v.tree_size << ": " << ShortHex(got);
  }
  for (const testing::ConsistencyVector& v : testing::Rfc6962ConsistencyVectors()) {
    const std::vector<Hash> got = testing::RefProof(v.old_size, all.subspan(0, v.new_size));
    EXPECT_EQ(got, PathFromHex(v.path_hex))
        << v.old_size << " -> " << v.new_size << ": " << ShortHex(got);
  }
}

TEST(VerifierKnownAnswerTest, BothVerifiersAcceptThePublishedInclusionProofs) {
  const std::vector<std::string> leaves = testing::Rfc6962LeafInputs();
  const std::vector<std::string> roots = testing::Rfc6962RootsHex();
  for (const testing::InclusionVector& v : testing::Rfc6962InclusionVectors()) {
    const std::vector<Hash> path = PathFromHex(v.path_hex);
    const Hash leaf_hash = HashLeaf(leaves[v.leaf_index]);
    const Hash root = RefFromHex(roots[v.tree_size]);
    EXPECT_TRUE(BothVerifiersAcceptInclusion(leaf_hash, v.leaf_index, v.tree_size, path, root));
    for (size_t i = 0; i < path.size(); ++i) {
      std::vector<Hash> bad = path;
      bad[i][0] ^= 8;
      EXPECT_TRUE(BothVerifiersRejectInclusion(leaf_hash, v.leaf_index, v.tree_size, bad, root,
                                               "flipped bit in published proof"));
    }
    EXPECT_TRUE(BothVerifiersRejectInclusion(leaf_hash, v.leaf_index, v.tree_size, path,
                                             EmptyTreeRoot(), "empty-tree root"));
    EXPECT_TRUE(BothVerifiersRejectInclusion(HashLeaf("WrongLeaf"), v.leaf_index, v.tree_size, path,
                                             root, "wrong leaf"));
  }
}

TEST(VerifierKnownAnswerTest, BothVerifiersAcceptThePublishedConsistencyProofs) {
  const std::vector<std::string> roots = testing::Rfc6962RootsHex();
  for (const testing::ConsistencyVector& v : testing::Rfc6962ConsistencyVectors()) {
    const std::vector<Hash> path = PathFromHex(v.path_hex);
    const Hash old_root = RefFromHex(roots[v.old_size]);
    const Hash new_root = RefFromHex(roots[v.new_size]);
    EXPECT_TRUE(BothVerifiersAcceptConsistency(v.old_size, v.new_size, old_root, new_root, path));
    for (size_t i = 0; i < path.size(); ++i) {
      std::vector<Hash> bad = path;
      bad[i][0] ^= 16;
      EXPECT_TRUE(BothVerifiersRejectConsistency(v.old_size, v.new_size, old_root, new_root, bad,
                                                 "flipped bit in published proof"));
    }
    if (v.old_size != v.new_size) {
      EXPECT_TRUE(BothVerifiersRejectConsistency(v.old_size, v.new_size, new_root, old_root, path,
                                                 "swapped roots"));
      EXPECT_TRUE(BothVerifiersRejectConsistency(v.old_size, v.new_size, old_root, new_root, {},
                                                 "empty proof"));
    }
  }
}

TEST(VerifierBadInputTest, InclusionWithIndexNotBelowSizeIsInvalidArgument) {
  const Hash leaf = HashLeaf("x");
  for (const auto& [index, size] : std::vector<std::pair<uint64_t, uint64_t>>{
           {0, 0}, {1, 1}, {2, 1}, {8, 8}, {std::numeric_limits<uint64_t>::max(), 3}}) {
    EXPECT_THAT(VerifyInclusion(leaf, index, size, {}, leaf),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << index << " of " << size;
    EXPECT_FALSE(RefVerifyInclusion(leaf, index, size, {}, leaf));
  }
}

TEST(VerifierBadInputTest, InclusionWithWrongPathLengthIsInvalidArgumentAndNeverCrashes) {
  const Hash leaf = HashLeaf("x");
  const Hash root = HashLeaf("root");
  std::vector<Hash> long_path;
  for (int i = 0; i < 80; ++i) long_path.push_back(HashLeaf(std::to_string(i)));
  const uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (const auto& [index, size] :
       std::vector<std::pair<uint64_t, uint64_t>>{{0, 1},
                                                  {0, 2},
                                                  {4, 5},
                                                  {5, 8},
                                                  {6, 7},
                                                  {123, 300},
                                                  {0, kMax},
                                                  {kMax - 1, kMax},
                                                  {kMax / 2, kMax},
                                                  {uint64_t{1} << 40, (uint64_t{1} << 40) + 1}}) {
    const size_t right_length = InclusionShape(index, size).size();
    for (size_t length = 0; length <= long_path.size(); ++length) {
      const absl::Span<const Hash> path = absl::MakeConstSpan(long_path).subspan(0, length);
      const absl::Status status = VerifyInclusion(leaf, index, size, path, root);
      if (length == right_length) {
        // Right length, made-up hashes: a mismatch, not bad input.
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss))
            << index << " of " << size << ", path of " << length;
      } else {
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument))
            << index << " of " << size << ", path of " << length << " (want " << right_length
            << ")";
      }
      EXPECT_FALSE(RefVerifyInclusion(leaf, index, size, path, root));
    }
  }
}

TEST(VerifierBadInputTest, ConsistencyWithOldSizeAboveNewSizeIsInvalidArgument) {
  const Hash a = HashLeaf("a");
  const Hash b = HashLeaf("b");
  EXPECT_THAT(VerifyConsistency(2, 1, a, b, {a}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(1, 0, a, b, {}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(std::numeric_limits<uint64_t>::max(), 5, a, b, {a, b}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(RefVerifyConsistency(2, 1, a, b, {a}));
}

TEST(VerifierBadInputTest, ConsistencyFromEmptyTreeNeedsAnEmptyPath) {
  const Hash root = HashLeaf("some tree");
  EXPECT_OK(VerifyConsistency(0, 0, EmptyTreeRoot(), EmptyTreeRoot(), {}));
  EXPECT_OK(VerifyConsistency(0, 1, EmptyTreeRoot(), root, {}));
  EXPECT_OK(VerifyConsistency(0, 1000, EmptyTreeRoot(), root, {}));
  EXPECT_THAT(VerifyConsistency(0, 1000, EmptyTreeRoot(), root, {root}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(0, 0, EmptyTreeRoot(), EmptyTreeRoot(), {root}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(VerifierBadInputTest, ConsistencyOfEqualSizesNeedsEqualRootsAndAnEmptyPath) {
  const Hash a = HashLeaf("a");
  const Hash b = HashLeaf("b");
  EXPECT_OK(VerifyConsistency(1, 1, a, a, {}));
  EXPECT_OK(VerifyConsistency(77, 77, b, b, {}));
  EXPECT_THAT(VerifyConsistency(77, 77, a, b, {}), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(VerifyConsistency(77, 77, a, a, {a}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(RefVerifyConsistency(77, 77, a, b, {}));
  EXPECT_FALSE(RefVerifyConsistency(77, 77, a, a, {a}));
}

TEST(VerifierBadInputTest, ConsistencyWithWrongPathLengthIsInvalidArgumentAndNeverCrashes) {
  const Hash old_root = HashLeaf("old");
  const Hash new_root = HashLeaf("new");
  std::vector<Hash> long_path;
  for (int i = 0; i < 140; ++i) long_path.push_back(HashLeaf(std::to_string(i)));
  const uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (const auto& [old_size, new_size] :
       std::vector<std::pair<uint64_t, uint64_t>>{{1, 2},
                                                  {2, 5},
                                                  {4, 8},
                                                  {3, 7},
                                                  {6, 8},
                                                  {127, 300},
                                                  {1, kMax},
                                                  {kMax - 1, kMax},
                                                  {uint64_t{1} << 63, kMax},
                                                  {(uint64_t{1} << 40) + 3, uint64_t{1} << 41}}) {
    const ConsistencyShape shape = ConsistencyShapeOf(old_size, new_size);
    const size_t right_length = shape.siblings.size() + (shape.starts_from_old_root ? 0 : 1);
    for (size_t length = 0; length <= long_path.size(); ++length) {
      const absl::Span<const Hash> path = absl::MakeConstSpan(long_path).subspan(0, length);
      const absl::Status status = VerifyConsistency(old_size, new_size, old_root, new_root, path);
      if (length == right_length) {
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss))
            << old_size << " -> " << new_size << ", path of " << length;
      } else {
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument))
            << old_size << " -> " << new_size << ", path of " << length << " (want " << right_length
            << ")";
      }
      EXPECT_FALSE(RefVerifyConsistency(old_size, new_size, old_root, new_root, path));
    }
  }
}

}  // namespace
}  // namespace sealtrail
