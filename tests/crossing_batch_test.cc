// A Log::Append batch that fills a segment (and goes on into the next, or ends with it) and is
// never acknowledged is absent after reopen, whole: also the part of it that was sealed before a
// write, an fdatasync or the next segment's creation failed, or before the process died
// (docs/format/README.md, "Write order" and "Recovery on open"). The failed writer removes the
// segment file after the sealed ones; recovery removes the batch's later segment files and
// unseals the segment where it began. Real files throughout; crashes are real processes (gtest
// death tests) ended at a named operation.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/checkpoint_store.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/verify.h"
#include "testing/checkpoint_fixtures.h"
#include "testing/data_dir_layout.h"
#include "testing/fault_env.h"
#include "testing/file_util.h"
#include "testing/log_workload.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::Fault;
using ::sealtrail::testing::FaultInjectionEnv;
using ::sealtrail::testing::FaultMode;
using ::sealtrail::testing::OpKind;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::SegmentPath;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr uint64_t kSeed = 0xC2055;
constexpr uint32_t kLog2 = 2;  // 4 records per segment
constexpr uint64_t kS = uint64_t{1} << kLog2;
constexpr uint32_t kMaxRecordBytes = 64;
// Records acknowledged before the crossing batch: segment 0 has room for kS - kAcked more.
constexpr uint64_t kAcked = 2;
// A batch that fills segment 0 and ends in segment 1, and one that also fills segments 1 and 2
// and ends in segment 3.
constexpr uint64_t kIntoSegment1 = 5;
constexpr uint64_t kIntoSegment3 = (kS - kAcked) + 2 * kS + 1;

LogOptions Options(Env* env = nullptr) {
  LogOptions options;
  options.env = env;
  options.leaves_per_segment_log2 = kLog2;
  return options;
}

absl::StatusOr<uint64_t> AppendRecords(Log& log, uint64_t first, uint64_t n) {
  testing::RecordBatch batch =
      testing::MakeBatch(kSeed, first, static_cast<uint32_t>(n), kMaxRecordBytes);
  return log.Append(batch.views);
}

// Creates `dir` with records [0, kAcked) acknowledged and returns their tree head.
TreeHead MakeAcknowledgedPrefix(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(Options(), dir);
  EXPECT_OK(log);
  if (!log.ok()) return {};
  EXPECT_THAT(AppendRecords(**log, 0, kAcked), testing::IsOkAndHolds(0u));
  absl::StatusOr<TreeHead> head = (*log)->Head();
  EXPECT_OK(head);
  return head.ok() ? *head : TreeHead{};
}

// Where record `sequence` starts in its (sealed) segment file, from the file's own frames.
uint64_t FrameOffsetOf(const std::string& dir, uint64_t sequence) {
  absl::StatusOr<std::string> file = testing::ReadWholeFile(SegmentPath(dir, sequence / kS));
  EXPECT_OK(file);
  if (!file.ok()) return 0;
  absl::StatusOr<testing::SegmentLayout> layout = testing::ParseSegmentLayout(*file, kLog2);
  EXPECT_OK(layout);
  if (!layout.ok() || layout->frames.size() <= sequence % kS) return 0;
  return layout->frames[sequence % kS].offset;
}

// What recovery must report for a batch from kAcked whose segment files after segment 0 end
// with `last`: segment 0 unsealed at the batch's first frame, every later segment file removed.
std::vector<::testing::Matcher<std::string>> ExpectedActions(const std::string& dir, uint64_t last,
                                                             uint64_t batch_offset) {
  std::vector<::testing::Matcher<std::string>> actions;
  actions.push_back(AllOf(HasSubstr(absl::StrCat("unsealed ", SegmentPath(dir, 0))),
                          HasSubstr(absl::StrCat("offset ", batch_offset)),
                          HasSubstr(absl::StrCat("records ", kAcked, ".."))));
  for (uint64_t k = 1; k <= last; ++k) {
    actions.push_back(HasSubstr(absl::StrCat("removed ", SegmentPath(dir, k))));
  }
  return actions;
}

// The oracle. Reopened with the plain Env, `dir` holds exactly the acknowledged records with
// the acknowledged root, and its recovery report has a line matching each of `actions`;
// VerifyDataDir agrees; a batch that crosses the next segment boundary then appends and seals;
// the directory verifies again and reopens with nothing left to recover.
void ExpectOnlyTheAcknowledgedRecords(const std::string& dir, const TreeHead& acked,
                                      const std::vector<::testing::Matcher<std::string>>& actions) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
    EXPECT_EQ(log->Size(), acked.size) << "records of the unacknowledged batch were recovered";
    ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
    EXPECT_EQ(HashToBase64(head.root), HashToBase64(acked.root));
    for (uint64_t i = 0; i < acked.size; ++i) {
      EXPECT_THAT(log->Read(i), testing::IsOkAndHolds(testing::RecordAt(kSeed, i, kMaxRecordBytes)))
          << "record " << i;
    }
    for (const auto& action : actions) {
      EXPECT_THAT(log->recovery_report().actions, Contains(action));
    }
  }
  // The unsealed segment is open again, so writable (root's writes would not show it).
  ASSERT_OK_AND_ASSIGN(const mode_t mode, testing::FileModeOf(SegmentPath(dir, acked.size / kS)));
  EXPECT_NE(mode & 0200, 0u) << "the unsealed segment is still read-only";
  ASSERT_OK_AND_ASSIGN(VerifyReport verified, VerifyDataDir(dir));
  EXPECT_EQ(verified.records, acked.size);
  EXPECT_EQ(HashToBase64(verified.root), HashToBase64(acked.root));
  EXPECT_EQ(verified.unfinished_batch_records, 0u);

  const uint64_t more = kS + 1;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
    EXPECT_THAT(log->recovery_report().actions, ::testing::IsEmpty())
        << "the first reopen left work for the second";
    ASSERT_THAT(AppendRecords(*log, acked.size, more), testing::IsOkAndHolds(acked.size));
    EXPECT_EQ(log->Size(), acked.size + more);
  }
  ASSERT_OK_AND_ASSIGN(verified, VerifyDataDir(dir));
  EXPECT_EQ(verified.records, acked.size + more);
  EXPECT_EQ(verified.sealed_segments, (acked.size + more) / kS);
  EXPECT_EQ(verified.segments, (acked.size + more) / kS + 1);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
  EXPECT_THAT(log->recovery_report().actions, ::testing::IsEmpty());
  for (uint64_t i = 0; i < acked.size + more; ++i) {
    ASSERT_THAT(log->Read(i), testing::IsOkAndHolds(testing::RecordAt(kSeed, i, kMaxRecordBytes)))
        << "record " << i;
  }
}

struct FailureCase {
  const char* name;
  OpKind kind;       // The first operation of this kind ...
  FaultMode mode;    // ... fails like this ...
  uint64_t segment;  // ... on this segment file (for kNewWritableFile, its NAME.tmp) ...
  uint64_t batch;    // ... while appending a batch of this many records after kAcked.
};

void PrintTo(const FailureCase& c, std::ostream* os) { *os << c.name; }

class CrossingBatchFailureTest : public ::testing::TestWithParam<FailureCase> {};

// The batch's write or its fdatasync, or the creation of the next segment, fails after the seal
// of segment 0 (and of every full segment after it): the Append fails, the live log serves only
// what was acknowledged, and after reopen none of the batch is there.
TEST_P(CrossingBatchFailureTest, FailureAfterTheSealLeavesNoneOfTheBatch) {
  const FailureCase& c = GetParam();
  ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  const TreeHead acked = MakeAcknowledgedPrefix(dir);
  if (HasFailure()) return;
  {
    FaultInjectionEnv env;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(&env), dir));
    // Only that segment: the full ones before it are written and sealed.
    const std::string fault_path = c.kind == OpKind::kNewWritableFile
                                       ? SegmentPath(dir, c.segment) + ".tmp"
                                       : SegmentPath(dir, c.segment);
    env.FailNextOnPath(c.kind, fault_path, Fault(c.mode));
    EXPECT_THAT(
        AppendRecords(*log, kAcked, c.batch),
        StatusIs(
            absl::StatusCode::kInternal,
            AllOf(HasSubstr("injected fault"),
                  HasSubstr(absl::StrCat("records from ", kAcked, " on were not acknowledged")),
                  HasSubstr("until the log is reopened, whose recovery removes"))));
    ASSERT_TRUE(env.injected().has_value()) << "the fault never fired";
    EXPECT_EQ(env.injected()->path, fault_path);
    EXPECT_EQ(log->Size(), kAcked);
    ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
    EXPECT_EQ(HashToBase64(head.root), HashToBase64(acked.root));
    EXPECT_THAT(log->Read(kAcked), StatusIs(absl::StatusCode::kOutOfRange));
    // The writer stays stopped.
    EXPECT_FALSE(AppendRecords(*log, kAcked, 1).ok());
  }
  // The failed writer removed the segment file after the sealed ones (all of it unacknowledged);
  // recovery removes the sealed part of the batch.
  EXPECT_FALSE(testing::FileSizeOf(SegmentPath(dir, c.segment)).ok());
  ExpectOnlyTheAcknowledgedRecords(dir, acked,
                                   ExpectedActions(dir, c.segment - 1, FrameOffsetOf(dir, kAcked)));
}

INSTANTIATE_TEST_SUITE_P(
    Failures, CrossingBatchFailureTest,
    ::testing::Values(
        FailureCase{"WriteFailsWithoutEffect", OpKind::kAppend, FaultMode::kWithoutEffect, 1,
                    kIntoSegment1},
        FailureCase{"WriteLandsThenFails", OpKind::kAppend, FaultMode::kWithEffect, 1,
                    kIntoSegment1},
        FailureCase{"WriteIsShort", OpKind::kAppend, FaultMode::kShortWrite, 1, kIntoSegment1},
        FailureCase{"FsyncFailsWithoutEffect", OpKind::kSync, FaultMode::kWithoutEffect, 1,
                    kIntoSegment1},
        FailureCase{"FsyncSyncsThenFails", OpKind::kSync, FaultMode::kWithEffect, 1, kIntoSegment1},
        FailureCase{"FourSegmentsWriteLandsThenFails", OpKind::kAppend, FaultMode::kWithEffect, 3,
                    kIntoSegment3},
        FailureCase{"FourSegmentsFsyncSyncsThenFails", OpKind::kSync, FaultMode::kWithEffect, 3,
                    kIntoSegment3},
        FailureCase{"FourSegmentsNextSegmentNotCreated", OpKind::kNewWritableFile,
                    FaultMode::kWithoutEffect, 2, kIntoSegment3},
        // A batch that ends exactly at the boundary crosses none, but is sealed the same way: the
        // Append still has to create the next segment and sync before it returns.
        FailureCase{"EndsAtTheBoundaryNextSegmentNotCreated", OpKind::kNewWritableFile,
                    FaultMode::kWithoutEffect, 1, kS - kAcked},
        FailureCase{"EndsAtTheBoundaryNextSegmentNotOpened", OpKind::kNewAppendableFile,
                    FaultMode::kWithoutEffect, 1, kS - kAcked},
        FailureCase{"EndsAtTheBoundaryFsyncSyncsThenFails", OpKind::kSync, FaultMode::kWithEffect,
                    1, kS - kAcked}),
    [](const ::testing::TestParamInfo<FailureCase>& param_info) {
      return std::string(param_info.param.name);
    });

struct CrashPoint {
  const char* name;
  uint64_t segment;        // The process dies at the first write to this segment file, or ...
  bool creating;           // ... when its NAME.tmp is created,
  uint64_t bytes_written;  // after writing this much of that write,
  uint64_t batch;          // while appending a batch of this many records after kAcked.

  OpKind kind() const { return creating ? OpKind::kNewWritableFile : OpKind::kAppend; }
  std::string path(const std::string& dir) const {
    return creating ? SegmentPath(dir, segment) + ".tmp" : SegmentPath(dir, segment);
  }
  // The segment files the crash leaves after segment 0, which recovery removes.
  uint64_t last_file() const { return creating ? segment - 1 : segment; }
};

const CrashPoint kCrashPoints[] = {
    {"SealedButNoNextSegment", 1, true, 0, kIntoSegment1},
    {"NextSegmentEmpty", 1, false, 0, kIntoSegment1},
    {"NextSegmentHalfWritten", 1, false, 30, kIntoSegment1},
    {"ThreeSealedNoFourth", 3, true, 0, kIntoSegment3},
    {"FourthSegmentHalfWritten", 3, false, 20, kIntoSegment3},
    {"EndsAtTheBoundaryNoNextSegment", 1, true, 0, kS - kAcked},
};

// In a death test's child: appends the batch through an Env that ends the process at `point`.
void AppendAndDieAt(const std::string& dir, const CrashPoint& point) {
  FaultInjectionEnv env;
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(Options(&env), dir);
  if (!log.ok()) ::_exit(2);
  env.FailNextOnPath(point.kind(), point.path(dir), Fault(FaultMode::kCrash, point.bytes_written));
  (void)AppendRecords(**log, kAcked, point.batch);
  ::_exit(3);  // The crash point was never reached.
}

class CrossingBatchDeathTest : public ::testing::TestWithParam<CrashPoint> {};

void PrintTo(const CrashPoint& point, std::ostream* os) { *os << point.name; }

// A process that dies after the seal of segment 0, before the batch's last frame is on disk (or,
// for a batch that ends with the segment, before the next segment exists), leaves the batch
// absent after recovery, whole.
TEST_P(CrossingBatchDeathTest, CrashAfterTheSealLeavesNoneOfTheBatch) {
  const CrashPoint& point = GetParam();
  ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  const TreeHead acked = MakeAcknowledgedPrefix(dir);
  if (HasFailure()) return;
  EXPECT_EXIT(AppendAndDieAt(dir, point), ::testing::ExitedWithCode(testing::kFaultCrashExitCode),
              "");
  // The segment before the crash point is sealed, and its last frame says whether the batch
  // goes on.
  ASSERT_OK_AND_ASSIGN(std::string file,
                       testing::ReadWholeFile(SegmentPath(dir, point.segment - 1)));
  ASSERT_OK_AND_ASSIGN(testing::SegmentLayout layout, testing::ParseSegmentLayout(file, kLog2));
  ASSERT_TRUE(layout.sealed);
  const bool crosses = kAcked + point.batch > point.segment * kS;
  ASSERT_EQ(layout.frames.back().flags, crosses ? testing::kFrameBatchContinuesBit : 0u);
  if (point.creating) {
    EXPECT_FALSE(testing::FileSizeOf(point.path(dir)).ok());
  }
  ExpectOnlyTheAcknowledgedRecords(
      dir, acked, ExpectedActions(dir, point.last_file(), FrameOffsetOf(dir, kAcked)));
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, CrossingBatchDeathTest, ::testing::ValuesIn(kCrashPoints),
                         [](const ::testing::TestParamInfo<CrashPoint>& param_info) {
                           return std::string(param_info.param.name);
                         });

// Leaves `dir` as a process that died with the batch of kIntoSegment3 records half written into
// segment 3 leaves it, and returns the acknowledged head.
TreeHead MakeCrashedDir(const std::string& dir) {
  const TreeHead acked = MakeAcknowledgedPrefix(dir);
  EXPECT_EXIT(AppendAndDieAt(dir, kCrashPoints[4]),
              ::testing::ExitedWithCode(testing::kFaultCrashExitCode), "");
  return acked;
}

// Opened read-only, a crashed directory serves only the acknowledged records and is left as it
// was: the unfinished batch is neither served nor removed.
TEST(CrossingBatchTest, ReadOnlyOpenServesTheAcknowledgedRecordsAndChangesNothing) {
  ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  const TreeHead acked = MakeCrashedDir(dir);
  if (HasFailure()) return;
  ASSERT_OK_AND_ASSIGN(const auto before, testing::SnapshotTree(dir));
  {
    LogOptions options = Options();
    options.read_only = true;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(options, dir));
    EXPECT_EQ(log->Size(), kAcked);
    ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
    EXPECT_EQ(HashToBase64(head.root), HashToBase64(acked.root));
    EXPECT_THAT(log->Read(kAcked), StatusIs(absl::StatusCode::kOutOfRange));
    EXPECT_THAT(
        log->recovery_report().actions,
        Contains(AllOf(HasSubstr("left"), HasSubstr(SegmentPath(dir, 0)),
                       HasSubstr(absl::StrCat("record ", kAcked)), HasSubstr("read-only"))));
  }
  ASSERT_OK_AND_ASSIGN(const auto after, testing::SnapshotTree(dir));
  EXPECT_TRUE(before == after) << "a read-only open changed the directory";
}

// A stored checkpoint that covers records recovery would remove means they were acknowledged
// (the segment that closed their batch was lost): DATA_LOSS naming the file, the offset and the
// record, and nothing is changed.
TEST(CrossingBatchTest, CheckpointCoveringTheBatchIsDataLoss) {
  ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  const uint64_t all = kAcked + kIntoSegment1;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
    ASSERT_OK(AppendRecords(*log, 0, kAcked).status());
    ASSERT_OK(AppendRecords(*log, kAcked, kIntoSegment1).status());
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store,
                         CheckpointStore::Open(nullptr, dir, /*read_only=*/false));
    for (uint64_t size : {kAcked, all}) {
      Checkpoint checkpoint{"example.com/log", size, *log->Root(size), 1700000000000, {}};
      ASSERT_OK_AND_ASSIGN(std::string note,
                           testing::SignTestCheckpoint(testing::GoTestSigner(), checkpoint.origin,
                                                       size, checkpoint.root));
      ASSERT_OK(store->Append(checkpoint, note));
    }
  }
  // The acknowledged batch's closing frame is lost with segment 1.
  ASSERT_OK(testing::RemovePath(SegmentPath(dir, 1)));
  ASSERT_OK_AND_ASSIGN(const auto before, testing::SnapshotTree(dir));
  const uint64_t offset = FrameOffsetOf(dir, kAcked);
  EXPECT_THAT(Log::Open(Options(), dir),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(SegmentPath(dir, 0)),
                             HasSubstr(absl::StrCat("record ", kAcked, " at offset ", offset)),
                             HasSubstr(absl::StrCat("checkpoint has size ", all)))));
  ASSERT_OK_AND_ASSIGN(const auto after, testing::SnapshotTree(dir));
  EXPECT_TRUE(before == after) << "a refused open changed the directory";
}

// Damage in the segment after the sealed ones is never taken for a batch that did not close
// there: Open is DATA_LOSS naming the damaged frame, and the sealed segment stays sealed.
TEST(CrossingBatchTest, DamageInTheNextSegmentIsDataLossAndUnsealsNothing) {
  ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
    ASSERT_OK(AppendRecords(*log, 0, kAcked).status());
    ASSERT_OK(AppendRecords(*log, kAcked, kIntoSegment1).status());
  }
  const std::string next = SegmentPath(dir, 1);
  ASSERT_OK_AND_ASSIGN(const std::string bytes, testing::ReadWholeFile(next));
  ASSERT_OK_AND_ASSIGN(testing::SegmentLayout layout, testing::ParseSegmentLayout(bytes, kLog2));
  ASSERT_EQ(layout.frames.size(), kAcked + kIntoSegment1 - kS);
  ASSERT_EQ(layout.frames[0].flags, testing::kFrameBatchContinuesBit);
  const uint64_t at = layout.frames[0].offset;
  ASSERT_OK(testing::FlipByteAt(next, at + 4));  // The length word's checksum.
  ASSERT_OK_AND_ASSIGN(const auto before, testing::SnapshotTree(dir));
  EXPECT_THAT(
      Log::Open(Options(), dir),
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(HasSubstr(next), HasSubstr(absl::StrCat("record ", kS)),
                     HasSubstr(absl::StrCat("offset ", at)), HasSubstr("damaged frame header"))));
  ASSERT_OK_AND_ASSIGN(const auto after, testing::SnapshotTree(dir));
  EXPECT_TRUE(before == after) << "a refused open changed the directory";
}

// A checkpoint of exactly the acknowledged size does not stop recovery.
TEST(CrossingBatchTest, CheckpointOfTheAcknowledgedSizeLetsRecoveryRemoveTheBatch) {
  ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  const TreeHead acked = MakeCrashedDir(dir);
  if (HasFailure()) return;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store,
                         CheckpointStore::Open(nullptr, dir, /*read_only=*/false));
    Checkpoint checkpoint{"example.com/log", kAcked, acked.root, 1700000000000, {}};
    ASSERT_OK_AND_ASSIGN(std::string note,
                         testing::SignTestCheckpoint(testing::GoTestSigner(), checkpoint.origin,
                                                     kAcked, acked.root));
    ASSERT_OK(store->Append(checkpoint, note));
  }
  ExpectOnlyTheAcknowledgedRecords(
      dir, acked, ExpectedActions(dir, kCrashPoints[4].last_file(), FrameOffsetOf(dir, kAcked)));
}

// Recovery's own steps (removing the later segment files, unsealing, truncating, syncing) may
// fail or be cut short by another crash: each is failed in turn, without and with effect, and
// the next open with the plain Env still finds exactly the acknowledged records.
TEST(CrossingBatchTest, EveryRecoveryStepMayFailAndTheNextOpenFinishesIt) {
  ScratchDir tmp;
  const std::string dir = tmp.Sub("log");
  const TreeHead acked = MakeCrashedDir(dir);
  if (HasFailure()) return;
  using Tree = std::map<std::string, std::string>;
  ASSERT_OK_AND_ASSIGN(const Tree crashed, testing::SnapshotTree(dir));
  auto restore = [&] {
    ASSERT_OK(testing::RemoveTree(dir));
    for (const auto& [name, bytes] : crashed) {
      const std::string path = absl::StrCat(dir, "/", name);
      std::filesystem::create_directories(std::filesystem::path(path).parent_path());
      ASSERT_OK(testing::WriteWholeFile(path, bytes));
    }
  };
  // The steps, in their crash-safe order: the later files highest first, the directory
  // synced, and only then segment 0 unsealed and cut back.
  uint64_t recovery_ops = 0;
  {
    FaultInjectionEnv env;
    { ASSERT_OK(Log::Open(Options(&env), dir).status()); }
    recovery_ops = env.op_count();
    std::vector<std::string> steps;
    for (const testing::OpRecord& op : env.trace()) {
      if (op.kind == OpKind::kNewAppendableFile || op.kind == OpKind::kSync) continue;
      steps.push_back(std::string(testing::OpKindName(op.kind)) + " " + op.path);
    }
    const std::string segments = absl::StrCat(dir, "/segments");
    EXPECT_THAT(steps, ::testing::ElementsAre(absl::StrCat("RemoveFile ", SegmentPath(dir, 3)),
                                              absl::StrCat("RemoveFile ", SegmentPath(dir, 2)),
                                              absl::StrCat("RemoveFile ", SegmentPath(dir, 1)),
                                              absl::StrCat("SyncDir ", segments),
                                              absl::StrCat("MakeWritable ", SegmentPath(dir, 0)),
                                              absl::StrCat("TruncateFile ", SegmentPath(dir, 0))));
  }
  for (FaultMode mode : {FaultMode::kWithoutEffect, FaultMode::kWithEffect}) {
    for (uint64_t op = 0; op < recovery_ops; ++op) {
      restore();
      if (HasFatalFailure()) return;
      FaultInjectionEnv env;
      env.FailOp(op, Fault(mode));
      const absl::Status opened = Log::Open(Options(&env), dir).status();
      ASSERT_TRUE(env.injected().has_value());
      SCOPED_TRACE(::testing::PrintToString(*env.injected()));
      EXPECT_THAT(opened, StatusIs(absl::StatusCode::kInternal, HasSubstr("injected fault")));
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
      EXPECT_EQ(log->Size(), kAcked);
      ASSERT_OK_AND_ASSIGN(TreeHead head, log->Head());
      EXPECT_EQ(HashToBase64(head.root), HashToBase64(acked.root));
      log.reset();
      ASSERT_OK_AND_ASSIGN(VerifyReport verified, VerifyDataDir(dir));
      EXPECT_EQ(verified.records, kAcked);
    }
  }
}

// Concurrent appenders whose batches cross boundaries and join group commits, until a write or
// fdatasync fails: whatever the failed writer removed and recovery then removed, every record
// of an Append that returned OK is there after reopen, in its place.
TEST(CrossingBatchTest, ConcurrentAppendersKeepEveryAcknowledgedRecordAfterAFailure) {
  constexpr int kThreads = 4;
  constexpr int kAppendsPerThread = 40;
  for (const OpKind kind : {OpKind::kSync, OpKind::kAppend}) {
    for (const uint64_t nth : {3u, 17u, 41u}) {
      SCOPED_TRACE(absl::StrCat(std::string(testing::OpKindName(kind)), " #", nth, " fails"));
      ScratchDir tmp;
      const std::string dir = tmp.Sub("log");
      absl::Mutex mu;
      std::map<uint64_t, std::string> acknowledged;  // Guarded by mu.
      {
        FaultInjectionEnv env;
        ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(&env), dir));
        env.FailNthOfKind(kind, env.op_count(kind) + nth, Fault(FaultMode::kWithEffect));
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
          threads.emplace_back([&, t] {
            for (int k = 0; k < kAppendsPerThread; ++k) {
              std::vector<std::string> records;
              for (int j = 0; j < 1 + (t + k) % 7; ++j) {
                records.push_back(absl::StrCat("thread ", t, " append ", k, " record ", j));
              }
              const std::vector<std::string_view> views(records.begin(), records.end());
              absl::StatusOr<uint64_t> first = log->Append(views);
              if (!first.ok()) return;
              absl::MutexLock lock(&mu);
              for (size_t j = 0; j < records.size(); ++j) acknowledged[*first + j] = records[j];
            }
          });
        }
        for (std::thread& thread : threads) thread.join();
        ASSERT_TRUE(env.injected().has_value()) << "the fault never fired";
      }
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(Options(), dir));
      absl::MutexLock lock(&mu);
      const uint64_t acked_end = acknowledged.empty() ? 0 : acknowledged.rbegin()->first + 1;
      EXPECT_GE(log->Size(), acked_end) << "acknowledged records were lost";
      for (const auto& [index, record] : acknowledged) {
        ASSERT_THAT(log->Read(index), testing::IsOkAndHolds(record)) << "record " << index;
      }
      log.reset();
      ASSERT_OK_AND_ASSIGN(VerifyReport verified, VerifyDataDir(dir));
      EXPECT_GE(verified.records, acked_end);
    }
  }
}

}  // namespace
}  // namespace sealtrail
