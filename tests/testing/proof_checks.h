// Proof checks shared by the Merkle tests: the shape of a proof as the RFC 9162 recursions
// define it, and assertions that run the engine's verifier and the naive reference verifier
// side by side.
//
// The shape: what the RFC 9162 verification algorithms do with each path element, derived
// from the PATH / SUBPROOF recursions of §2.1.3.1 and §2.1.4.1 (not from the verifiers' bit
// arithmetic). A verifier sees nothing of the sizes but this shape, so a proof checked against
// the wrong size still verifies exactly when both sizes have the same shape (for example leaf 0
// in trees of 3 and 4 leaves). Tests use it to know when a wrong size must fail.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_TESTS_TESTING_PROOF_CHECKS_H_
#define SEALTRAIL_TESTS_TESTING_PROOF_CHECKS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"

namespace sealtrail::testing {

// Which side of the running hash a path element goes.
enum class Sibling { kLeft, kRight };

// One entry per element of PATH(leaf_index, D[tree_size]), leaf first.
// REQUIRES: leaf_index < tree_size.
std::vector<Sibling> InclusionShape(uint64_t leaf_index, uint64_t tree_size);

struct ConsistencyShape {
  // SUBPROOF ended with b = true: the old tree is a node of the new one, so the verifier
  // starts from the old root instead of the path's first element.
  bool starts_from_old_root = false;
  // One entry per path element after that starting hash.
  std::vector<Sibling> siblings;
  bool operator==(const ConsistencyShape&) const = default;
};

// REQUIRES: 0 < old_size < new_size.
ConsistencyShape ConsistencyShapeOf(uint64_t old_size, uint64_t new_size);

// `hash` with one bit flipped: bit % 8 of byte (bit / 8) % 32, so any `bit` names one.
Hash FlipBit(Hash hash, size_t bit);

// "[6e340b9cffb37a98 fac54203e7cc696c ...]": the first 8 bytes of each hash, for messages.
std::string ShortHex(absl::Span<const Hash> path);

// Success when sealtrail::VerifyInclusion returns OK and RefVerifyInclusion returns true;
// otherwise a failure naming the inputs and both verdicts.
::testing::AssertionResult BothVerifiersAcceptInclusion(const Hash& leaf_hash, uint64_t index,
                                                        uint64_t size, absl::Span<const Hash> path,
                                                        const Hash& root);
// Success when the engine rejects with DATA_LOSS or INVALID_ARGUMENT (never OK, never another
// code) and the reference rejects too. `what` names the mutation in the failure message.
::testing::AssertionResult BothVerifiersRejectInclusion(const Hash& leaf_hash, uint64_t index,
                                                        uint64_t size, absl::Span<const Hash> path,
                                                        const Hash& root, std::string_view what);
::testing::AssertionResult BothVerifiersAcceptConsistency(uint64_t old_size, uint64_t new_size,
                                                          const Hash& old_root,
                                                          const Hash& new_root,
                                                          absl::Span<const Hash> path);
::testing::AssertionResult BothVerifiersRejectConsistency(uint64_t old_size, uint64_t new_size,
                                                          const Hash& old_root,
                                                          const Hash& new_root,
                                                          absl::Span<const Hash> path,
                                                          std::string_view what);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_PROOF_CHECKS_H_
