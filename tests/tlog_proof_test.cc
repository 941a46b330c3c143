// The C2SP tlog-proof text form: written, read back and verified against a real log and a real
// signed checkpoint; every malformed line refused with its line number.
#include "sealtrail/tlog_proof.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/log.h"
#include "sealtrail/note_signer.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::HasSubstrIgnoringCase;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;

class TlogProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LogOptions options;
    options.leaves_per_segment_log2 = 2;  // Proofs cross sealed segments.
    ASSERT_OK_AND_ASSIGN(log_, Log::Open(options, scratch_.Sub("log")));
    for (int i = 0; i < 11; ++i) records_.push_back(absl::StrCat("audit event ", i));
    std::vector<std::string_view> views(records_.begin(), records_.end());
    ASSERT_OK(log_->Append(views).status());
    ASSERT_OK_AND_ASSIGN(signer_, NoteSigner::Generate("example.com/audit"));
    ASSERT_OK_AND_ASSIGN(TreeHead head, log_->Head());
    Checkpoint checkpoint{"example.com/audit", head.size, head.root, 1795451531253, {}};
    ASSERT_OK_AND_ASSIGN(note_, signer_->Sign(FormatCheckpointBody(checkpoint)));
  }

  TlogProof ProofOf(uint64_t index) {
    absl::StatusOr<InclusionProof> inclusion = log_->ProveInclusion(index, log_->Size());
    EXPECT_TRUE(inclusion.ok());
    return TlogProof{std::nullopt, index, inclusion->path, note_};
  }

  ScratchDir scratch_{"tlog_proof_test"};
  std::unique_ptr<Log> log_;
  std::vector<std::string> records_;
  std::optional<NoteSigner> signer_;
  std::string note_;
};

TEST_F(TlogProofTest, EveryRecordsProofRoundTripsAndVerifies) {
  for (uint64_t i = 0; i < records_.size(); ++i) {
    TlogProof proof = ProofOf(i);
    if (i == 3) proof.extra = std::string("\x00\x01opaque", 8);
    std::string text = FormatTlogProof(proof);
    EXPECT_TRUE(absl::StartsWith(
        text, absl::StrCat("c2sp.org/tlog-proof@v1\n", i == 3 ? "extra AAFvcGFxdWU=\n" : "",
                           "index ", i, "\n")));
    EXPECT_TRUE(absl::EndsWith(text, "\n\n" + note_)) << text;
    ASSERT_OK_AND_ASSIGN(TlogProof parsed, ParseTlogProof(text));
    EXPECT_EQ(parsed.index, i);
    EXPECT_EQ(parsed.path, proof.path);
    EXPECT_EQ(parsed.extra, proof.extra);
    EXPECT_EQ(parsed.checkpoint_note, note_);
    ASSERT_OK_AND_ASSIGN(Checkpoint verified,
                         VerifyTlogProof(parsed, HashLeaf(records_[i]), signer_->verifier_key()));
    EXPECT_EQ(verified.size, records_.size());
  }
}

TEST_F(TlogProofTest, WrongLeafWrongIndexWrongKeyAndTamperedPathAreRefused) {
  TlogProof proof = ProofOf(5);
  EXPECT_THAT(VerifyTlogProof(proof, HashLeaf(records_[6]), signer_->verifier_key()),
              StatusIs(absl::StatusCode::kDataLoss));
  TlogProof moved = proof;
  moved.index = 6;
  EXPECT_FALSE(VerifyTlogProof(moved, HashLeaf(records_[5]), signer_->verifier_key()).ok());
  TlogProof tampered = proof;
  tampered.path[0][0] ^= 1;
  EXPECT_THAT(VerifyTlogProof(tampered, HashLeaf(records_[5]), signer_->verifier_key()),
              StatusIs(absl::StatusCode::kDataLoss));
  ASSERT_OK_AND_ASSIGN(NoteSigner other, NoteSigner::Generate("example.com/audit"));
  EXPECT_THAT(VerifyTlogProof(proof, HashLeaf(records_[5]), other.verifier_key()),
              StatusIs(absl::StatusCode::kUnauthenticated));
  TlogProof outside = proof;
  outside.index = records_.size();
  EXPECT_THAT(VerifyTlogProof(outside, HashLeaf(records_[5]), signer_->verifier_key()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(TlogProofTest, MalformedTextIsRefusedNamingTheLine) {
  const std::string good = FormatTlogProof(ProofOf(2));
  struct Case {
    std::string text;
    std::string expected;
  };
  std::string hash_line = HashToBase64(ProofOf(2).path[0]);
  const std::vector<Case> cases = {
      {"", "line 1"},
      {"c2sp.org/tlog-proof@v2\nindex 2\n\n" + note_, "line 1"},
      {"c2sp.org/tlog-proof@v1\nindex 02\n\n" + note_, "leading zeros"},
      {"c2sp.org/tlog-proof@v1\nindex -2\n\n" + note_, "line 2"},
      {"c2sp.org/tlog-proof@v1\nindex 99999999999999999999\n\n" + note_, "line 2"},
      {"c2sp.org/tlog-proof@v1\nextra !!\nindex 2\n\n" + note_, "base64"},
      {"c2sp.org/tlog-proof@v1\n" + hash_line + "\n\n" + note_, "index"},
      {"c2sp.org/tlog-proof@v1\nindex 2\nAAAA\n\n" + note_, "line 3"},
      {"c2sp.org/tlog-proof@v1\nindex 2\n" + hash_line + "\n", "line 4"},
      {"c2sp.org/tlog-proof@v1\nindex 2\n" + hash_line + "\n\n", "checkpoint"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseTlogProof(c.text), StatusIs(absl::StatusCode::kInvalidArgument)) << c.text;
    EXPECT_THAT(ParseTlogProof(c.text).status().message(), HasSubstrIgnoringCase(c.expected))
        << c.text;
  }
  EXPECT_OK(ParseTlogProof(good).status());
}

}  // namespace
}  // namespace sealtrail
