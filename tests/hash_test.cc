// Known-answer tests for sealtrail/hash.h, and of the tests' naive reference against the same
// published RFC 6962 vectors, so that both sides of every later comparison are anchored.
#include "sealtrail/hash.h"

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/merkle_proof.h"
#include "testing/reference_merkle.h"
#include "testing/rfc6962_vectors.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::RefFromHex;
using ::sealtrail::testing::RefToHex;
using ::sealtrail::testing::StatusIs;
using ::testing::SizeIs;

// MTH (RFC 9162 §2.1.1) folded with the engine's hasher, so the engine's HashLeaf and
// HashChildren can be checked against the published roots of trees of every shape.
Hash EngineMth(absl::Span<const std::string> leaves) {
  if (leaves.empty()) return Sha256("");
  if (leaves.size() == 1) return HashLeaf(leaves[0]);
  size_t k = 1;
  while (k * 2 < leaves.size()) k *= 2;
  return HashChildren(EngineMth(leaves.subspan(0, k)), EngineMth(leaves.subspan(k)));
}

TEST(HashLeafTest, EmptyLeafMatchesKnownAnswer) {
  EXPECT_EQ(RefToHex(HashLeaf("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(HashLeafTest, EveryRfc6962LeafMatchesKnownAnswer) {
  const std::vector<std::string> leaves = testing::Rfc6962LeafInputs();
  const std::vector<std::string> want = testing::Rfc6962NodeHashesHex()[0];
  ASSERT_THAT(leaves, SizeIs(want.size()));
  for (size_t i = 0; i < leaves.size(); ++i) {
    EXPECT_EQ(RefToHex(HashLeaf(leaves[i])), want[i]) << "leaf " << i;
  }
}

TEST(HashLeafTest, IsDomainSeparatedFromPlainSha256) {
  // SHA-256("") differs from the leaf hash of "": the 0x00 prefix is part of the hash.
  EXPECT_NE(HashLeaf(""), Sha256(""));
  EXPECT_EQ(HashLeaf("abc"), Sha256(std::string("\x00"
                                                "abc",
                                                4)));
}

TEST(HashChildrenTest, InteriorNodesOfRfc6962TreeMatchKnownAnswers) {
  const std::vector<std::vector<std::string>> nodes = testing::Rfc6962NodeHashesHex();
  for (size_t level = 1; level < nodes.size(); ++level) {
    ASSERT_THAT(nodes[level], SizeIs(nodes[level - 1].size() / 2));
    for (size_t i = 0; i < nodes[level].size(); ++i) {
      const Hash left = RefFromHex(nodes[level - 1][2 * i]);
      const Hash right = RefFromHex(nodes[level - 1][2 * i + 1]);
      EXPECT_EQ(RefToHex(HashChildren(left, right)), nodes[level][i])
          << "level " << level << " index " << i;
    }
  }
}

TEST(HashChildrenTest, IsSha256OfOnePrefixAndBothChildren) {
  const Hash left = HashLeaf("left");
  const Hash right = HashLeaf("right");
  std::string preimage(1, '\x01');
  preimage += AsStringView(left);
  preimage += AsStringView(right);
  EXPECT_EQ(HashChildren(left, right), Sha256(preimage));
  EXPECT_NE(HashChildren(left, right), HashChildren(right, left));
}

TEST(Sha256Test, MatchesFips180KnownAnswers) {
  EXPECT_EQ(RefToHex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(RefToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(EmptyTreeRootTest, IsSha256OfTheEmptyString) {
  EXPECT_EQ(RefToHex(EmptyTreeRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(TreeHashTest, EngineHasherGivesRfc6962RootsForSizesZeroToEight) {
  const std::vector<std::string> leaves = testing::Rfc6962LeafInputs();
  const std::vector<std::string> roots = testing::Rfc6962RootsHex();
  ASSERT_THAT(roots, SizeIs(leaves.size() + 1));
  for (size_t size = 0; size <= leaves.size(); ++size) {
    EXPECT_EQ(RefToHex(EngineMth(absl::MakeConstSpan(leaves).subspan(0, size))), roots[size])
        << "size " << size;
  }
  EXPECT_EQ(roots[8], "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST(TreeHashTest, NaiveReferenceGivesRfc6962RootsForSizesZeroToEight) {
  const std::vector<std::string> leaves = testing::Rfc6962LeafInputs();
  const std::vector<std::string> roots = testing::Rfc6962RootsHex();
  ASSERT_THAT(roots, SizeIs(leaves.size() + 1));
  for (size_t size = 0; size <= leaves.size(); ++size) {
    EXPECT_EQ(RefToHex(testing::RefMth(absl::MakeConstSpan(leaves).subspan(0, size))), roots[size])
        << "size " << size;
  }
}

TEST(TreeHashTest, NaiveReferenceHasherAgreesWithEngineHasher) {
  for (int i = 0; i < 64; ++i) {
    const std::string data(static_cast<size_t>(i), static_cast<char>('a' + i % 26));
    EXPECT_EQ(testing::RefLeafHash(data), HashLeaf(data)) << "length " << i;
    EXPECT_EQ(testing::RefSha256(data), Sha256(data)) << "length " << i;
    const Hash other = HashLeaf(std::to_string(i));
    EXPECT_EQ(testing::RefNodeHash(HashLeaf(data), other), HashChildren(HashLeaf(data), other));
  }
}

TEST(Base64Test, EncodesKnownHashesInStandardAlphabetWithPadding) {
  EXPECT_EQ(HashToBase64(HashLeaf("")), "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=");
  EXPECT_EQ(HashToBase64(EmptyTreeRoot()), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(HashToBase64(Hash{}), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  Hash ones;
  ones.fill(0xff);
  EXPECT_EQ(HashToBase64(ones), "//////////////////////////////////////////8=");
}

TEST(Base64Test, DecodesKnownText) {
  ASSERT_OK_AND_ASSIGN(Hash hash, HashFromBase64("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="));
  EXPECT_EQ(hash, HashLeaf(""));
}

TEST(Base64Test, RoundTripsManyHashes) {
  Hash hash{};
  for (int i = 0; i < 256; ++i) {
    hash = HashChildren(hash, HashLeaf(std::to_string(i)));
    const std::string text = HashToBase64(hash);
    EXPECT_EQ(text.size(), 44u);
    ASSERT_OK_AND_ASSIGN(Hash decoded, HashFromBase64(text));
    EXPECT_EQ(decoded, hash) << text;
  }
}

TEST(Base64Test, RejectsWrongDecodedLength) {
  // 31 and 33 zero bytes, and the empty string.
  EXPECT_THAT(HashFromBase64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(HashFromBase64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(HashFromBase64(""), StatusIs(absl::StatusCode::kInvalidArgument));
  // A valid 32-byte text with more appended.
  EXPECT_THAT(HashFromBase64("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=AAAA"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Base64Test, RejectsCharactersOutsideTheStandardAlphabet) {
  EXPECT_THAT(HashFromBase64("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB!="),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(HashFromBase64("not base64 at all, not even close......... ="),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // The URL-safe alphabet (RFC 4648 §5) is not the standard one.
  EXPECT_THAT(HashFromBase64("bjQLnP-zepicpUTmu3gKLHiQHT-zNzh2hRGjBhevoB0="),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(HashFromBase64(" bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0="),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(HashFromBase64(std::string("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\0", 45)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Base64Test, RejectsUnpaddedText) {
  // hash.h: "Standard base64 (RFC 4648 §4, with padding)", and INVALID_ARGUMENT unless the
  // text is exactly that encoding.
  EXPECT_THAT(HashFromBase64("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Base64Test, RejectsNonCanonicalTrailingBits) {
  // '1' instead of '0' before the padding sets one of the unused low bits: lenient decoders
  // map it to the same 32 bytes, but it is not the standard encoding of any hash, and
  // accepting it would give one hash two spellings.
  EXPECT_THAT(HashFromBase64("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB1="),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace sealtrail
