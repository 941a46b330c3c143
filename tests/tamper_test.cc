// Tamper evidence: damage a closed data directory's files directly, as an attacker or a bad
// disk would, and check that VerifyDataDir (and, where it reads the damaged bytes, Log::Open)
// reports DATA_LOSS naming the file and the place. Also checks the intact directory against
// docs/format/README.md byte by byte, so that every offset the tampering uses is the
// documented one, and that a torn tail is the one damage Log::Open repairs.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/verify.h"
#include "testing/crc32c.h"
#include "testing/data_dir_layout.h"
#include "testing/file_util.h"
#include "testing/reference_merkle.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::EncodeLe32;
using ::sealtrail::testing::FileSizeOf;
using ::sealtrail::testing::FlipByteAt;
using ::sealtrail::testing::FrameLocation;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::kFooterBytes;
using ::sealtrail::testing::kFooterChainOffset;
using ::sealtrail::testing::kFooterCrcOffset;
using ::sealtrail::testing::kFooterRootOffset;
using ::sealtrail::testing::LoadLe32;
using ::sealtrail::testing::LoadLe64;
using ::sealtrail::testing::MakeOwnerWritable;
using ::sealtrail::testing::MentionsNumber;
using ::sealtrail::testing::OverwriteAt;
using ::sealtrail::testing::ReadWholeFile;
using ::sealtrail::testing::RefHash;
using ::sealtrail::testing::RefToHex;
using ::sealtrail::testing::SegmentFileName;
using ::sealtrail::testing::SegmentLayout;
using ::sealtrail::testing::SegmentPath;
using ::sealtrail::testing::StatusIs;
using ::sealtrail::testing::TestCrc32c;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Matcher;

Matcher<const std::string&> NamesFile(uint64_t segment) {
  return HasSubstr(SegmentFileName(segment));
}

std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

std::string_view View(const RefHash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

RefHash HashAt(std::string_view bytes, uint64_t offset) {
  RefHash h;
  std::copy_n(bytes.data() + offset, h.size(), h.begin());
  return h;
}

// chain(n) = SHA-256(chain(n-1) || root(n) || n as 8-byte big-endian).
RefHash ChainHash(const RefHash& previous, const RefHash& root, uint64_t n) {
  std::string preimage(View(previous));
  preimage += View(root);
  preimage += BigEndian64(n);
  return testing::RefSha256(preimage);
}

TEST(TamperTestHelpers, Crc32cMatchesTheFormatsCheckValue) {
  EXPECT_EQ(TestCrc32c("123456789"), 0xE3069283u);
}

class TamperTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kLog2 = 3;
  static constexpr uint64_t kLeaves = uint64_t{1} << kLog2;
  static constexpr uint64_t kSealed = 4;
  static constexpr uint64_t kOpenRecords = 5;
  static constexpr uint64_t kRecords = kSealed * kLeaves + kOpenRecords;  // 37

  void SetUp() override { ASSERT_NO_FATAL_FAILURE(Build(kRecords, "log")); }

  // Record i is 20 + i % 3 bytes, so frames three apart have equal lengths.
  static std::string RecordFor(uint64_t i) {
    return absl::StrFormat("rec%05d:", i) +
           std::string(11 + i % 3, static_cast<char>('a' + i % 26));
  }

  // Writes `count` records to a new log in tmp_/name, which becomes dir_, and closes it.
  void Build(uint64_t count, std::string_view name) {
    dir_ = tmp_.Sub(name);
    records_.clear();
    for (uint64_t i = 0; i < count; ++i) records_.push_back(RecordFor(i));
    LogOptions options;
    options.leaves_per_segment_log2 = kLog2;
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(options, dir_));
      for (uint64_t i = 0; i < count; i += 3) {
        std::vector<std::string_view> batch;
        for (uint64_t j = i; j < std::min(count, i + 3); ++j) batch.push_back(records_[j]);
        ASSERT_OK(log->Append(batch));
      }
      ASSERT_EQ(log->Size(), count);
    }
    ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyDataDir(dir_));
    ASSERT_EQ(report.records, count);
    ASSERT_EQ(RefToHex(report.root), RefToHex(testing::RefMth(records_)));
  }

  std::string Seg(uint64_t n) const { return SegmentPath(dir_, n); }

  // Reads segment `n` and its layout; fails the test if either is unreadable.
  void Load(uint64_t n, std::string& bytes, SegmentLayout& layout) const {
    ASSERT_OK_AND_ASSIGN(bytes, ReadWholeFile(Seg(n)));
    ASSERT_OK_AND_ASSIGN(layout, testing::ParseSegmentLayout(bytes, kLog2));
  }

  LogOptions Options() const {
    LogOptions options;
    options.leaves_per_segment_log2 = kLog2;
    options.create_if_missing = false;
    return options;
  }

  // Log::Open must refuse with `matcher`, and refusing must change no file: recovery may only
  // repair a torn tail, never "fix" damage by truncating or recreating segments.
  template <typename StatusMatcher>
  void ExpectOpenRefusesAndChangesNothing(const StatusMatcher& matcher) {
    ASSERT_OK_AND_ASSIGN(auto before, testing::SnapshotTree(dir_));
    EXPECT_THAT(Log::Open(Options(), dir_), matcher);
    ASSERT_OK_AND_ASSIGN(auto after, testing::SnapshotTree(dir_));
    EXPECT_EQ(after.size(), before.size());
    for (const auto& [name, bytes] : before) {
      auto it = after.find(name);
      ASSERT_NE(it, after.end()) << name << " was removed by the failed open";
      EXPECT_TRUE(it->second == bytes) << name << " was changed by the failed open";
    }
  }

  // Rewrites footer field bytes of sealed segment `n` and then recomputes the footer CRC, so
  // that only checks beyond the CRC can notice.
  void ForgeFooterField(uint64_t n, uint64_t field_offset, std::string_view value) {
    std::string bytes;
    SegmentLayout layout;
    ASSERT_NO_FATAL_FAILURE(Load(n, bytes, layout));
    ASSERT_TRUE(layout.sealed);
    std::string footer = bytes.substr(layout.footer_offset, kFooterBytes);
    ASSERT_EQ(LoadLe32(footer, kFooterCrcOffset),
              TestCrc32c(std::string_view(footer).substr(0, kFooterCrcOffset)))
        << "the footer CRC is not the documented one; forging it would prove nothing";
    footer.replace(field_offset, value.size(), value);
    footer.replace(kFooterCrcOffset, 4,
                   EncodeLe32(TestCrc32c(std::string_view(footer).substr(0, kFooterCrcOffset))));
    ASSERT_OK(MakeOwnerWritable(Seg(n)));
    ASSERT_OK(OverwriteAt(Seg(n), layout.footer_offset, footer));
  }

  // VerifyDataDir with VerifyOptions::problems; it must fail with the first one's status.
  std::vector<VerifyProblem> Problems() const {
    std::vector<VerifyProblem> problems;
    VerifyOptions options;
    options.problems = &problems;
    absl::StatusOr<VerifyReport> verified = VerifyDataDir(dir_, options);
    EXPECT_FALSE(verified.ok());
    EXPECT_FALSE(problems.empty());
    if (!verified.ok() && !problems.empty()) {
      EXPECT_EQ(verified.status(), problems.front().status);
    }
    return problems;
  }

  // The one problem VerifyDataDir finds must be at `file`, `offset`, `seq`, and be damage.
  void ExpectOnlyProblemAt(const std::string& file, uint64_t offset, std::optional<uint64_t> seq,
                           bool in_open_segment = false) const {
    const std::vector<VerifyProblem> problems = Problems();
    ASSERT_EQ(problems.size(), 1u) << problems.back().status;
    EXPECT_EQ(problems[0].file, file);
    EXPECT_EQ(problems[0].offset, offset);
    EXPECT_EQ(problems[0].seq, seq);
    EXPECT_EQ(problems[0].in_open_segment, in_open_segment);
    EXPECT_TRUE(problems[0].is_damage()) << problems[0].status;
  }

  testing::ScratchDir tmp_;
  std::string dir_;
  std::vector<std::string> records_;
};

TEST_F(TamperTest, IntactDirectoryIsTheDocumentedFormat) {
  RefHash chain{};
  for (uint64_t n = 0; n <= kSealed; ++n) {
    SCOPED_TRACE(SegmentFileName(n));
    std::string bytes;
    SegmentLayout layout;
    ASSERT_NO_FATAL_FAILURE(Load(n, bytes, layout));
    // Header.
    EXPECT_EQ(bytes.substr(0, 8), std::string("SEALSEG\0", 8));
    EXPECT_EQ(LoadLe32(bytes, 8), 2u);  // New directories are format 2.
    EXPECT_EQ(LoadLe32(bytes, 12), kLog2);
    EXPECT_EQ(LoadLe64(bytes, 16), n);
    EXPECT_EQ(LoadLe32(bytes, 24), 0u);
    EXPECT_EQ(LoadLe32(bytes, 28), TestCrc32c(std::string_view(bytes).substr(0, 28)));
    // Frames.
    const uint64_t first = n * kLeaves;
    const uint64_t count = n < kSealed ? kLeaves : kOpenRecords;
    ASSERT_EQ(layout.frames.size(), count);
    std::vector<RefHash> leaves;
    for (uint64_t j = 0; j < count; ++j) {
      const FrameLocation& f = layout.frames[j];
      EXPECT_EQ(bytes.substr(f.payload_offset(), f.length), records_[first + j]);
      EXPECT_EQ(f.flags & ~testing::kFrameBatchContinuesBit, 0u);  // The only flag defined.
      EXPECT_EQ(LoadLe32(bytes, f.offset + 4), TestCrc32c(bytes.substr(f.offset, 4)));
      EXPECT_EQ(LoadLe32(bytes, f.offset + 8),
                TestCrc32c(bytes.substr(f.payload_offset(), f.length)));
      leaves.push_back(testing::RefLeafHash(records_[first + j]));
    }
    if (n == kSealed) {
      EXPECT_FALSE(layout.sealed);
      EXPECT_EQ(layout.frames_end, bytes.size());
      continue;
    }
    ASSERT_TRUE(layout.sealed);
    // Node table, every level.
    for (uint32_t level = 0; level <= kLog2; ++level) {
      const uint64_t width = uint64_t{1} << level;
      for (uint64_t i = 0; i < kLeaves / width; ++i) {
        const RefHash want =
            testing::RefMthOfLeafHashes(absl::MakeConstSpan(leaves).subspan(i * width, width));
        EXPECT_EQ(RefToHex(HashAt(bytes, testing::NodeOffset(layout, kLog2, level, i))),
                  RefToHex(want))
            << "level " << level << " index " << i;
      }
    }
    // Offset table.
    for (uint64_t j = 0; j < kLeaves; ++j) {
      EXPECT_EQ(LoadLe64(bytes, layout.offset_table_offset + 8 * j), layout.frames[j].offset);
    }
    // Footer.
    const std::string_view footer = std::string_view(bytes).substr(layout.footer_offset);
    EXPECT_EQ(footer.substr(0, 8), std::string_view("SEALFTR\0", 8));
    EXPECT_EQ(LoadLe32(footer, 8), 2u);
    EXPECT_EQ(LoadLe32(footer, 12), kLog2);
    EXPECT_EQ(LoadLe64(footer, 16), n);
    EXPECT_EQ(LoadLe64(footer, 24), kLeaves);
    EXPECT_EQ(layout.frames.back().end(), layout.frames_end);
    const RefHash root = testing::RefMthOfLeafHashes(leaves);
    EXPECT_EQ(RefToHex(HashAt(footer, kFooterRootOffset)), RefToHex(root));
    chain = ChainHash(chain, root, n);
    EXPECT_EQ(RefToHex(HashAt(footer, kFooterChainOffset)), RefToHex(chain));
    EXPECT_EQ(LoadLe32(footer, kFooterCrcOffset), TestCrc32c(footer.substr(0, kFooterCrcOffset)));
    EXPECT_EQ(LoadLe32(footer, 108), 0u);
  }
  ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyDataDir(dir_));
  EXPECT_EQ(report.segments, kSealed + 1);
  EXPECT_EQ(report.sealed_segments, kSealed);
  EXPECT_EQ(RefToHex(report.chain), RefToHex(chain));
}

TEST_F(TamperTest, FlippedByteInSealedSegmentRecordIsDataLoss) {
  // Segment 2, frame 5: sequence number 21.
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(2, bytes, layout));
  const FrameLocation frame = layout.frames[5];
  const uint64_t flipped = frame.payload_offset() + 3;
  ASSERT_OK(MakeOwnerWritable(Seg(2)));
  ASSERT_OK(FlipByteAt(Seg(2), flipped));

  EXPECT_THAT(VerifyDataDir(dir_),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(NamesFile(2), MentionsNumber(21),
                             AnyOf(MentionsNumber(frame.offset), MentionsNumber(flipped)))));
  ExpectOnlyProblemAt(Seg(2), frame.offset, 21);

  // Opening reads only footers, but reading the damaged record must not return it.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir_));
  EXPECT_THAT(log->Read(21), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(log->Read(20), IsOkAndHolds(records_[20]));
  EXPECT_THAT(log->Read(22), IsOkAndHolds(records_[22]));
}

TEST_F(TamperTest, FlippedByteInNodeTableLeafLevelIsDataLoss) {
  // Segment 1, the stored leaf hash of frame 3: sequence number 11.
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(1, bytes, layout));
  const uint64_t node = testing::NodeOffset(layout, kLog2, 0, 3);
  ASSERT_OK(MakeOwnerWritable(Seg(1)));
  ASSERT_OK(FlipByteAt(Seg(1), node + 17, 0x40));

  EXPECT_THAT(VerifyDataDir(dir_),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(NamesFile(1), AnyOf(MentionsNumber(node), MentionsNumber(node + 17),
                                                 MentionsNumber(11)))));
  // Placed at the record: its hash and the stored one disagree (either may be what changed).
  ExpectOnlyProblemAt(Seg(1), layout.frames[3].offset, 11);
}

TEST_F(TamperTest, FlippedByteInNodeTableInteriorLevelIsDataLoss) {
  // Segment 3, level 2, index 1: the parent of leaves 4..7 (sequence numbers 28..31).
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(3, bytes, layout));
  const uint64_t node = testing::NodeOffset(layout, kLog2, 2, 1);
  ASSERT_OK(MakeOwnerWritable(Seg(3)));
  ASSERT_OK(FlipByteAt(Seg(3), node, 0x01));

  EXPECT_THAT(
      VerifyDataDir(dir_),
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(NamesFile(3), AnyOf(MentionsNumber(node),
                                         MentionsNumber(node - layout.node_table_offset)))));
  ExpectOnlyProblemAt(Seg(3), node, std::nullopt);
}

TEST_F(TamperTest, FlippedByteInOffsetTableIsDataLoss) {
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(1, bytes, layout));
  ASSERT_OK(MakeOwnerWritable(Seg(1)));
  ASSERT_OK(FlipByteAt(Seg(1), layout.offset_table_offset + 8 * 6, 0x04));
  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, NamesFile(1)));
  ExpectOnlyProblemAt(Seg(1), layout.offset_table_offset + 8 * 6, kLeaves + 6);
}

TEST_F(TamperTest, TruncatedSealedSegmentIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(uint64_t size, FileSizeOf(Seg(1)));
  ASSERT_OK(MakeOwnerWritable(Seg(1)));
  ASSERT_OK(testing::TruncateTo(Seg(1), size - 50));
  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, NamesFile(1)));
  ExpectOnlyProblemAt(Seg(1), size - 50 - kFooterBytes, std::nullopt);  // Where a footer ends it.
  // Not the last segment, so not an interrupted seal: opening must refuse, not "repair".
  ExpectOpenRefusesAndChangesNothing(StatusIs(absl::StatusCode::kDataLoss, NamesFile(1)));
  EXPECT_THAT(FileSizeOf(Seg(1)), IsOkAndHolds(size - 50));
}

TEST_F(TamperTest, SealedSegmentTruncatedIntoItsFramesIsDataLoss) {
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(2, bytes, layout));
  ASSERT_OK(MakeOwnerWritable(Seg(2)));
  ASSERT_OK(testing::TruncateTo(Seg(2), layout.frames[4].offset));
  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, NamesFile(2)));
  ExpectOnlyProblemAt(Seg(2), layout.frames[4].offset - kFooterBytes, std::nullopt);
  ExpectOpenRefusesAndChangesNothing(StatusIs(absl::StatusCode::kDataLoss, NamesFile(2)));
}

TEST_F(TamperTest, SwappedRecordsInSealedSegmentAreDataLoss) {
  // Frames 1 and 4 of segment 2 (sequence numbers 17 and 20) have equal lengths, so swapping
  // them keeps every frame CRC and every offset valid: only the hashes can tell.
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(2, bytes, layout));
  const FrameLocation a = layout.frames[1];
  const FrameLocation b = layout.frames[4];
  ASSERT_EQ(a.length, b.length);
  const std::string frame_a = bytes.substr(a.offset, a.end() - a.offset);
  const std::string frame_b = bytes.substr(b.offset, b.end() - b.offset);
  ASSERT_OK(MakeOwnerWritable(Seg(2)));
  ASSERT_OK(OverwriteAt(Seg(2), a.offset, frame_b));
  ASSERT_OK(OverwriteAt(Seg(2), b.offset, frame_a));

  EXPECT_THAT(VerifyDataDir(dir_),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(NamesFile(2), AnyOf(MentionsNumber(17), MentionsNumber(a.offset)))));
  ExpectOnlyProblemAt(Seg(2), a.offset, 17);
}

TEST_F(TamperTest, RemovedMiddleSegmentIsDataLoss) {
  ASSERT_OK(testing::RemovePath(Seg(2)));
  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, NamesFile(2)));
  // Its records are gone from 16 on; segment 3 is verified, its chain not judged.
  ExpectOnlyProblemAt(Seg(2), 0, 2 * kLeaves);
  ExpectOpenRefusesAndChangesNothing(StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(TamperTest, RemovedFirstSegmentIsDataLoss) {
  ASSERT_OK(testing::RemovePath(Seg(0)));
  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, NamesFile(0)));
  ExpectOnlyProblemAt(Seg(0), 0, 0);
  ExpectOpenRefusesAndChangesNothing(StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(TamperTest, EditedFooterRootWithValidCrcIsDataLoss) {
  // Segment 1 claims segment 2's root: a plausible substitution, with its CRC made good.
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(2, bytes, layout));
  const std::string other_root = bytes.substr(layout.footer_offset + kFooterRootOffset, 32);
  ASSERT_NO_FATAL_FAILURE(ForgeFooterField(1, kFooterRootOffset, other_root));

  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, NamesFile(1)));
  SegmentLayout forged;
  ASSERT_NO_FATAL_FAILURE(Load(1, bytes, forged));
  ExpectOnlyProblemAt(Seg(1), forged.footer_offset + kFooterRootOffset, std::nullopt);
  // The chain in the footer no longer follows from the root: opening checks that.
  ExpectOpenRefusesAndChangesNothing(StatusIs(absl::StatusCode::kDataLoss, NamesFile(1)));
}

TEST_F(TamperTest, EditedFooterRootWithChainAndCrcsRecomputedIsDataLoss) {
  // The strongest footer forgery: segment 1's root replaced, and every chain hash from there on
  // recomputed (with CRCs), so the footers agree with each other. Only the node table and the
  // records still disagree with the footer.
  std::vector<RefHash> roots;
  std::vector<RefHash> chains;
  for (uint64_t n = 0; n < kSealed; ++n) {
    std::string bytes;
    SegmentLayout layout;
    ASSERT_NO_FATAL_FAILURE(Load(n, bytes, layout));
    roots.push_back(HashAt(bytes, layout.footer_offset + kFooterRootOffset));
    chains.push_back(HashAt(bytes, layout.footer_offset + kFooterChainOffset));
    // Our chain arithmetic reproduces the untouched files', so the forgery is well formed.
    ASSERT_EQ(RefToHex(ChainHash(n == 0 ? RefHash{} : chains[n - 1], roots[n], n)),
              RefToHex(chains[n]))
        << SegmentFileName(n);
  }
  roots[1] = testing::RefSha256("forged root");
  ASSERT_NO_FATAL_FAILURE(ForgeFooterField(1, kFooterRootOffset, View(roots[1])));
  for (uint64_t n = 1; n < kSealed; ++n) {
    chains[n] = ChainHash(chains[n - 1], roots[n], n);
    ASSERT_NO_FATAL_FAILURE(ForgeFooterField(n, kFooterChainOffset, View(chains[n])));
  }

  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, NamesFile(1)));
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(1, bytes, layout));
  ExpectOnlyProblemAt(Seg(1), layout.footer_offset + kFooterRootOffset, std::nullopt);
}

TEST_F(TamperTest, EditedFooterChainHashWithValidCrcIsDataLoss) {
  const RefHash forged_chain = testing::RefSha256("forged chain");
  ASSERT_NO_FATAL_FAILURE(ForgeFooterField(2, kFooterChainOffset, View(forged_chain)));

  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, NamesFile(2)));
  // One problem: segment 3 is judged against the chain segment 2's records call for.
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(2, bytes, layout));
  ExpectOnlyProblemAt(Seg(2), layout.footer_offset + kFooterChainOffset, std::nullopt);
  ExpectOpenRefusesAndChangesNothing(StatusIs(absl::StatusCode::kDataLoss, NamesFile(2)));
}

TEST_F(TamperTest, FlippedByteInOpenSegmentMiddleRecordIsDataLoss) {
  // The open segment 4 holds sequence numbers 32..36; frame 2 is 34, followed by two more.
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(kSealed, bytes, layout));
  ASSERT_EQ(layout.frames.size(), kOpenRecords);
  const FrameLocation frame = layout.frames[2];
  const uint64_t flipped = frame.payload_offset() + 5;
  ASSERT_OK(MakeOwnerWritable(Seg(kSealed)));
  ASSERT_OK(FlipByteAt(Seg(kSealed), flipped));
  const auto names_the_frame = AllOf(NamesFile(kSealed), MentionsNumber(34),
                                     AnyOf(MentionsNumber(frame.offset), MentionsNumber(flipped)));

  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, names_the_frame));
  ExpectOnlyProblemAt(Seg(kSealed), frame.offset, 34, /*in_open_segment=*/true);
  // A bad frame followed by good ones is not a torn tail: opening refuses, and truncates
  // nothing (records 35 and 36 were acknowledged).
  ExpectOpenRefusesAndChangesNothing(StatusIs(absl::StatusCode::kDataLoss, names_the_frame));
  EXPECT_THAT(FileSizeOf(Seg(kSealed)), IsOkAndHolds(bytes.size()));
}

// A damaged length that makes a middle frame seem to run past the end of the file looks like a
// torn write unless the length is checked on its own: it must be DATA_LOSS, and opening must not
// truncate the acknowledged records after it.
TEST_F(TamperTest, DamagedLengthOfMiddleFrameInOpenSegmentIsDataLossNotATornTail) {
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(kSealed, bytes, layout));
  const FrameLocation frame = layout.frames[1];  // Sequence number 33, followed by three more.
  ASSERT_OK(MakeOwnerWritable(Seg(kSealed)));
  ASSERT_OK(FlipByteAt(Seg(kSealed), frame.offset + 2, 0x40));  // Length grows by 4 MiB.
  const auto names_the_frame = AllOf(NamesFile(kSealed), MentionsNumber(33));

  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, names_the_frame));
  ExpectOnlyProblemAt(Seg(kSealed), frame.offset, 33, /*in_open_segment=*/true);
  ExpectOpenRefusesAndChangesNothing(StatusIs(absl::StatusCode::kDataLoss, names_the_frame));
  EXPECT_THAT(FileSizeOf(Seg(kSealed)), IsOkAndHolds(bytes.size()));
}

TEST_F(TamperTest, FlippedByteInSealedFooterMakesOpenFail) {
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(1, bytes, layout));
  ASSERT_OK(MakeOwnerWritable(Seg(1)));
  ASSERT_OK(FlipByteAt(Seg(1), layout.footer_offset + kFooterRootOffset + 9));

  ExpectOpenRefusesAndChangesNothing(StatusIs(absl::StatusCode::kDataLoss, NamesFile(1)));
  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, NamesFile(1)));
  ExpectOnlyProblemAt(Seg(1), layout.footer_offset, std::nullopt);  // Its CRC fails.
  EXPECT_THAT(FileSizeOf(Seg(1)), IsOkAndHolds(bytes.size()));
}

TEST_F(TamperTest, FlippedByteInLastSealedSegmentsFooterMakesOpenFail) {
  // Segment 3 is the last sealed one; its successor exists, so a bad footer there is damage,
  // not an interrupted seal.
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(kSealed - 1, bytes, layout));
  ASSERT_OK(MakeOwnerWritable(Seg(kSealed - 1)));
  ASSERT_OK(FlipByteAt(Seg(kSealed - 1), layout.footer_offset + kFooterChainOffset));

  ExpectOpenRefusesAndChangesNothing(StatusIs(absl::StatusCode::kDataLoss, NamesFile(kSealed - 1)));
  EXPECT_THAT(VerifyDataDir(dir_), StatusIs(absl::StatusCode::kDataLoss, NamesFile(kSealed - 1)));
  ExpectOnlyProblemAt(Seg(kSealed - 1), layout.footer_offset, std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// VerifyOptions::problems beyond the first problem (each test above checks its one problem's
// place): verification goes on past a damaged or missing segment, and can be cancelled.

TEST_F(TamperTest, EveryDamagedSegmentIsAProblemInFileOrder) {
  std::string bytes1, bytes3;
  SegmentLayout layout1, layout3;
  ASSERT_NO_FATAL_FAILURE(Load(1, bytes1, layout1));
  ASSERT_NO_FATAL_FAILURE(Load(3, bytes3, layout3));
  ASSERT_OK(MakeOwnerWritable(Seg(1)));
  ASSERT_OK(MakeOwnerWritable(Seg(3)));
  ASSERT_OK(FlipByteAt(Seg(3), layout3.frames[7].payload_offset()));  // Sequence number 31.
  ASSERT_OK(FlipByteAt(Seg(1), layout1.frames[2].payload_offset()));  // Sequence number 10.

  const std::vector<VerifyProblem> problems = Problems();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].file, Seg(1));
  EXPECT_EQ(problems[0].offset, layout1.frames[2].offset);
  EXPECT_EQ(problems[0].seq, 10u);
  EXPECT_EQ(problems[1].file, Seg(3));
  EXPECT_EQ(problems[1].offset, layout3.frames[7].offset);
  EXPECT_EQ(problems[1].seq, 31u);
  EXPECT_THAT(problems[1].status,
              StatusIs(absl::StatusCode::kDataLoss, AllOf(NamesFile(3), MentionsNumber(31))));
}

TEST_F(TamperTest, SegmentsAfterAMissingOneAreStillVerified) {
  ASSERT_OK(testing::RemovePath(Seg(2)));
  std::string bytes;
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(3, bytes, layout));
  ASSERT_OK(MakeOwnerWritable(Seg(3)));
  ASSERT_OK(FlipByteAt(Seg(3), layout.frames[0].payload_offset()));  // Sequence number 24.

  const std::vector<VerifyProblem> problems = Problems();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].file, Seg(2));
  EXPECT_EQ(problems[0].offset, 0u);
  EXPECT_EQ(problems[0].seq, 2 * kLeaves);
  EXPECT_THAT(std::string(problems[0].status.message()),
              AllOf(HasSubstr("is missing"), NamesFile(2)));
  EXPECT_EQ(problems[1].file, Seg(3));
  EXPECT_EQ(problems[1].seq, 24u);
}

TEST_F(TamperTest, IntactDirectoryHasNoProblemsAndCancelStopsVerification) {
  std::vector<VerifyProblem> problems;
  VerifyOptions options;
  options.problems = &problems;
  EXPECT_OK(VerifyDataDir(dir_, options));
  EXPECT_TRUE(problems.empty());
  std::atomic<bool> cancel{true};
  options.cancel = &cancel;
  EXPECT_THAT(VerifyDataDir(dir_, options),
              StatusIs(absl::StatusCode::kCancelled, HasSubstr("cancelled")));
  EXPECT_TRUE(problems.empty());
}

// ---------------------------------------------------------------------------------------------
// Torn tails: the one damage that opening repairs, because it is what a crash mid-append
// leaves. No acknowledged record may be lost.

struct TornTail {
  const char* name;
  std::string bytes;
};

void PrintTo(const TornTail& tail, std::ostream* os) {
  *os << tail.name << " (" << tail.bytes.size() << " bytes)";
}

// A frame header as the format gives it, with the payload CRC as given.
std::string FrameHeader(uint32_t length, uint32_t payload_crc) {
  const std::string encoded = EncodeLe32(length);
  return encoded + EncodeLe32(TestCrc32c(encoded)) + EncodeLe32(payload_crc);
}

std::string FrameWithBadCrc(std::string_view payload) {
  const uint32_t crc = TestCrc32c(std::string(payload));
  return FrameHeader(static_cast<uint32_t>(payload.size()), crc ^ 0x00100000u) +
         std::string(payload);
}

std::vector<TornTail> TornTails() {
  return {
      {"PartialFrameHeader", std::string("\x0c\x00\x00", 3)},
      {"PartialFrameHeaderOfEightBytes", EncodeLe32(12) + EncodeLe32(0x12345678)},
      {"HeaderOnly", FrameHeader(12, 0x12345678)},
      {"PayloadRunsPastEnd", FrameHeader(100, 0xdeadbeef) + std::string(20, 'q')},
      {"LastFrameBadCrc", FrameWithBadCrc("an unacknowledged record")},
      {"ZeroFilled", std::string(4096, '\0')},
  };
}

class TornTailTest : public TamperTest, public ::testing::WithParamInterface<TornTail> {
 protected:
  void ExpectRepairedOnOpen(uint64_t open_segment) {
    ASSERT_OK_AND_ASSIGN(const uint64_t good_size, FileSizeOf(Seg(open_segment)));
    ASSERT_OK(MakeOwnerWritable(Seg(open_segment)));
    ASSERT_OK(testing::AppendToFile(Seg(open_segment), GetParam().bytes));

    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir_));
      EXPECT_EQ(log->Size(), records_.size());
      for (uint64_t i = 0; i < records_.size(); ++i) {
        EXPECT_THAT(log->Read(i), IsOkAndHolds(records_[i])) << "index " << i;
      }
      ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
      EXPECT_EQ(RefToHex(head.root), RefToHex(testing::RefMth(records_)));
      EXPECT_THAT(FileSizeOf(Seg(open_segment)), IsOkAndHolds(good_size));
      // The repair is reported, naming the file, the offset and how much was cut.
      EXPECT_EQ(log->recovery_report().truncated_bytes, GetParam().bytes.size());
      ASSERT_EQ(log->recovery_report().actions.size(), 1u);
      EXPECT_THAT(log->recovery_report().actions[0],
                  AllOf(HasSubstr("torn tail"), HasSubstr(SegmentFileName(open_segment)),
                        HasSubstr(absl::StrCat("offset ", good_size))));
      // The writer continues after the repaired tail.
      records_.push_back("appended after repair");
      EXPECT_THAT(log->Append({std::string_view(records_.back())}),
                  IsOkAndHolds(records_.size() - 1));
    }
    ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyDataDir(dir_));
    EXPECT_EQ(report.records, records_.size());
    EXPECT_EQ(RefToHex(report.root), RefToHex(testing::RefMth(records_)));
  }
};

INSTANTIATE_TEST_SUITE_P(Tails, TornTailTest, ::testing::ValuesIn(TornTails()),
                         [](const ::testing::TestParamInfo<TornTail>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST_P(TornTailTest, TornTailOfOpenSegmentIsTruncatedOnOpenWithNoAcknowledgedRecordLost) {
  ExpectRepairedOnOpen(kSealed);
}

TEST_P(TornTailTest, TornTailOfEmptyOpenSegmentIsTruncatedOnOpen) {
  // Exactly kSealed full segments, so the open segment holds a header only.
  ASSERT_NO_FATAL_FAILURE(Build(kSealed * kLeaves, "log_of_full_segments"));
  ExpectRepairedOnOpen(kSealed);
}

}  // namespace
}  // namespace sealtrail
