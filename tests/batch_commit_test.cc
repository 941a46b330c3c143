// The batch-commit marker of data format 2 (docs/format/README.md, "Frame" and "Recovery"): a
// crash in the middle of a Log::Append batch leaves the batch whole or absent after recovery.
// Crashes are simulated on real files by cutting a segment file at every byte of a batch's
// frames (what a kill or power loss can leave of writes that were never synced); crash_test
// kills real processes mid-batch, and crossing_batch_test covers batches that cross segment
// boundaries in depth. Version-1 directories
// keep their own format and stay readable, writable and verifiable.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/verify.h"
#include "testing/crc32c.h"
#include "testing/data_dir_layout.h"
#include "testing/fault_env.h"
#include "testing/file_util.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::EncodeLe32;
using ::sealtrail::testing::FormatFilePath;
using ::sealtrail::testing::LoadLe32;
using ::sealtrail::testing::ParseSegmentLayout;
using ::sealtrail::testing::ReadWholeFile;
using ::sealtrail::testing::SegmentLayout;
using ::sealtrail::testing::SegmentPath;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr uint32_t kLog2 = 4;  // 16 records per segment
constexpr uint64_t kS = uint64_t{1} << kLog2;

LogOptions Options() {
  LogOptions options;
  options.leaves_per_segment_log2 = kLog2;
  return options;
}

std::string RecordText(uint64_t i) {
  return absl::StrCat("record-", i, "-", std::string(i % 7, 'x'));
}

// Appends records [first, first + n) as one batch.
void AppendBatch(Log* log, uint64_t first, uint64_t n) {
  std::vector<std::string> records;
  for (uint64_t i = first; i < first + n; ++i) records.push_back(RecordText(i));
  std::vector<std::string_view> views(records.begin(), records.end());
  ASSERT_THAT(log->Append(views), testing::IsOkAndHolds(first));
}

// Replaces `path` (which may be read-only, or missing: recovery may have removed it) with
// `bytes`.
void Rewrite(const std::string& path, std::string_view bytes) {
  if (testing::FileSizeOf(path).ok()) {
    (void)testing::MakeOwnerWritable(path);
    ASSERT_OK(testing::RemovePath(path));
  }
  ASSERT_OK(testing::WriteWholeFile(path, bytes));
}

// Opens `dir` after a simulated crash and checks it holds exactly records [0, want), then that
// it verifies.
void ExpectRecovered(const std::string& dir, uint64_t want, const std::string& what) {
  SCOPED_TRACE(what);
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
    ASSERT_EQ(log->Size(), want);
    for (uint64_t i = 0; i < want; ++i) {
      ASSERT_THAT(log->Read(i), testing::IsOkAndHolds(RecordText(i))) << "record " << i;
    }
  }
  ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyDataDir(dir));
  EXPECT_EQ(report.records, want);
}

// A segment file's path and bytes, to put back before each simulated crash.
struct SavedFile {
  std::string path;
  std::string bytes;
};

// Cuts segment `segment` of `dir` to `full[0, cut)` for every cut in [from, to] (every
// `stride`-th byte past `dense_to`, and `to`), and expects recovery to keep `want(cut)` records.
// Before each cut, `restore` is written back (what the previous recovery may have changed).
template <typename Want>
void CutEverywhere(const std::string& dir, uint64_t segment, const std::string& full, uint64_t from,
                   uint64_t to, Want want, uint64_t dense_to = UINT64_MAX, uint64_t stride = 1,
                   const std::vector<SavedFile>& restore = {}) {
  const std::string path = SegmentPath(dir, segment);
  for (uint64_t cut = from; cut <= to;
       cut = cut >= dense_to && cut != to ? std::min(cut + stride, to) : cut + 1) {
    for (const SavedFile& file : restore) Rewrite(file.path, file.bytes);
    Rewrite(path, std::string_view(full).substr(0, cut));
    ExpectRecovered(dir, want(cut), absl::StrCat("segment ", segment, " cut at byte ", cut));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(BatchCommitTest, CrashAtEveryByteOfABatchLeavesItWholeOrAbsent) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  std::string before;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
    AppendBatch(log.get(), 0, 3);
    ASSERT_OK_AND_ASSIGN(before, ReadWholeFile(SegmentPath(dir, 0)));
    AppendBatch(log.get(), 3, 6);
  }
  ASSERT_OK_AND_ASSIGN(const std::string full, ReadWholeFile(SegmentPath(dir, 0)));
  ASSERT_OK_AND_ASSIGN(SegmentLayout layout, ParseSegmentLayout(full, kLog2));
  ASSERT_EQ(layout.frames.size(), 9u);
  // The batch's frames say "more follow" but its last one; a one-record batch's does not.
  for (size_t j = 0; j < 9; ++j) {
    const bool last_of_batch = j == 2 || j == 8;
    EXPECT_EQ(layout.frames[j].flags, last_of_batch ? 0u : testing::kFrameBatchContinuesBit)
        << "frame " << j;
  }
  // The verifier, run on the crashed directory before any reopen, reports what the log will
  // serve: the unfinished batch is counted apart, not as records.
  {
    std::string cut = full.substr(0, layout.frames[4].end());
    std::string reference = full.substr(0, layout.frames[2].end());
    Rewrite(SegmentPath(dir, 0), cut);
    ASSERT_OK_AND_ASSIGN(VerifyReport crashed, VerifyDataDir(dir));
    EXPECT_EQ(crashed.records, 3u);
    EXPECT_EQ(crashed.unfinished_batch_records, 2u);
    Rewrite(SegmentPath(dir, 0), reference);
    ASSERT_OK_AND_ASSIGN(VerifyReport three, VerifyDataDir(dir));
    EXPECT_EQ(HashToBase64(crashed.root), HashToBase64(three.root));
    EXPECT_EQ(three.unfinished_batch_records, 0u);
  }
  // Every cut from the end of the first batch to the end of the second (every frame boundary
  // and every byte inside a frame) keeps 3 records; only the whole file keeps 9.
  CutEverywhere(dir, 0, full, before.size(), full.size(),
                [&](uint64_t cut) { return cut == full.size() ? 9u : 3u; });
}

// The same crash through the write path itself: the batch's write stops after `cut` bytes and
// the writer's own rollback (its truncate) fails, as if the process died at that moment.
TEST(BatchCommitTest, AWriteCutShortWithoutRollbackLeavesTheBatchAbsent) {
  testing::ScratchDir tmp;
  uint64_t batch_bytes = 0;
  {
    const std::string probe = tmp.Sub("probe");
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), probe));
    AppendBatch(log.get(), 0, 3);
    const uint64_t before = *testing::FileSizeOf(SegmentPath(probe, 0));
    AppendBatch(log.get(), 3, 6);
    batch_bytes = *testing::FileSizeOf(SegmentPath(probe, 0)) - before;
  }
  for (uint64_t cut = 1; cut < batch_bytes; ++cut) {
    SCOPED_TRACE(
        absl::StrCat("the batch's write stopped after ", cut, " of ", batch_bytes, " bytes"));
    const std::string dir = tmp.Sub(absl::StrCat("cut", cut));
    testing::FaultInjectionEnv env;
    LogOptions options = Options();
    options.env = &env;
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(options, dir));
      AppendBatch(log.get(), 0, 3);
      env.FailNthOfKind(
          testing::OpKind::kAppend, env.op_count(testing::OpKind::kAppend),
          testing::Fault(testing::FaultMode::kShortWrite, cut, testing::OpKind::kTruncate));
      std::vector<std::string> records;
      for (uint64_t i = 3; i < 9; ++i) records.push_back(RecordText(i));
      std::vector<std::string_view> views(records.begin(), records.end());
      ASSERT_FALSE(log->Append(views).ok());
    }
    ExpectRecovered(dir, 3, "reopened");
    if (HasFatalFailure()) return;
  }
}

TEST(BatchCommitTest, AnUnfinishedBatchThatFilledASegmentIsDroppedAndTheSealRedone) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  std::string before;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
    AppendBatch(log.get(), 0, kS - 2);
    ASSERT_OK_AND_ASSIGN(before, ReadWholeFile(SegmentPath(dir, 0)));
    AppendBatch(log.get(), kS - 2, 5);  // 2 records in segment 0, 3 in segment 1
  }
  ASSERT_OK_AND_ASSIGN(const std::string sealed, ReadWholeFile(SegmentPath(dir, 0)));
  ASSERT_OK_AND_ASSIGN(const std::string next, ReadWholeFile(SegmentPath(dir, 1)));
  ASSERT_OK_AND_ASSIGN(SegmentLayout layout, ParseSegmentLayout(sealed, kLog2));
  ASSERT_TRUE(layout.sealed);
  // A crash in segment 1: unless the batch is whole, none of it survives, not even the part
  // sealed into segment 0 (recovery unseals segment 0 and cuts it back to the batch's start).
  CutEverywhere(dir, 1, next, testing::kSegmentHeaderBytes, next.size(),
                [&](uint64_t cut) { return cut == next.size() ? kS + 3 : kS - 2; }, UINT64_MAX, 1,
                {{SegmentPath(dir, 0), sealed}});
  if (HasFatalFailure()) return;
  // A crash while segment 0 was filled or being sealed (no segment 1 yet): its footer is not
  // whole, so the unfinished batch goes, seal bytes and all. Only the whole seal keeps it.
  ASSERT_OK(testing::RemovePath(SegmentPath(dir, 1)));
  // Every byte of the two frames, then every 29th of the seal.
  CutEverywhere(
      dir, 0, sealed, before.size(), sealed.size() - 1, [&](uint64_t) { return kS - 2; },
      layout.frames_end, 29);
}

// The one-bit forgery a damaged disk or an editor could make: an unknown flag bit with a valid
// length CRC is damage, named by file, offset and record; without a valid CRC it is a damaged
// header.
TEST(BatchCommitTest, UnknownFlagBitIsDataLossNamingFileOffsetAndRecord) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
    AppendBatch(log.get(), 0, 3);
    AppendBatch(log.get(), 3, 1);
  }
  const std::string path = SegmentPath(dir, 0);
  ASSERT_OK_AND_ASSIGN(const std::string good, ReadWholeFile(path));
  ASSERT_OK_AND_ASSIGN(SegmentLayout layout, ParseSegmentLayout(good, kLog2));
  const uint64_t at = layout.frames[1].offset;
  const uint32_t word = LoadLe32(good, at) | (1u << 30);
  std::string forged = good;
  forged.replace(at, 4, EncodeLe32(word));
  forged.replace(at + 4, 4, EncodeLe32(testing::TestCrc32c(EncodeLe32(word))));
  Rewrite(path, forged);
  const auto names_it = AllOf(HasSubstr(path), HasSubstr(absl::StrCat("offset ", at)),
                              HasSubstr("record 1"), HasSubstr("flag bits"));
  EXPECT_THAT(Log::Open(Options(), dir), StatusIs(absl::StatusCode::kDataLoss, names_it));
  EXPECT_THAT(VerifyDataDir(dir),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(path), HasSubstr(absl::StrCat("offset ", at)),
                             HasSubstr("flag bits"))));
  ASSERT_OK_AND_ASSIGN(const std::string after, ReadWholeFile(path));
  EXPECT_TRUE(after == forged) << "a refused open changed the segment";

  // The continuation bit flipped without its CRC: a damaged header, also never truncated.
  std::string flipped = good;
  flipped[at + 3] = static_cast<char>(flipped[at + 3] ^ 0x80);
  Rewrite(path, flipped);
  EXPECT_THAT(Log::Open(Options(), dir),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(path), HasSubstr(absl::StrCat("offset ", at)),
                             HasSubstr("record 1"), HasSubstr("damaged frame header"))));
}

// A version-1 directory made by this build's own writer: a new directory's FORMAT file and
// first segment header turned into version 1 before anything is appended, so every frame,
// seal and segment after that is written by the write path in version 1.
void MakeVersion1Dir(const std::string& dir) {
  { ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir)); }
  const std::string format_path = FormatFilePath(dir);
  ASSERT_OK_AND_ASSIGN(std::string format, ReadWholeFile(format_path));
  ASSERT_THAT(format, HasSubstr("format 2\n"));
  Rewrite(format_path, absl::StrReplaceAll(format, {{"format 2\n", "format 1\n"}}));
  const std::string segment = SegmentPath(dir, 0);
  ASSERT_OK_AND_ASSIGN(std::string header, ReadWholeFile(segment));
  ASSERT_EQ(header.size(), testing::kSegmentHeaderBytes);
  header.replace(8, 4, EncodeLe32(1));
  header.replace(28, 4, EncodeLe32(testing::TestCrc32c(std::string_view(header).substr(0, 28))));
  Rewrite(segment, header);
}

TEST(BatchCommitTest, Version1DirectoryStaysVersion1AndOpensAppendsVerifies) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("v1");
  MakeVersion1Dir(dir);
  if (HasFatalFailure()) return;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
    AppendBatch(log.get(), 0, kS + 5);  // seals segment 0, creates segment 1
  }
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
    AppendBatch(log.get(), kS + 5, 4);
  }
  ExpectRecovered(dir, kS + 9, "version-1 directory reopened");
  if (HasFatalFailure()) return;
  ASSERT_OK_AND_ASSIGN(const std::string format, ReadWholeFile(FormatFilePath(dir)));
  EXPECT_THAT(format, HasSubstr("format 1\n"));
  for (uint64_t segment : {0u, 1u}) {
    ASSERT_OK_AND_ASSIGN(const std::string file, ReadWholeFile(SegmentPath(dir, segment)));
    EXPECT_EQ(LoadLe32(file, 8), 1u) << "segment " << segment << " header version";
    ASSERT_OK_AND_ASSIGN(SegmentLayout layout, ParseSegmentLayout(file, kLog2));
    for (const auto& frame : layout.frames) {
      EXPECT_EQ(frame.flags, 0u) << "segment " << segment << " frame at " << frame.offset;
    }
    if (segment == 0) {
      ASSERT_TRUE(layout.sealed);
      EXPECT_EQ(LoadLe32(file, layout.footer_offset + 8), 1u) << "footer version";
    }
  }
  // Version 1 has no batch-commit marker: every whole frame counts as committed (documented),
  // so a cut inside a batch keeps its whole frames.
  ASSERT_OK_AND_ASSIGN(const std::string open, ReadWholeFile(SegmentPath(dir, 1)));
  ASSERT_OK_AND_ASSIGN(SegmentLayout layout, ParseSegmentLayout(open, kLog2));
  ASSERT_EQ(layout.frames.size(), 9u);
  Rewrite(SegmentPath(dir, 1), open.substr(0, layout.frames[7].end()));
  ExpectRecovered(dir, kS + 8, "version-1 segment cut after frame 7");
}

// Version 1 has no marker to find a batch's start by, so a batch that crossed into segment 1 and
// failed there keeps its part sealed into segment 0 (documented; the error says so), and loses
// the rest with segment 1's file.
TEST(BatchCommitTest, Version1CrossingBatchThatFailsKeepsOnlyItsSealedPart) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("v1");
  MakeVersion1Dir(dir);
  if (HasFatalFailure()) return;
  {
    testing::FaultInjectionEnv env;
    LogOptions options = Options();
    options.env = &env;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(options, dir));
    AppendBatch(log.get(), 0, kS - 2);
    env.FailNextOnPath(testing::OpKind::kAppend, testing::SegmentFileName(1),
                       testing::Fault(testing::FaultMode::kWithEffect));
    std::vector<std::string> records;
    for (uint64_t i = kS - 2; i < kS + 3; ++i) records.push_back(RecordText(i));
    std::vector<std::string_view> views(records.begin(), records.end());
    EXPECT_THAT(log->Append(views),
                StatusIs(absl::StatusCode::kInternal,
                         AllOf(HasSubstr(absl::StrCat("records ", kS - 2, "..", kS - 1,
                                                      " are in sealed segments and will be "
                                                      "recovered on reopen")),
                               HasSubstr("format 1 marks no batch"))));
    EXPECT_EQ(log->Size(), kS - 2);
  }
  ExpectRecovered(dir, kS, "version-1 directory reopened after the failure");
}

// The leaf hash is over the record bytes alone, so the flags change no root, proof or
// checkpoint: the same records give the same tree in both versions.
TEST(BatchCommitTest, SameRecordsGiveTheSameTreeInVersion1AndVersion2) {
  testing::ScratchDir tmp;
  const std::string v1 = tmp.Sub("v1");
  const std::string v2 = tmp.Sub("v2");
  MakeVersion1Dir(v1);
  if (HasFatalFailure()) return;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> a, Log::Open(Options(), v1));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> b, Log::Open(Options(), v2));
  uint64_t size = 0;
  for (uint64_t n : {1u, 7u, 12u, 3u}) {
    AppendBatch(a.get(), size, n);
    AppendBatch(b.get(), size, n);
    size += n;
  }
  ASSERT_OK_AND_ASSIGN(TreeHead head_a, a->Head());
  ASSERT_OK_AND_ASSIGN(TreeHead head_b, b->Head());
  EXPECT_EQ(head_a.size, head_b.size);
  EXPECT_EQ(HashToBase64(head_a.root), HashToBase64(head_b.root));
  for (uint64_t i = 0; i < size; ++i) {
    ASSERT_OK_AND_ASSIGN(Hash leaf, b->LeafHash(i));
    EXPECT_EQ(HashToBase64(leaf), HashToBase64(HashLeaf(RecordText(i)))) << "leaf " << i;
    ASSERT_OK_AND_ASSIGN(InclusionProof pa, a->ProveInclusion(i, size));
    ASSERT_OK_AND_ASSIGN(InclusionProof pb, b->ProveInclusion(i, size));
    ASSERT_EQ(pa.path.size(), pb.path.size());
    for (size_t k = 0; k < pa.path.size(); ++k) EXPECT_EQ(pa.path[k], pb.path[k]);
  }
  ASSERT_OK_AND_ASSIGN(ConsistencyProof ca, a->ProveConsistency(5, size));
  ASSERT_OK_AND_ASSIGN(ConsistencyProof cb, b->ProveConsistency(5, size));
  EXPECT_TRUE(ca.path == cb.path);
}

}  // namespace
}  // namespace sealtrail
