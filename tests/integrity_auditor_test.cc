// IntegrityAuditor on real data directories: a real Log with small segments, real checkpoints
// signed with a generated key, and damage done to the files as an attacker (or a bad disk)
// would do it, under a running auditor. Each violation must name the file, the byte offset and
// the sequence number, arrive within a few scan periods, and be raised once.
#include "server/service/integrity_auditor.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/checkpoint_store.h"
#include "sealtrail/checkpointer.h"
#include "sealtrail/log.h"
#include "sealtrail/note_signer.h"
#include "sealtrail/status_macros.h"
#include "server/service/event_log.h"
#include "testing/checkpoint_fixtures.h"
#include "testing/data_dir_layout.h"
#include "testing/file_util.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::AppendTestRecords;
using ::sealtrail::testing::FileSizeOf;
using ::sealtrail::testing::FlipByteAt;
using ::sealtrail::testing::FrameLocation;
using ::sealtrail::testing::MakeOwnerWritable;
using ::sealtrail::testing::MentionsNumber;
using ::sealtrail::testing::OverwriteAt;
using ::sealtrail::testing::ReadWholeFile;
using ::sealtrail::testing::SegmentLayout;
using ::sealtrail::testing::SegmentPath;
using ::sealtrail::testing::SignTestCheckpoint;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr uint32_t kLog2 = 2;  // 4 records a segment, so a few dozen records seal several.
constexpr uint64_t kLeaves = uint64_t{1} << kLog2;
constexpr char kKeyName[] = "example.com/integrity-test";
constexpr auto kWaitLimit = std::chrono::seconds(30);  // Generous for sanitizer builds.

// Polls `done` every 5 ms until it holds or kWaitLimit passes; returns its last value.
template <typename Predicate>
bool WaitUntil(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// The violation is of `kind`, at `file`, `offset` and `seq`.
void ExpectAt(const IntegrityViolation& violation, const char* kind, const std::string& file,
              uint64_t offset, std::optional<uint64_t> seq) {
  EXPECT_EQ(violation.kind, kind);
  EXPECT_EQ(violation.file, file);
  EXPECT_EQ(violation.offset, offset);
  EXPECT_EQ(violation.seq, seq);
}

// What the auditor told us: the violations passed to on_violation and the event log's lines.
class Receiver {
 public:
  void OnViolation(const IntegrityViolation& violation) {
    absl::MutexLock lock(&mu_);
    violations_.push_back(violation);
  }
  void OnEvent(std::string_view line) {
    absl::MutexLock lock(&mu_);
    events_.emplace_back(line);
  }
  std::vector<IntegrityViolation> violations() const {
    absl::MutexLock lock(&mu_);
    return violations_;
  }
  size_t EventCount(std::string_view name) const {
    absl::MutexLock lock(&mu_);
    size_t n = 0;
    for (const std::string& line : events_) {
      const std::string wanted = "\"event\":\"" + std::string(name) + "\"";
      n += line.find(wanted) != std::string::npos ? 1 : 0;
    }
    return n;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<IntegrityViolation> violations_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
};

// A Env whose listing of the segments directory can fail (an I/O error, not damage), and whose
// open segment can, for a number of listings, seem to end in a torn frame (as a writer's append
// in progress looks to a reader).
class TestEnv : public EnvWrapper {
 public:
  TestEnv() : EnvWrapper(Env::Default()) {}

  std::atomic<bool> fail_listing{false};
  std::atomic<int> torn_listings{0};  // Listings that see `torn_path` with `torn_tail` added.
  std::string torn_path;              // Set before the auditor starts.
  std::string torn_tail;
  std::atomic<int> mapped_opens{0};  // NewImmutableFile calls (files a reader may map).

  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    if (dir.find("/segments") != std::string::npos) {
      if (fail_listing) return absl::UnavailableError(absl::StrCat("list ", dir, ": EIO"));
      int left = torn_listings.load();
      tearing_ = left > 0 && torn_listings.compare_exchange_strong(left, left - 1);
    }
    return EnvWrapper::GetChildren(dir);
  }
  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    ASSIGN_OR_RETURN(uint64_t size, EnvWrapper::GetFileSize(path));
    return Tearing(path) ? size + torn_tail.size() : size;
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, EnvWrapper::NewRandomAccessFile(path));
    return Wrap(path, std::move(file));
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewImmutableFile(
      const std::string& path) override {
    mapped_opens++;
    ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, EnvWrapper::NewRandomAccessFile(path));
    return Wrap(path, std::move(file));
  }

 private:
  // The file's bytes, then the torn tail.
  class TornFile : public RandomAccessFile {
   public:
    TornFile(std::unique_ptr<RandomAccessFile> real, uint64_t real_size, std::string tail)
        : real_(std::move(real)), real_size_(real_size), tail_(std::move(tail)) {}
    absl::Status ReadAt(uint64_t offset, size_t n, char* scratch) const override {
      if (offset + n > real_size_ + tail_.size()) return absl::OutOfRangeError("past the end");
      const size_t from_real = offset < real_size_ ? std::min<uint64_t>(n, real_size_ - offset) : 0;
      if (from_real > 0) RETURN_IF_ERROR(real_->ReadAt(offset, from_real, scratch));
      for (size_t i = from_real; i < n; ++i) scratch[i] = tail_[offset + i - real_size_];
      return absl::OkStatus();
    }

   private:
    std::unique_ptr<RandomAccessFile> real_;
    uint64_t real_size_;
    std::string tail_;
  };

  bool Tearing(const std::string& path) const { return tearing_ && path == torn_path; }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> Wrap(const std::string& path,
                                                         std::unique_ptr<RandomAccessFile> file) {
    if (!Tearing(path)) return file;
    ASSIGN_OR_RETURN(uint64_t size, EnvWrapper::GetFileSize(path));
    return std::unique_ptr<RandomAccessFile>(new TornFile(std::move(file), size, torn_tail));
  }

  // Only the auditor's thread lists and reads through this Env.
  std::atomic<bool> tearing_{false};
};

class IntegrityAuditorTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kRecords = 22;  // Segments 0..4 sealed; 20 and 21 in segment 5.

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(NoteSigner generated, NoteSigner::Generate(kKeyName));
    key_text_ = generated.PrivateKeyText();
    verifier_key_ = generated.verifier_key();
    LogOptions options;
    options.leaves_per_segment_log2 = kLog2;
    options.sync = SyncPolicy::kNone;
    ASSERT_OK_AND_ASSIGN(log_, Log::Open(options, dir_));
    ASSERT_OK_AND_ASSIGN(store_, CheckpointStore::Open(Env::Default(), dir_, false));
    checkpointer_ =
        std::make_unique<Checkpointer>(log_.get(), store_.get(), Signer(), CheckpointerOptions{});
    // Three checkpoints: at 8 (a segment boundary), 14 (inside segment 3) and 22.
    for (const uint64_t size : {8, 14, 22}) {
      ASSERT_OK(AppendTestRecords(*log_, log_->Size(), size - log_->Size()));
      ASSERT_OK(checkpointer_->SignNow());
    }
    torn_env_.torn_path = SegmentPath(dir_, 5);
  }

  void TearDown() override {
    if (auditor_ != nullptr) auditor_->Stop();
  }

  NoteSigner Signer() const {
    absl::StatusOr<NoteSigner> signer = NoteSigner::FromPrivateKeyText(key_text_);
    EXPECT_TRUE(signer.ok()) << signer.status();
    return *std::move(signer);
  }

  void StartAuditor(absl::Duration period = absl::Milliseconds(200), Env* env = nullptr) {
    IntegrityAuditorOptions options;
    options.scan_period = period;
    options.confirm_delay = absl::Milliseconds(50);
    options.env = env;
    ASSERT_OK_AND_ASSIGN(
        auditor_,
        IntegrityAuditor::Start(
            dir_, verifier_key_, "",
            [this](const IntegrityViolation& v) { receiver_.OnViolation(v); }, &events_, options));
  }

  // Waits until a scan that started after this call has finished. The first scan to finish
  // may have been running already; a ScanNow during it asks for the one after.
  void WaitForFreshScan() {
    const uint64_t before = auditor_->status().scans;
    for (const uint64_t wanted : {before + 1, before + 2}) {
      auditor_->ScanNow();
      ASSERT_TRUE(WaitUntil([&] { return auditor_->status().scans >= wanted; }))
          << "no scan finished in time";
    }
  }

  void WaitForViolations(size_t n) {
    ASSERT_TRUE(WaitUntil([&] { return receiver_.violations().size() >= n; }))
        << "expected " << n << " violations, got " << receiver_.violations().size();
  }

  // A few more scans must raise nothing new.
  void ExpectNothingMoreAfterScans(size_t violations) {
    for (int i = 0; i < 3; ++i) ASSERT_NO_FATAL_FAILURE(WaitForFreshScan());
    EXPECT_THAT(receiver_.violations(), SizeIs(violations));
    EXPECT_EQ(auditor_->status().violations, violations);
  }

  void Load(uint64_t segment, SegmentLayout& layout) const {
    ASSERT_OK_AND_ASSIGN(const std::string bytes, ReadWholeFile(SegmentPath(dir_, segment)));
    ASSERT_OK_AND_ASSIGN(layout, testing::ParseSegmentLayout(bytes, kLog2));
  }

  // Appends `note` to the checkpoint file, as someone with write access to it could, and
  // returns where its frame starts.
  uint64_t Plant(uint64_t size, const Hash& root, const NoteSigner& signer) {
    Checkpoint checkpoint;
    checkpoint.origin = kKeyName;
    checkpoint.size = size;
    checkpoint.root = root;
    checkpoint.timestamp_ms = 4102444800000;  // 2100: never older than a real one.
    absl::StatusOr<std::string> note =
        SignTestCheckpoint(signer, kKeyName, size, root, checkpoint.timestamp_ms);
    EXPECT_TRUE(note.ok()) << note.status();
    EXPECT_OK(store_->Append(checkpoint, note.ok() ? *note : ""));
    return store_->Latest().has_value() ? store_->Latest()->file_offset : 0;
  }

  std::string CheckpointsPath() const { return CheckpointStore::PathIn(dir_); }

  testing::ScratchDir scratch_{"integrity_auditor_test"};
  const std::string dir_ = scratch_.Sub("data");
  std::string key_text_;
  NoteVerifierKey verifier_key_;
  std::unique_ptr<Log> log_;
  std::unique_ptr<CheckpointStore> store_;
  std::unique_ptr<Checkpointer> checkpointer_;
  Receiver receiver_;
  EventLog events_{[this](std::string_view line) { receiver_.OnEvent(line); }};
  TestEnv torn_env_;
  std::unique_ptr<IntegrityAuditor> auditor_;
};

TEST_F(IntegrityAuditorTest, IntactLogGrowingUnderAWriterRaisesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor(absl::Milliseconds(20)));
  std::atomic<bool> writer_failed{false};
  std::thread writer([&] {
    // Batches of 1..3 records: segments seal in the middle of batches and between them.
    for (int batch = 0; batch < 150 && !writer_failed; ++batch) {
      if (!AppendTestRecords(*log_, log_->Size(), 1 + batch % 3).ok()) writer_failed = true;
      if (batch % 10 == 0 && !checkpointer_->SignNow().ok()) writer_failed = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  while (!writer_failed && receiver_.violations().empty()) {
    const uint64_t scans = auditor_->status().scans;
    if (scans >= 20) break;
    ASSERT_TRUE(WaitUntil([&] { return auditor_->status().scans > scans; }));
  }
  writer.join();
  ASSERT_FALSE(writer_failed);
  ASSERT_OK(checkpointer_->SignNow());
  ASSERT_NO_FATAL_FAILURE(WaitForFreshScan());

  EXPECT_THAT(receiver_.violations(), IsEmpty());
  const IntegrityAuditorStatus status = auditor_->status();
  EXPECT_OK(status.last_result);
  EXPECT_OK(status.last_error);
  EXPECT_EQ(status.scan_errors, 0u);
  EXPECT_EQ(status.records_verified, log_->Size());
  EXPECT_EQ(status.segments_verified, log_->Size() / kLeaves + 1);
  EXPECT_EQ(status.checkpoints_verified, store_->count());
  ASSERT_TRUE(status.last_scan_start.has_value() && status.last_scan_end.has_value());
  EXPECT_LE(*status.last_scan_start, *status.last_scan_end);
  EXPECT_EQ(receiver_.EventCount("integrity_scan_error"), 0u);
  EXPECT_GE(receiver_.EventCount("integrity_scan"), status.scans);
}

TEST_F(IntegrityAuditorTest, FlippedByteInASealedRecordIsRaisedOnceNamingFileOffsetAndSeq) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().scans >= 1; }));
  ASSERT_THAT(receiver_.violations(), IsEmpty());
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(2, layout));
  const FrameLocation frame = layout.frames[1];  // Sequence number 2 * 4 + 1 = 9.
  ASSERT_OK(MakeOwnerWritable(SegmentPath(dir_, 2)));
  ASSERT_OK(FlipByteAt(SegmentPath(dir_, 2), frame.payload_offset() + 2));

  // No ScanNow: the schedule alone finds it.
  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  ExpectAt(violation, kSegmentViolation, SegmentPath(dir_, 2), frame.offset, 9u);
  EXPECT_THAT(violation.message, AllOf(HasSubstr(SegmentPath(dir_, 2)), HasSubstr("record 9 "),
                                       HasSubstr(absl::StrCat("offset ", frame.offset)),
                                       HasSubstr("checksum mismatch")));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingMoreAfterScans(1));
  EXPECT_EQ(receiver_.EventCount("integrity_violation"), 1u);
  EXPECT_THAT(
      auditor_->status().last_result,
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(HasSubstr("1 integrity violation present"), HasSubstr("checksum mismatch"))));

  // New damage in a later segment is raised too, on its own, while the first stays.
  SegmentLayout later;
  ASSERT_NO_FATAL_FAILURE(Load(4, later));
  ASSERT_OK(MakeOwnerWritable(SegmentPath(dir_, 4)));
  ASSERT_OK(FlipByteAt(SegmentPath(dir_, 4), later.frames[3].payload_offset()));  // Seq 19.
  ASSERT_NO_FATAL_FAILURE(WaitForViolations(2));
  const IntegrityViolation second = receiver_.violations()[1];
  ExpectAt(second, kSegmentViolation, SegmentPath(dir_, 4), later.frames[3].offset, 19u);
  ASSERT_NO_FATAL_FAILURE(ExpectNothingMoreAfterScans(2));
  // The server keeps serving what is intact.
  EXPECT_THAT(log_->Read(8), testing::IsOkAndHolds(testing::TestRecord(8)));
}

TEST_F(IntegrityAuditorTest, RestoredDamageIsForgottenAndRaisedAgainWhenItComesBack) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(1, layout));
  const std::string path = SegmentPath(dir_, 1);
  ASSERT_OK(MakeOwnerWritable(path));
  ASSERT_OK(FlipByteAt(path, layout.frames[0].payload_offset()));
  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  ASSERT_OK(FlipByteAt(path, layout.frames[0].payload_offset()));  // Restored.
  ASSERT_NO_FATAL_FAILURE(WaitForFreshScan());
  EXPECT_OK(auditor_->status().last_result);
  ASSERT_OK(FlipByteAt(path, layout.frames[0].payload_offset()));
  ASSERT_NO_FATAL_FAILURE(WaitForViolations(2));
  EXPECT_EQ(receiver_.violations()[1].Key(), receiver_.violations()[0].Key());
}

TEST_F(IntegrityAuditorTest, ReorderedFramePairIsRaisedNamingTheFirstMovedRecord) {
  // Segment 3 holds "record 12".."record 15", all of one length, so swapping two frames keeps
  // every checksum and offset valid: only the hashes can tell.
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(3, layout));
  ASSERT_OK_AND_ASSIGN(const std::string bytes, ReadWholeFile(SegmentPath(dir_, 3)));
  const FrameLocation a = layout.frames[0];
  const FrameLocation b = layout.frames[2];
  ASSERT_EQ(a.length, b.length);
  ASSERT_OK(MakeOwnerWritable(SegmentPath(dir_, 3)));
  ASSERT_OK(
      OverwriteAt(SegmentPath(dir_, 3), a.offset, bytes.substr(b.offset, b.end() - b.offset)));
  ASSERT_OK(
      OverwriteAt(SegmentPath(dir_, 3), b.offset, bytes.substr(a.offset, a.end() - a.offset)));

  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  ExpectAt(violation, kSegmentViolation, SegmentPath(dir_, 3), a.offset, 12u);
  EXPECT_THAT(violation.message,
              AllOf(HasSubstr("does not match"), MentionsNumber(12), MentionsNumber(a.offset)));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingMoreAfterScans(1));
}

TEST_F(IntegrityAuditorTest, TruncatedSealedSegmentIsRaisedNamingWhereItsFooterShouldBe) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().scans >= 1; }));
  const std::string path = SegmentPath(dir_, 1);
  ASSERT_OK_AND_ASSIGN(const uint64_t size, FileSizeOf(path));
  ASSERT_OK(MakeOwnerWritable(path));
  ASSERT_OK(testing::TruncateTo(path, size - 50));

  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  ExpectAt(violation, kSegmentViolation, path, size - 50 - testing::kFooterBytes, std::nullopt);
  EXPECT_THAT(violation.message, AllOf(HasSubstr(path), HasSubstr("no valid footer")));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingMoreAfterScans(1));
  // The log no longer opens, so the checkpoints cannot be checked: said, but not a scan error.
  EXPECT_GE(receiver_.EventCount("integrity_checkpoints_not_checked"), 1u);
  EXPECT_EQ(auditor_->status().scan_errors, 0u);
  EXPECT_OK(auditor_->status().last_error);
}

TEST_F(IntegrityAuditorTest, RemovedSealedSegmentIsRaisedNamingItsFirstRecord) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().scans >= 1; }));
  ASSERT_OK(testing::RemovePath(SegmentPath(dir_, 2)));

  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  ExpectAt(violation, kSegmentViolation, SegmentPath(dir_, 2), 0, 2 * kLeaves);
  EXPECT_THAT(violation.message,
              AllOf(HasSubstr(testing::SegmentFileName(2)), HasSubstr("is missing")));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingMoreAfterScans(1));
}

TEST_F(IntegrityAuditorTest, RemovedLastSegmentsAreCaughtByTheCheckpointThatCoveredThem) {
  // The writer is gone; someone removes the two newest segment files. What is left is a
  // well-formed shorter log (segments 0..3), so only the checkpoint of 22 records can tell.
  ASSERT_OK_AND_ASSIGN(const std::vector<StoredCheckpoint> stored, store_->List());
  checkpointer_.reset();
  store_.reset();
  log_.reset();
  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().scans >= 1; }));
  ASSERT_THAT(receiver_.violations(), IsEmpty());
  ASSERT_OK(testing::RemovePath(SegmentPath(dir_, 5)));
  ASSERT_OK(testing::RemovePath(SegmentPath(dir_, 4)));

  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  // Named at the checkpoint, with the first record gone. With no segment after it, the last
  // sealed segment's last batch (records 14 and 15, appended as one) reads as one that was never
  // acknowledged (docs/format/README.md, "Recovery"), so the log now ends at 14.
  ExpectAt(violation, kCheckpointViolation, CheckpointsPath(), stored[2].file_offset, 14u);
  EXPECT_THAT(violation.message,
              AllOf(HasSubstr("checkpoint 2 (size 22)"), HasSubstr("records 14..21 are gone")));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingMoreAfterScans(1));
}

TEST_F(IntegrityAuditorTest, CheckpointSignedByAnotherKeyIsASignatureViolation) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().checkpoints_verified >= 3; }));
  // Same name, other key: the key ID differs.
  ASSERT_OK_AND_ASSIGN(NoteSigner impostor, NoteSigner::Generate(kKeyName));
  ASSERT_OK_AND_ASSIGN(const TreeHead head, log_->Head());
  const uint64_t offset = Plant(head.size, head.root, impostor);

  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  ExpectAt(violation, kCheckpointViolation, CheckpointsPath(), offset, std::nullopt);
  EXPECT_THAT(
      violation.message,
      AllOf(HasSubstr(CheckpointsPath()), HasSubstr("checkpoint 3 (size 22)"),
            HasSubstr(absl::StrCat("offset ", offset)), HasSubstr("not signed by the log's key")));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingMoreAfterScans(1));
  EXPECT_THAT(auditor_->status().last_result, StatusIs(absl::StatusCode::kDataLoss));

  // The forgery is not taken as a predecessor: the next genuine checkpoint extends checkpoint 2.
  ASSERT_OK(AppendTestRecords(*log_, log_->Size(), 5));
  ASSERT_OK(checkpointer_->SignNow());
  ASSERT_NO_FATAL_FAILURE(WaitForFreshScan());
  EXPECT_THAT(receiver_.violations(), SizeIs(1));
  EXPECT_EQ(auditor_->status().checkpoints_verified, 4u);
}

TEST_F(IntegrityAuditorTest, ForkSignedWithTheRightKeyIsAConsistencyViolation) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().checkpoints_verified >= 3; }));
  // A log that agrees with ours up to record 14 and then differs: its checkpoint of 30 records
  // is well signed, but does not extend our checkpoint of 22.
  testing::ScratchDir fork_dir("integrity_auditor_fork");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> fork,
                       testing::OpenTestLog(fork_dir.Sub("data"), 30, kLog2, /*fork_at=*/15));
  ASSERT_OK(AppendTestRecords(*log_, log_->Size(), 30 - log_->Size()));
  ASSERT_OK_AND_ASSIGN(const Hash fork_root, fork->Root(30));
  const uint64_t offset = Plant(30, fork_root, Signer());

  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  ExpectAt(violation, kCheckpointViolation, CheckpointsPath(), offset, std::nullopt);
  EXPECT_THAT(violation.message,
              AllOf(HasSubstr("checkpoint 3 (size 30)"), HasSubstr("does not extend checkpoint 2"),
                    HasSubstr("fork"), HasSubstr("size 22"), HasSubstr(HashToBase64(fork_root))));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingMoreAfterScans(1));
}

TEST_F(IntegrityAuditorTest, SecondRootForTheSameSizeIsAForkViolation) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().checkpoints_verified >= 3; }));
  const uint64_t offset = Plant(22, Sha256("another history"), Signer());

  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  EXPECT_EQ(receiver_.violations()[0].offset, offset);
  EXPECT_THAT(receiver_.violations()[0].message,
              AllOf(HasSubstr("checkpoint 3 (size 22)"), HasSubstr("two different roots")));
}

TEST_F(IntegrityAuditorTest, CheckpointBeyondTheLogIsRaisedNamingTheFirstMissingRecord) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().checkpoints_verified >= 3; }));
  const uint64_t offset = Plant(40, Sha256("records nobody wrote"), Signer());

  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  EXPECT_EQ(violation.offset, offset);
  EXPECT_EQ(violation.seq, 22u);
  EXPECT_THAT(violation.message, HasSubstr("records 22..39 are missing"));
}

TEST_F(IntegrityAuditorTest, CheckpointFileRewrittenWithAForkOfACheckedCheckpointIsRaised) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().checkpoints_verified >= 3; }));
  // The same file, with its last checkpoint (22) replaced by a well-signed one of another root:
  // built in another directory's store from the first two notes, then copied over ours.
  testing::ScratchDir other_dir("integrity_auditor_rewrite");
  ASSERT_OK(testing::WriteWholeFile(other_dir.Sub("FORMAT"), ""));  // Any directory will do.
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> other,
                         CheckpointStore::Open(Env::Default(), other_dir.path(), false));
    ASSERT_OK_AND_ASSIGN(const std::vector<StoredCheckpoint> ours, store_->List());
    ASSERT_THAT(ours, SizeIs(3));
    ASSERT_OK(other->Append(ours[0].checkpoint, ours[0].note));
    ASSERT_OK(other->Append(ours[1].checkpoint, ours[1].note));
    Checkpoint forged = ours[2].checkpoint;
    forged.root = Sha256("a rewritten history");
    ASSERT_OK_AND_ASSIGN(
        const std::string note,
        SignTestCheckpoint(Signer(), kKeyName, forged.size, forged.root, forged.timestamp_ms));
    ASSERT_OK(other->Append(forged, note));
  }
  ASSERT_OK_AND_ASSIGN(const std::string rewritten,
                       ReadWholeFile(CheckpointStore::PathIn(other_dir.path())));
  ASSERT_OK(testing::WriteWholeFile(CheckpointsPath(), rewritten));
  ASSERT_OK_AND_ASSIGN(const std::vector<StoredCheckpoint> now, store_->List());

  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  ExpectAt(violation, kCheckpointViolation, CheckpointsPath(), now[2].file_offset, std::nullopt);
  EXPECT_THAT(violation.message,
              AllOf(HasSubstr("checkpoint 2 (size 22)"), HasSubstr("does not extend checkpoint 1"),
                    HasSubstr("size 14")));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingMoreAfterScans(1));
}

TEST_F(IntegrityAuditorTest, DamagedCheckpointFileIsRaisedOnceNamingTheOffset) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().checkpoints_verified >= 3; }));
  ASSERT_OK_AND_ASSIGN(const std::vector<StoredCheckpoint> stored, store_->List());
  ASSERT_OK(FlipByteAt(CheckpointsPath(), stored[1].file_offset + 20));

  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  ExpectAt(violation, kCheckpointViolation, CheckpointsPath(), stored[1].file_offset, std::nullopt);
  EXPECT_THAT(violation.message,
              AllOf(HasSubstr("checkpoint 1"), MentionsNumber(stored[1].file_offset)));
  ASSERT_NO_FATAL_FAILURE(ExpectNothingMoreAfterScans(1));
}

TEST_F(IntegrityAuditorTest, DamageInTheOpenSegmentIsRaisedOnceConfirmed) {
  SegmentLayout layout;
  ASSERT_NO_FATAL_FAILURE(Load(5, layout));
  ASSERT_THAT(layout.frames, SizeIs(2));  // Records 20 and 21.
  ASSERT_OK(FlipByteAt(SegmentPath(dir_, 5), layout.frames[0].payload_offset()));

  ASSERT_NO_FATAL_FAILURE(StartAuditor());
  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  EXPECT_EQ(violation.file, SegmentPath(dir_, 5));
  EXPECT_EQ(violation.offset, layout.frames[0].offset);
  EXPECT_EQ(violation.seq, 20u);
}

TEST_F(IntegrityAuditorTest, TornTailSeenOnceInTheOpenSegmentIsAnAppendInProgress) {
  torn_env_.torn_tail = std::string("\x0c\x00\x00\x00\x00", 5);  // Part of a frame header.
  ASSERT_NO_FATAL_FAILURE(StartAuditor(absl::Hours(1), &torn_env_));
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().scans >= 1; }));
  // The first look sees it, the second (confirm_delay later) does not: nothing is raised.
  torn_env_.torn_listings = 1;
  ASSERT_NO_FATAL_FAILURE(WaitForFreshScan());
  EXPECT_EQ(torn_env_.torn_listings, 0);
  EXPECT_THAT(receiver_.violations(), IsEmpty());
  EXPECT_OK(auditor_->status().last_result);

  // Seen by both looks: a torn frame that stays is reported.
  torn_env_.torn_listings = 2;
  auditor_->ScanNow();
  ASSERT_NO_FATAL_FAILURE(WaitForViolations(1));
  const IntegrityViolation violation = receiver_.violations()[0];
  EXPECT_EQ(violation.file, SegmentPath(dir_, 5));
  EXPECT_EQ(violation.seq, 22u);
  EXPECT_THAT(violation.message, HasSubstr("torn or truncated"));
}

TEST_F(IntegrityAuditorTest, ScanErrorIsAnEventAndStatusNotAViolation) {
  torn_env_.fail_listing = true;
  ASSERT_NO_FATAL_FAILURE(StartAuditor(absl::Hours(1), &torn_env_));
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().scans >= 1; }));
  IntegrityAuditorStatus status = auditor_->status();
  EXPECT_THAT(status.last_error, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("EIO")));
  EXPECT_THAT(status.last_result, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_GE(status.scan_errors, 1u);
  EXPECT_GE(receiver_.EventCount("integrity_scan_error"), 1u);
  EXPECT_THAT(receiver_.violations(), IsEmpty());

  torn_env_.fail_listing = false;
  ASSERT_NO_FATAL_FAILURE(WaitForFreshScan());
  status = auditor_->status();
  EXPECT_OK(status.last_error);
  EXPECT_OK(status.last_result);
  EXPECT_EQ(status.records_verified, kRecords);
  EXPECT_THAT(receiver_.violations(), IsEmpty());
}

TEST_F(IntegrityAuditorTest, ScanNowScansAtOnceAndStopEndsScanning) {
  ASSERT_NO_FATAL_FAILURE(StartAuditor(absl::Hours(1), &torn_env_));
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().scans >= 1; }));
  auditor_->ScanNow();
  ASSERT_TRUE(WaitUntil([&] { return auditor_->status().scans >= 2; }));
  EXPECT_EQ(auditor_->status().records_verified, kRecords);
  EXPECT_EQ(auditor_->status().checkpoints_verified, 3u);
  // Nothing was mapped: a file truncated under the auditor cannot end the server (SIGBUS).
  EXPECT_EQ(torn_env_.mapped_opens, 0);

  auditor_->Stop();
  auditor_->Stop();  // Idempotent.
  const uint64_t scans = auditor_->status().scans;
  ASSERT_OK(FlipByteAt(SegmentPath(dir_, 5), 40));
  auditor_->ScanNow();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(auditor_->status().scans, scans);
  EXPECT_THAT(receiver_.violations(), IsEmpty());
}

TEST_F(IntegrityAuditorTest, StartRefusesWhatCannotWork) {
  const auto start = [&](std::string dir, EventLog* events,
                         std::function<void(const IntegrityViolation&)> on_violation,
                         absl::Duration period) {
    IntegrityAuditorOptions options;
    options.scan_period = period;
    return IntegrityAuditor::Start(std::move(dir), verifier_key_, "", std::move(on_violation),
                                   events, options);
  };
  const auto ignore = [](const IntegrityViolation&) {};
  EXPECT_THAT(start("", &events_, ignore, absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("data directory")));
  EXPECT_THAT(start(dir_, nullptr, ignore, absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("event log")));
  EXPECT_THAT(start(dir_, &events_, nullptr, absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("receiver")));
  EXPECT_THAT(start(dir_, &events_, ignore, absl::ZeroDuration()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("scan period (0)")));
}

}  // namespace
}  // namespace sealtrail
