#include "server_testing/inclusion_checks.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "sealtrail/merkle_proof.h"
#include "testing/reference_merkle.h"
#include "testing/status_matchers.h"

namespace sealtrail::testing {

Hash ToHash(const std::string& bytes) {
  Hash hash{};
  EXPECT_EQ(bytes.size(), kHashSize);
  std::copy_n(bytes.begin(), std::min(bytes.size(), kHashSize), hash.begin());
  return hash;
}

std::vector<Hash> ToHashes(const google::protobuf::RepeatedPtrField<std::string>& path) {
  std::vector<Hash> hashes;
  for (const std::string& node : path) hashes.push_back(ToHash(node));
  return hashes;
}

void ExpectInclusionVerifies(const std::string& data, const v1::InclusionProof& proof) {
  Hash leaf_hash = HashLeaf(data);
  EXPECT_EQ(std::string(AsStringView(leaf_hash)), proof.leaf_hash());
  std::vector<Hash> path = ToHashes(proof.path());
  Hash root = ToHash(proof.root());
  EXPECT_OK(VerifyInclusion(leaf_hash, proof.leaf_index(), proof.tree_size(), path, root));
  EXPECT_TRUE(RefVerifyInclusion(leaf_hash, proof.leaf_index(), proof.tree_size(), path, root))
      << "seq " << proof.leaf_index() << " size " << proof.tree_size();
}

}  // namespace sealtrail::testing
