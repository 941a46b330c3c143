// Checkpoint bodies and their verification (checkpoint.h), and the auditor's checks (audit.h):
// a golden checkpoint signed with a fixed key and checked again with OpenSSL alone, strict
// parsing, origins, a witness accepting or refusing new checkpoints of real logs (grown, equal,
// smaller, forked), and inclusion proofs against signed checkpoints.
#include "sealtrail/checkpoint.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/audit.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/note.h"
#include "sealtrail/note_signer.h"
#include "testing/checkpoint_fixtures.h"
#include "testing/note_vectors.h"
#include "testing/openssl_reference.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::GoTestSigner;
using ::sealtrail::testing::HasSubstrIgnoringCase;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::kEmDash;
using ::sealtrail::testing::kGoKeyId;
using ::sealtrail::testing::kGoVerifierKey;
using ::sealtrail::testing::OpenTestLog;
using ::sealtrail::testing::RefBase64Decode;
using ::sealtrail::testing::RefBase64Encode;
using ::sealtrail::testing::RefBigEndian32;
using ::sealtrail::testing::RefEd25519Verify;
using ::sealtrail::testing::RefSha256;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::SignTestCheckpoint;
using ::sealtrail::testing::StatusIs;
using ::sealtrail::testing::TestRecord;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

std::string S(std::string_view s) { return std::string(s); }

NoteVerifierKey GoKey() {
  absl::StatusOr<NoteVerifierKey> key = ParseNoteVerifierKey(kGoVerifierKey);
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? *key : NoteVerifierKey{};
}

std::string AsBytes(const Ed25519PublicKey& key) {
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

// ---- The golden checkpoint --------------------------------------------------------------------

// HashLeaf("x") = SHA-256(0x00 || "x").
constexpr std::string_view kGoldenRootBase64 = "PH6byTDck/AfppmF7yQtn56GHzxTVaokzl70tLinDMs=";
constexpr std::string_view kGoldenBody =
    "PeterNeumann\n"
    "12345\n"
    "PH6byTDck/AfppmF7yQtn56GHzxTVaokzl70tLinDMs=\n"
    "timestamp-ms 1700000000123\n";
// kGoldenBody signed with the Go test key "PeterNeumann" (testing/note_vectors.h). Computed once
// with an independent Ed25519 implementation (Python's `cryptography`) and pasted; Ed25519 is
// deterministic, so the library must reproduce it byte for byte.
constexpr std::string_view kGoldenNote =
    "PeterNeumann\n"
    "12345\n"
    "PH6byTDck/AfppmF7yQtn56GHzxTVaokzl70tLinDMs=\n"
    "timestamp-ms 1700000000123\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann "
    "x08gozkhpArpof+7jeJbDFnCdxtFwjCsgeXG04xU5/"
    "tyh4lWz7fyjiAjMEgWQ6uX2eqez2S3G4gAfN4HZPWzOAVcvQM=\n";

Checkpoint GoldenCheckpoint() {
  Checkpoint checkpoint;
  checkpoint.origin = "PeterNeumann";
  checkpoint.size = 12345;
  checkpoint.root = HashLeaf("x");
  checkpoint.timestamp_ms = 1700000000123;
  return checkpoint;
}

TEST(CheckpointGoldenTest, BodyHasExactlyTheExpectedText) {
  EXPECT_EQ(HashToBase64(HashLeaf("x")), kGoldenRootBase64);
  EXPECT_EQ(RefBase64Encode(RefSha256(std::string("\0x", 2))), kGoldenRootBase64);
  EXPECT_EQ(FormatCheckpointBody(GoldenCheckpoint()), kGoldenBody);
}

TEST(CheckpointGoldenTest, SignedCheckpointHasExactlyTheGoldenText) {
  const NoteSigner signer = GoTestSigner();
  EXPECT_EQ(signer.verifier_key().key_id, kGoKeyId);
  EXPECT_THAT(signer.Sign(FormatCheckpointBody(GoldenCheckpoint())), IsOkAndHolds(S(kGoldenNote)));
}

TEST(CheckpointGoldenTest, GoldenNoteVerifiesWithOpenSslAlone) {
  // Text, blank line, "— PeterNeumann " and base64(key ID || Ed25519 signature over the text).
  const std::string prefix = S(kGoldenBody) + "\n" + S(kEmDash) + " PeterNeumann ";
  ASSERT_TRUE(absl::StartsWith(S(kGoldenNote), prefix));
  const std::string b64(kGoldenNote.substr(prefix.size(), kGoldenNote.size() - prefix.size() - 1));
  const std::optional<std::string> bytes = RefBase64Decode(b64);
  ASSERT_TRUE(bytes.has_value());
  ASSERT_EQ(bytes->size(), 68u);
  EXPECT_EQ(bytes->substr(0, 4), RefBigEndian32(0xc74f20a3));
  const std::string public_key = AsBytes(GoKey().public_key);
  EXPECT_TRUE(RefEd25519Verify(public_key, kGoldenBody, bytes->substr(4)));
  EXPECT_FALSE(RefEd25519Verify(public_key, S(kGoldenBody) + "x", bytes->substr(4)));
}

TEST(CheckpointGoldenTest, GoldenNoteVerifiesAndParses) {
  ASSERT_OK_AND_ASSIGN(const Checkpoint checkpoint, VerifyCheckpoint(kGoldenNote, GoKey()));
  EXPECT_EQ(checkpoint.origin, "PeterNeumann");
  EXPECT_EQ(checkpoint.size, 12345u);
  EXPECT_EQ(checkpoint.root, HashLeaf("x"));
  EXPECT_THAT(checkpoint.timestamp_ms, Optional(int64_t{1700000000123}));
  EXPECT_THAT(checkpoint.extensions, IsEmpty());
}

TEST(CheckpointGoldenTest, EveryPrefixOfTheGoldenNoteIsRejected) {
  for (size_t n = 0; n < kGoldenNote.size(); ++n) {
    EXPECT_THAT(VerifyCheckpoint(kGoldenNote.substr(0, n), GoKey()),
                AnyOf(StatusIs(absl::StatusCode::kInvalidArgument),
                      StatusIs(absl::StatusCode::kUnauthenticated)))
        << n << " bytes";
  }
}

// ---- Formatting and parsing -------------------------------------------------------------------

TEST(CheckpointBodyTest, ExtensionsFollowTheTimestampInOrderAndRoundTrip) {
  Checkpoint checkpoint = GoldenCheckpoint();
  checkpoint.extensions = {"vendor.example/a 1", "other"};
  const std::string body = FormatCheckpointBody(checkpoint);
  EXPECT_EQ(body, S(kGoldenBody) + "vendor.example/a 1\nother\n");
  ASSERT_OK_AND_ASSIGN(const Checkpoint parsed, ParseCheckpointBody(body));
  EXPECT_EQ(parsed.origin, checkpoint.origin);
  EXPECT_EQ(parsed.size, checkpoint.size);
  EXPECT_EQ(parsed.root, checkpoint.root);
  EXPECT_EQ(parsed.timestamp_ms, checkpoint.timestamp_ms);
  EXPECT_THAT(parsed.extensions, ElementsAre("vendor.example/a 1", "other"));
}

TEST(CheckpointBodyTest, WithoutTimestampThereIsNoExtensionLine) {
  Checkpoint checkpoint = GoldenCheckpoint();
  checkpoint.timestamp_ms.reset();
  checkpoint.size = 0;
  checkpoint.root = EmptyTreeRoot();
  EXPECT_EQ(FormatCheckpointBody(checkpoint),
            "PeterNeumann\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  ASSERT_OK_AND_ASSIGN(const Checkpoint parsed,
                       ParseCheckpointBody(FormatCheckpointBody(checkpoint)));
  EXPECT_EQ(parsed.size, 0u);
  EXPECT_EQ(parsed.timestamp_ms, std::nullopt);
}

TEST(CheckpointBodyTest, AcceptsTheLargestSizeAndATimestampOfZero) {
  const std::string root(kGoldenRootBase64);
  ASSERT_OK_AND_ASSIGN(const Checkpoint parsed, ParseCheckpointBody("o\n18446744073709551615\n" +
                                                                    root + "\ntimestamp-ms 0\n"));
  EXPECT_EQ(parsed.size, UINT64_MAX);
  EXPECT_THAT(parsed.timestamp_ms, Optional(int64_t{0}));
}

struct BadBody {
  std::string body;
  std::vector<std::string> any_of;  // The message names at least one of these (any case).
};

TEST(CheckpointBodyTest, MalformedBodiesAreRejectedNamingTheLine) {
  const std::string root(kGoldenRootBase64);
  const std::string ts = "timestamp-ms 1700000000123\n";
  auto body = [&](std::string_view origin, std::string_view size, std::string_view root_line,
                  std::string_view rest) {
    return S(origin) + "\n" + S(size) + "\n" + S(root_line) + "\n" + S(rest);
  };
  // The golden root with a stray bit in its last character (canonical is 's').
  const std::string stray = root.substr(0, root.size() - 2) + "t=";
  const std::vector<BadBody> bad_bodies = {
      // Sizes.
      {body("o", "012345", root, ts), {"size"}},
      {body("o", "00", root, ts), {"size"}},
      {body("o", "-1", root, ts), {"size"}},
      {body("o", "+1", root, ts), {"size"}},
      {body("o", " 1", root, ts), {"size"}},
      {body("o", "1 ", root, ts), {"size"}},
      {body("o", "0x10", root, ts), {"size"}},
      {body("o", "1e3", root, ts), {"size"}},
      {body("o", "18446744073709551616", root, ts), {"size"}},
      {body("o", "99999999999999999999999", root, ts), {"size"}},
      // Roots.
      {body("o", "5", stray, ts), {"root"}},
      {body("o", "5", root.substr(0, root.size() - 1), ts), {"root"}},
      {body("o", "5", root + "=", ts), {"root"}},
      {body("o", "5", RefBase64Encode(std::string(31, 'a')), ts), {"root"}},
      {body("o", "5", RefBase64Encode(std::string(33, 'a')), ts), {"root"}},
      {body("o", "5", RefBase64Encode(""), ts), {"root", "empty", "line 3"}},
      {body("o", "5", "3c7e9bc930dc93f01fa69985ef242d9f9e861f3c5355aa24ce5ef4b4b8a70ccb", ts),
       {"root"}},
      {body("o", "5", "PH6byTDck_AfppmF7yQtn56GHzxTVaokzl70tLinDMs=", ts), {"root"}},
      // Empty lines, the final newline, the number of lines.
      {body("o", "5", root, ts + "\n"), {"empty", "line 5"}},
      {body("o", "5", root, "\n" + ts), {"empty", "line 4"}},
      {body("o", "5", root, "\n"), {"empty", "line 4"}},
      {body("o", "5", root, ts).substr(0, body("o", "5", root, ts).size() - 1), {"newline"}},
      {"o\n5\n" + root, {"newline"}},
      {"o\n5\n", {"three", "lines", "root"}},
      {"", {"newline", "empty", "lines"}},
      // Timestamps.
      {body("o", "5", root, ts + ts), {"timestamp"}},
      {body("o", "5", root, ts + "timestamp-ms 1700000000124\n"), {"timestamp"}},
      {body("o", "5", root, "timestamp-ms \n"), {"timestamp"}},
      {body("o", "5", root, "timestamp-ms x\n"), {"timestamp"}},
      {body("o", "5", root, "timestamp-ms 12x\n"), {"timestamp"}},
      {body("o", "5", root, "timestamp-ms  12\n"), {"timestamp"}},
      {body("o", "5", root, "timestamp-ms 12 \n"), {"timestamp"}},
      {body("o", "5", root, "timestamp-ms 1.5\n"), {"timestamp"}},
      {body("o", "5", root, "timestamp-ms 99999999999999999999\n"), {"timestamp"}},
      // Origins.
      {body("example.com log", "5", root, ts), {"origin"}},
      {body("example.com+log", "5", root, ts), {"origin"}},
      {body(" ", "5", root, ts), {"origin"}},
      {body("", "5", root, ts), {"origin", "empty", "line 1"}},
  };
  for (const BadBody& bad : bad_bodies) {
    absl::StatusOr<Checkpoint> parsed = ParseCheckpointBody(bad.body);
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument)) << "body:\n" << bad.body;
    if (parsed.ok()) continue;
    bool named = false;
    for (const std::string& word : bad.any_of) {
      named = named || absl::StrContains(absl::AsciiStrToLower(parsed.status().message()),
                                         absl::AsciiStrToLower(word));
    }
    EXPECT_TRUE(named) << "body:\n"
                       << bad.body << "message \"" << parsed.status().message()
                       << "\" names none of the expected words";
  }
}

// "timestamp-ms" with no value is a timestamp line that is not well-formed, not some other
// extension: a verifier must not read it as "no timestamp".
TEST(CheckpointBodyTest, TimestampKeywordWithoutAValueIsRejected) {
  const std::string body =
      absl::StrCat("o\n5\n", std::string(kGoldenRootBase64), "\ntimestamp-ms\n");
  EXPECT_THAT(ParseCheckpointBody(body),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstrIgnoringCase("timestamp")));
}

// ---- VerifyCheckpoint ---------------------------------------------------------------------------

TEST(VerifyCheckpointTest, WrongOriginIsUnauthenticatedNamingBoth) {
  const NoteSigner signer = GoTestSigner();
  ASSERT_OK_AND_ASSIGN(const std::string note, SignTestCheckpoint(signer, "example.com/other-log",
                                                                  5, HashLeaf("x"), 1700000000000));
  EXPECT_THAT(VerifyCheckpoint(note, GoKey()),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       AllOf(HasSubstr("example.com/other-log"), HasSubstr("PeterNeumann"))));
  EXPECT_THAT(VerifyCheckpoint(kGoldenNote, GoKey(), "example.com/expected"),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       AllOf(HasSubstr("example.com/expected"), HasSubstr("PeterNeumann"))));
}

TEST(VerifyCheckpointTest, ExpectedOriginOverridesTheKeyName) {
  const NoteSigner signer = GoTestSigner();
  ASSERT_OK_AND_ASSIGN(const std::string note, SignTestCheckpoint(signer, "example.com/other-log",
                                                                  5, HashLeaf("x"), 1700000000000));
  ASSERT_OK_AND_ASSIGN(const Checkpoint checkpoint,
                       VerifyCheckpoint(note, GoKey(), "example.com/other-log"));
  EXPECT_EQ(checkpoint.origin, "example.com/other-log");
  EXPECT_EQ(checkpoint.size, 5u);
}

TEST(VerifyCheckpointTest, SignatureByAnotherKeyIsUnauthenticated) {
  ASSERT_OK_AND_ASSIGN(const NoteSigner other, NoteSigner::Generate("PeterNeumann"));
  ASSERT_OK_AND_ASSIGN(const std::string note,
                       other.Sign(FormatCheckpointBody(GoldenCheckpoint())));
  EXPECT_THAT(VerifyCheckpoint(note, GoKey()), StatusIs(absl::StatusCode::kUnauthenticated));
  // The golden note with one bit of its size changed.
  std::string altered(kGoldenNote);
  altered[S("PeterNeumann\n1234").size()] = '4';
  EXPECT_THAT(VerifyCheckpoint(altered, GoKey()), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(VerifyCheckpointTest, SignedButMalformedBodyIsInvalidArgument) {
  const NoteSigner signer = GoTestSigner();
  for (const std::string& text : {
           S(kGoldenBody) + "\n",                                      // an empty extension line
           S("hello\n"),                                               // not a checkpoint
           S("PeterNeumann\n012345\n") + S(kGoldenRootBase64) + "\n",  // leading zero
       }) {
    ASSERT_OK_AND_ASSIGN(const std::string note, signer.Sign(text));
    EXPECT_THAT(VerifyCheckpoint(note, GoKey()), StatusIs(absl::StatusCode::kInvalidArgument))
        << text;
  }
}

// ---- Witness ------------------------------------------------------------------------------------

// Log A holds records 0..39; log B is A with records 7.. changed (a fork at index 7).
class WitnessTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kRecords = 40;
  static constexpr uint64_t kForkAt = 7;

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(a_, OpenTestLog(dir_.Sub("a"), kRecords));
    ASSERT_OK_AND_ASSIGN(b_, OpenTestLog(dir_.Sub("b"), kRecords, 2, kForkAt));
  }

  static Hash RootOf(const Log& log, uint64_t size) {
    absl::StatusOr<Hash> root = log.Root(size);
    EXPECT_TRUE(root.ok()) << root.status();
    return root.ok() ? *root : Hash{};
  }
  std::string NoteOf(const Log& log, uint64_t size, int64_t timestamp_ms = 1700000000000) {
    absl::StatusOr<std::string> note =
        SignTestCheckpoint(signer_, "PeterNeumann", size, RootOf(log, size), timestamp_ms);
    EXPECT_TRUE(note.ok()) << note.status();
    return note.ok() ? *note : std::string();
  }
  static ConsistencyProof ProofOf(const Log& log, uint64_t old_size, uint64_t new_size) {
    absl::StatusOr<ConsistencyProof> proof = log.ProveConsistency(old_size, new_size);
    EXPECT_TRUE(proof.ok()) << proof.status();
    return proof.ok() ? *proof : ConsistencyProof{};
  }
  // Both sizes and both roots, as every refusal message must give them.
  static ::testing::Matcher<const std::string&> NamesBoth(const Log& trusted_log,
                                                          uint64_t trusted_size, const Log& new_log,
                                                          uint64_t new_size) {
    return AllOf(HasSubstr(absl::StrCat(trusted_size)), HasSubstr(absl::StrCat(new_size)),
                 HasSubstr(HashToBase64(RootOf(trusted_log, trusted_size))),
                 HasSubstr(HashToBase64(RootOf(new_log, new_size))));
  }

  ScratchDir dir_{"checkpoint_test"};
  NoteSigner signer_ = GoTestSigner();
  NoteVerifierKey key_ = GoKey();
  std::unique_ptr<Log> a_;
  std::unique_ptr<Log> b_;
};

TEST_F(WitnessTest, FirstCheckpointIsAcceptedWithoutProof) {
  ASSERT_OK_AND_ASSIGN(const Checkpoint accepted,
                       WitnessCheck(std::nullopt, NoteOf(*a_, 5), std::nullopt, key_));
  EXPECT_EQ(accepted.size, 5u);
  EXPECT_EQ(accepted.root, RootOf(*a_, 5));
  EXPECT_EQ(accepted.origin, "PeterNeumann");
}

TEST_F(WitnessTest, SameSizeWithTheSameRootIsAccepted) {
  const std::string trusted = NoteOf(*a_, 12, 1700000000000);
  const std::string again = NoteOf(*a_, 12, 1700000005000);
  ASSERT_OK_AND_ASSIGN(const Checkpoint accepted, WitnessCheck(trusted, again, std::nullopt, key_));
  EXPECT_EQ(accepted.size, 12u);
  EXPECT_THAT(accepted.timestamp_ms, Optional(int64_t{1700000005000}));
}

TEST_F(WitnessTest, GrownTreeWithACorrectConsistencyProofIsAccepted) {
  for (const uint64_t old_size : {0u, 1u, 3u, 4u, 5u, 8u, 12u, 17u}) {
    for (uint64_t new_size = old_size + 1; new_size <= kRecords; new_size += 3) {
      EXPECT_THAT(WitnessCheck(NoteOf(*a_, old_size), NoteOf(*a_, new_size),
                               ProofOf(*a_, old_size, new_size), key_),
                  IsOkAndHolds(::testing::Field(&Checkpoint::size, new_size)))
          << old_size << " -> " << new_size;
    }
  }
}

TEST_F(WitnessTest, SmallerTreeIsARollbackAndDataLoss) {
  EXPECT_THAT(WitnessCheck(NoteOf(*a_, 12), NoteOf(*a_, 5), std::nullopt, key_),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("rollback"), NamesBoth(*a_, 12, *a_, 5))));
  // Even with a proof that the smaller tree is a prefix of the larger.
  EXPECT_THAT(WitnessCheck(NoteOf(*a_, 12), NoteOf(*a_, 5), ProofOf(*a_, 5, 12), key_),
              StatusIs(absl::StatusCode::kDataLoss, NamesBoth(*a_, 12, *a_, 5)));
}

TEST_F(WitnessTest, SameSizeWithAnotherRootIsDataLossNamingBothRoots) {
  ASSERT_NE(RootOf(*a_, 12), RootOf(*b_, 12));
  EXPECT_THAT(WitnessCheck(NoteOf(*a_, 12), NoteOf(*b_, 12), std::nullopt, key_),
              StatusIs(absl::StatusCode::kDataLoss, NamesBoth(*a_, 12, *b_, 12)));
}

TEST_F(WitnessTest, MissingProofIsInvalidArgument) {
  EXPECT_THAT(WitnessCheck(NoteOf(*a_, 5), NoteOf(*a_, 12), std::nullopt, key_),
              StatusIs(absl::StatusCode::kInvalidArgument, NamesBoth(*a_, 5, *a_, 12)));
}

TEST_F(WitnessTest, ProofForOtherSizesIsInvalidArgument) {
  for (const auto& [old_size, new_size] :
       std::vector<std::pair<uint64_t, uint64_t>>{{4, 12}, {6, 12}, {5, 11}, {5, 13}, {0, 12}}) {
    EXPECT_THAT(
        WitnessCheck(NoteOf(*a_, 5), NoteOf(*a_, 12), ProofOf(*a_, old_size, new_size), key_),
        StatusIs(absl::StatusCode::kInvalidArgument, NamesBoth(*a_, 5, *a_, 12)))
        << "proof " << old_size << " -> " << new_size;
  }
}

TEST_F(WitnessTest, ProofThatDoesNotVerifyIsDataLossNamingBothSizesAndRoots) {
  // The fork's own, well-formed proof for the same sizes: B(12) does not extend A(12).
  EXPECT_THAT(WitnessCheck(NoteOf(*a_, 12), NoteOf(*b_, 20), ProofOf(*b_, 12, 20), key_),
              StatusIs(absl::StatusCode::kDataLoss, NamesBoth(*a_, 12, *b_, 20)));
  // A's proof cannot make B's checkpoint look consistent either.
  EXPECT_THAT(WitnessCheck(NoteOf(*a_, 12), NoteOf(*b_, 20), ProofOf(*a_, 12, 20), key_),
              StatusIs(absl::StatusCode::kDataLoss, NamesBoth(*a_, 12, *b_, 20)));
  // A genuine proof with one bit flipped anywhere.
  const ConsistencyProof good = ProofOf(*a_, 5, 12);
  ASSERT_FALSE(good.path.empty());
  for (size_t i = 0; i < good.path.size(); ++i) {
    ConsistencyProof flipped = good;
    flipped.path[i][i % kHashSize] ^= 0x10;
    EXPECT_THAT(WitnessCheck(NoteOf(*a_, 5), NoteOf(*a_, 12), flipped, key_),
                StatusIs(absl::StatusCode::kDataLoss, NamesBoth(*a_, 5, *a_, 12)))
        << "path element " << i;
  }
  // A path of the wrong length is refused too.
  ConsistencyProof shorter = good;
  shorter.path.pop_back();
  EXPECT_FALSE(WitnessCheck(NoteOf(*a_, 5), NoteOf(*a_, 12), shorter, key_).ok());
}

TEST_F(WitnessTest, AWitnessThatFollowedOneBranchRefusesTheOther) {
  // The fork shares records 0..6, so B(20) extends A(5): the witness accepts it and records it.
  ASSERT_OK(WitnessCheck(NoteOf(*a_, 5), NoteOf(*b_, 20), ProofOf(*b_, 5, 20), key_));
  // Branch A, later and larger, cannot be shown to extend B(20).
  EXPECT_THAT(WitnessCheck(NoteOf(*b_, 20), NoteOf(*a_, 30), ProofOf(*a_, 20, 30), key_),
              StatusIs(absl::StatusCode::kDataLoss, NamesBoth(*b_, 20, *a_, 30)));
  EXPECT_THAT(WitnessCheck(NoteOf(*b_, 20), NoteOf(*a_, 20), std::nullopt, key_),
              StatusIs(absl::StatusCode::kDataLoss, NamesBoth(*b_, 20, *a_, 20)));
}

TEST_F(WitnessTest, NoteSignedByAnotherKeyIsUnauthenticated) {
  ASSERT_OK_AND_ASSIGN(const NoteSigner other, NoteSigner::Generate("PeterNeumann"));
  ASSERT_OK_AND_ASSIGN(const std::string forged,
                       SignTestCheckpoint(other, "PeterNeumann", 12, RootOf(*b_, 12)));
  EXPECT_THAT(WitnessCheck(std::nullopt, forged, std::nullopt, key_),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(WitnessCheck(NoteOf(*a_, 5), forged, ProofOf(*a_, 5, 12), key_),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // A trusted note that does not verify is no basis for anything.
  EXPECT_THAT(WitnessCheck(forged, NoteOf(*a_, 20), ProofOf(*a_, 12, 20), key_),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(WitnessTest, WrongOriginIsUnauthenticatedUnlessExpected) {
  ASSERT_OK_AND_ASSIGN(const std::string other_origin,
                       SignTestCheckpoint(signer_, "example.com/other", 12, RootOf(*a_, 12)));
  EXPECT_THAT(WitnessCheck(std::nullopt, other_origin, std::nullopt, key_),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("example.com/other")));
  EXPECT_THAT(WitnessCheck(NoteOf(*a_, 5), other_origin, ProofOf(*a_, 5, 12), key_),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("example.com/other")));
  EXPECT_OK(WitnessCheck(std::nullopt, other_origin, std::nullopt, key_, "example.com/other"));
}

TEST_F(WitnessTest, MalformedNoteIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(const std::string not_a_checkpoint, signer_.Sign("hello\n"));
  EXPECT_THAT(WitnessCheck(std::nullopt, not_a_checkpoint, std::nullopt, key_),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::string truncated = NoteOf(*a_, 12);
  truncated.pop_back();
  EXPECT_THAT(WitnessCheck(NoteOf(*a_, 5), truncated, ProofOf(*a_, 5, 12), key_),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// ---- Inclusion in a signed checkpoint --------------------------------------------------------

class InclusionInCheckpointTest : public WitnessTest {
 protected:
  static InclusionProof InclusionOf(const Log& log, uint64_t index, uint64_t size) {
    absl::StatusOr<InclusionProof> proof = log.ProveInclusion(index, size);
    EXPECT_TRUE(proof.ok()) << proof.status();
    return proof.ok() ? *proof : InclusionProof{};
  }
};

TEST_F(InclusionInCheckpointTest, EveryLeafIsProvenAgainstTheSignedCheckpoint) {
  const std::string note = NoteOf(*a_, 13);
  for (uint64_t i = 0; i < 13; ++i) {
    EXPECT_THAT(
        VerifyInclusionInCheckpoint(note, key_, HashLeaf(TestRecord(i)), InclusionOf(*a_, i, 13)),
        IsOkAndHolds(::testing::Field(&Checkpoint::size, 13u)))
        << "leaf " << i;
  }
}

TEST_F(InclusionInCheckpointTest, ProofForAnotherTreeSizeIsRefused) {
  const std::string note = NoteOf(*a_, 13);
  EXPECT_THAT(
      VerifyInclusionInCheckpoint(note, key_, HashLeaf(TestRecord(3)), InclusionOf(*a_, 3, 12)),
      StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("12"), HasSubstr("13"))));
  // The tree size relabelled to the checkpoint's, the path still that of size 12.
  InclusionProof relabelled = InclusionOf(*a_, 3, 12);
  relabelled.tree_size = 13;
  EXPECT_FALSE(VerifyInclusionInCheckpoint(note, key_, HashLeaf(TestRecord(3)), relabelled).ok());
}

TEST_F(InclusionInCheckpointTest, FlippedPathBitIsDataLoss) {
  const std::string note = NoteOf(*a_, 13);
  const InclusionProof good = InclusionOf(*a_, 6, 13);
  ASSERT_FALSE(good.path.empty());
  for (size_t i = 0; i < good.path.size(); ++i) {
    for (const size_t byte : {size_t{0}, kHashSize - 1}) {
      InclusionProof flipped = good;
      flipped.path[i][byte] ^= 0x01;
      EXPECT_THAT(VerifyInclusionInCheckpoint(note, key_, HashLeaf(TestRecord(6)), flipped),
                  StatusIs(absl::StatusCode::kDataLoss))
          << "path element " << i << " byte " << byte;
    }
  }
}

TEST_F(InclusionInCheckpointTest, WrongLeafIsRefused) {
  const std::string note = NoteOf(*a_, 13);
  const InclusionProof proof = InclusionOf(*a_, 6, 13);
  EXPECT_THAT(VerifyInclusionInCheckpoint(note, key_, HashLeaf(TestRecord(7)), proof),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(VerifyInclusionInCheckpoint(note, key_, HashLeaf(TestRecord(6, 0)), proof),
              StatusIs(absl::StatusCode::kDataLoss));
  // The record hashed without the leaf prefix is not the leaf.
  EXPECT_THAT(VerifyInclusionInCheckpoint(note, key_, Sha256(TestRecord(6)), proof),
              StatusIs(absl::StatusCode::kDataLoss));
  InclusionProof moved = proof;
  moved.leaf_index = 7;
  EXPECT_FALSE(VerifyInclusionInCheckpoint(note, key_, HashLeaf(TestRecord(6)), moved).ok());
  moved.leaf_index = 13;
  EXPECT_FALSE(VerifyInclusionInCheckpoint(note, key_, HashLeaf(TestRecord(6)), moved).ok());
}

TEST_F(InclusionInCheckpointTest, CheckpointOfTheForkDoesNotProveTheOriginalRecord) {
  const std::string fork_note = NoteOf(*b_, 13);
  EXPECT_THAT(VerifyInclusionInCheckpoint(fork_note, key_, HashLeaf(TestRecord(9)),
                                          InclusionOf(*a_, 9, 13)),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(InclusionInCheckpointTest, CheckpointByAnotherKeyOrOriginIsUnauthenticated) {
  ASSERT_OK_AND_ASSIGN(const NoteSigner other, NoteSigner::Generate("PeterNeumann"));
  ASSERT_OK_AND_ASSIGN(const std::string forged,
                       SignTestCheckpoint(other, "PeterNeumann", 13, RootOf(*a_, 13)));
  EXPECT_THAT(
      VerifyInclusionInCheckpoint(forged, key_, HashLeaf(TestRecord(3)), InclusionOf(*a_, 3, 13)),
      StatusIs(absl::StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(const std::string other_origin,
                       SignTestCheckpoint(signer_, "example.com/other", 13, RootOf(*a_, 13)));
  EXPECT_THAT(VerifyInclusionInCheckpoint(other_origin, key_, HashLeaf(TestRecord(3)),
                                          InclusionOf(*a_, 3, 13)),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_OK(VerifyInclusionInCheckpoint(other_origin, key_, HashLeaf(TestRecord(3)),
                                        InclusionOf(*a_, 3, 13), "example.com/other"));
}

}  // namespace
}  // namespace sealtrail
