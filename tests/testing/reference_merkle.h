// A naive RFC 9162 §2.1 Merkle tree, for tests only.
//
// Written straight from the RFC text and sharing nothing with the engine: it hashes with OpenSSL
// directly (not sealtrail/hash.h) and recurses exactly as the RFC's definitions do, so that the
// engine's stored-node proofs and its verifier can be checked against an independent oracle.
// Nothing here is fast; the recursion recomputes every subtree it needs.
//
// Thread-safety: every function is pure and may be called from any thread.
#ifndef SEALTRAIL_TESTS_TESTING_REFERENCE_MERKLE_H_
#define SEALTRAIL_TESTS_TESTING_REFERENCE_MERKLE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"

namespace sealtrail::testing {

using RefHash = std::array<uint8_t, 32>;

// SHA-256 of `data`, through OpenSSL's EVP interface.
RefHash RefSha256(std::string_view data);
// RFC 9162 §2.1.1: SHA-256(0x00 || data).
RefHash RefLeafHash(std::string_view data);
// RFC 9162 §2.1.1: SHA-256(0x01 || left || right).
RefHash RefNodeHash(const RefHash& left, const RefHash& right);

// Lowercase hex, and its inverse (aborts on malformed input: test vectors only).
std::string RefToHex(const RefHash& hash);
RefHash RefFromHex(std::string_view hex);

// MTH(D[n]) of RFC 9162 §2.1.1 over the leaf byte strings `leaves`.
RefHash RefMth(absl::Span<const std::string> leaves);

// The same recursions over precomputed leaf hashes (`leaf_hashes[i]` = RefLeafHash(D[i])), so a
// test that asks for thousands of proofs need not rehash every record each time. MTH of one
// leaf is its leaf hash, so these are the RFC definitions with the n = 1 case precomputed.
RefHash RefMthOfLeafHashes(absl::Span<const RefHash> leaf_hashes);
// PATH(m, D[n]) of RFC 9162 §2.1.3.1. REQUIRES: m < n.
std::vector<RefHash> RefPath(uint64_t m, absl::Span<const RefHash> leaf_hashes);
// PROOF(m, D[n]) of RFC 9162 §2.1.4.1, i.e. SUBPROOF(m, D[n], true). REQUIRES: 0 < m <= n
// (for m == n this is the empty proof).
std::vector<RefHash> RefProof(uint64_t m, absl::Span<const RefHash> leaf_hashes);

// The multi-leaf inclusion path of sealtrail/merkle_proof.h, from its recursion: PROOF([lo, hi))
// is MTH(D[lo:hi]) when no index of `leaf_indices` is in [lo, hi), empty for a leaf of it, else
// PROOF of the left part (split as MTH splits) followed by PROOF of the right. REQUIRES:
// leaf_indices non-empty, strictly increasing, each below leaf_hashes.size().
std::vector<RefHash> RefMultiPath(absl::Span<const uint64_t> leaf_indices,
                                  absl::Span<const RefHash> leaf_hashes);

// RFC 9162 §2.1.3.2, step by step. True when `path` proves `leaf_hash` at `leaf_index` in the
// tree of `tree_size` leaves with root `root`.
bool RefVerifyInclusion(const RefHash& leaf_hash, uint64_t leaf_index, uint64_t tree_size,
                        absl::Span<const RefHash> path, const RefHash& root);

// RFC 9162 §2.1.4.2, step by step, for 0 < first < second. The RFC defines consistency proofs
// only for 0 < first < second; the two edge cases follow the convention of RFC 6962 §2.1.2 and
// of sealtrail's contract: first == 0 is consistent with anything given an empty path, and
// first == second needs an empty path and equal roots. first > second is never consistent.
bool RefVerifyConsistency(uint64_t first, uint64_t second, const RefHash& first_hash,
                          const RefHash& second_hash, absl::Span<const RefHash> path);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_REFERENCE_MERKLE_H_
