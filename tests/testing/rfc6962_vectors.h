// Known-answer vectors for RFC 6962 / RFC 9162 Merkle trees over SHA-256.
//
// These are the vectors the Certificate Transparency implementations share, as published in
// transparency-dev/merkle (testonly/constants.go for the leaves, node and root hashes,
// proof/verify_test.go for the proofs). Hashes are lowercase hex.
#ifndef SEALTRAIL_TESTS_TESTING_RFC6962_VECTORS_H_
#define SEALTRAIL_TESTS_TESTING_RFC6962_VECTORS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace sealtrail::testing {

// The eight leaf inputs; the first is the empty string.
std::vector<std::string> Rfc6962LeafInputs();

// Hashes of every complete subtree of the 8-leaf tree: [level][index within level], level 0
// being the leaf hashes.
std::vector<std::vector<std::string>> Rfc6962NodeHashesHex();

// Root of the tree of the first `size` leaves, for size 0..8 (size 0: the empty tree).
std::vector<std::string> Rfc6962RootsHex();

struct InclusionVector {
  uint64_t leaf_index;  // zero-based (the Go source lists one-based leaf numbers)
  uint64_t tree_size;
  std::vector<std::string> path_hex;
};
struct ConsistencyVector {
  uint64_t old_size;
  uint64_t new_size;
  std::vector<std::string> path_hex;
};

std::vector<InclusionVector> Rfc6962InclusionVectors();
std::vector<ConsistencyVector> Rfc6962ConsistencyVectors();

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_RFC6962_VECTORS_H_
