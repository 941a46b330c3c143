#include "testing/proof_checks.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sealtrail/merkle_proof.h"
#include "testing/reference_merkle.h"

namespace sealtrail::testing {
namespace {

void InclusionShapeInto(uint64_t m, uint64_t n, std::vector<Sibling>& out) {
  if (n == 1) return;
  uint64_t k = 1;
  while (k < n - k) k *= 2;  // the largest power of two below n, without overflow
  if (m < k) {
    InclusionShapeInto(m, k, out);
    out.push_back(Sibling::kRight);
  } else {
    InclusionShapeInto(m - k, n - k, out);
    out.push_back(Sibling::kLeft);
  }
}

// SUBPROOF(m, D[n], b): "m == n" ends the recursion, emitting MTH(D[m]) only when b is false.
void ConsistencyShapeInto(uint64_t m, uint64_t n, bool b, ConsistencyShape& out) {
  if (m == n) {
    out.starts_from_old_root = b;
    return;
  }
  uint64_t k = 1;
  while (k < n - k) k *= 2;
  if (m <= k) {
    ConsistencyShapeInto(m, k, b, out);
    out.siblings.push_back(Sibling::kRight);
  } else {
    ConsistencyShapeInto(m - k, n - k, false, out);
    out.siblings.push_back(Sibling::kLeft);
  }
}

}  // namespace

std::vector<Sibling> InclusionShape(uint64_t leaf_index, uint64_t tree_size) {
  std::vector<Sibling> out;
  InclusionShapeInto(leaf_index, tree_size, out);
  return out;
}

ConsistencyShape ConsistencyShapeOf(uint64_t old_size, uint64_t new_size) {
  ConsistencyShape out;
  ConsistencyShapeInto(old_size, new_size, true, out);
  return out;
}

Hash FlipBit(Hash hash, size_t bit) {
  hash[(bit / 8) % kHashSize] ^= static_cast<uint8_t>(1u << (bit % 8));
  return hash;
}

std::string ShortHex(absl::Span<const Hash> path) {
  std::vector<std::string> parts;
  for (const Hash& h : path) parts.push_back(RefToHex(h).substr(0, 16));
  return absl::StrCat("[", absl::StrJoin(parts, " "), "]");
}

::testing::AssertionResult BothVerifiersAcceptInclusion(const Hash& leaf_hash, uint64_t index,
                                                        uint64_t size, absl::Span<const Hash> path,
                                                        const Hash& root) {
  const absl::Status engine = VerifyInclusion(leaf_hash, index, size, path, root);
  const bool reference = RefVerifyInclusion(leaf_hash, index, size, path, root);
  if (engine.ok() && reference) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "inclusion of leaf " << index << " in size " << size << " path " << ShortHex(path)
         << ": engine " << engine << ", reference " << (reference ? "OK" : "rejects");
}

::testing::AssertionResult BothVerifiersRejectInclusion(const Hash& leaf_hash, uint64_t index,
                                                        uint64_t size, absl::Span<const Hash> path,
                                                        const Hash& root, std::string_view what) {
  const absl::Status engine = VerifyInclusion(leaf_hash, index, size, path, root);
  const bool reference = RefVerifyInclusion(leaf_hash, index, size, path, root);
  const bool engine_rejects = engine.code() == absl::StatusCode::kDataLoss ||
                              engine.code() == absl::StatusCode::kInvalidArgument;
  if (engine_rejects && !reference) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << ": inclusion of leaf " << index << " in size " << size << " path "
         << ShortHex(path) << ": engine " << engine << ", reference "
         << (reference ? "ACCEPTS" : "rejects");
}

::testing::AssertionResult BothVerifiersAcceptConsistency(uint64_t old_size, uint64_t new_size,
                                                          const Hash& old_root,
                                                          const Hash& new_root,
                                                          absl::Span<const Hash> path) {
  const absl::Status engine = VerifyConsistency(old_size, new_size, old_root, new_root, path);
  const bool reference = RefVerifyConsistency(old_size, new_size, old_root, new_root, path);
  if (engine.ok() && reference) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "consistency " << old_size << " -> " << new_size << " path " << ShortHex(path)
         << ": engine " << engine << ", reference " << (reference ? "OK" : "rejects");
}

::testing::AssertionResult BothVerifiersRejectConsistency(uint64_t old_size, uint64_t new_size,
                                                          const Hash& old_root,
                                                          const Hash& new_root,
                                                          absl::Span<const Hash> path,
                                                          std::string_view what) {
  const absl::Status engine = VerifyConsistency(old_size, new_size, old_root, new_root, path);
  const bool reference = RefVerifyConsistency(old_size, new_size, old_root, new_root, path);
  const bool engine_rejects = engine.code() == absl::StatusCode::kDataLoss ||
                              engine.code() == absl::StatusCode::kInvalidArgument;
  if (engine_rejects && !reference) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << ": consistency " << old_size << " -> " << new_size << " path " << ShortHex(path)
         << ": engine " << engine << ", reference " << (reference ? "ACCEPTS" : "rejects");
}

}  // namespace sealtrail::testing
