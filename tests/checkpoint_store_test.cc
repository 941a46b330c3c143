// CheckpointStore on real files: what is appended comes back after reopening, sizes never go
// backwards, a torn tail is dropped by a writable open and ignored by a read-only one, and damage
// anywhere else is DATA_LOSS naming the offset.
#include "sealtrail/checkpoint_store.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/note_signer.h"
#include "testing/checkpoint_fixtures.h"
#include "testing/fault_env.h"
#include "testing/file_util.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::AppendToFile;
using ::sealtrail::testing::FileSizeOf;
using ::sealtrail::testing::FlipByteAt;
using ::sealtrail::testing::GoTestSigner;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::OpenTestLog;
using ::sealtrail::testing::ReadWholeFile;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::SnapshotTree;
using ::sealtrail::testing::StatusIs;
using ::sealtrail::testing::TruncateTo;
using ::sealtrail::testing::WriteWholeFile;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

struct Signed {
  Checkpoint checkpoint;
  std::string note;
};

class CheckpointStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(log_, OpenTestLog(data_, 40)); }

  std::string StorePath() const { return data_ + "/checkpoints"; }

  absl::StatusOr<std::unique_ptr<CheckpointStore>> OpenStore(bool read_only) const {
    return CheckpointStore::Open(Env::Default(), data_, read_only);
  }

  // A checkpoint of the test log at `size`, really signed.
  Signed Make(uint64_t size, int64_t timestamp_ms = 1700000000000) const {
    Signed s;
    s.checkpoint.origin = "PeterNeumann";
    s.checkpoint.size = size;
    absl::StatusOr<Hash> root = log_->Root(size);
    EXPECT_TRUE(root.ok()) << root.status();
    if (root.ok()) s.checkpoint.root = *root;
    s.checkpoint.timestamp_ms = timestamp_ms;
    absl::StatusOr<std::string> note = signer_.Sign(FormatCheckpointBody(s.checkpoint));
    EXPECT_TRUE(note.ok()) << note.status();
    if (note.ok()) s.note = *note;
    return s;
  }

  // Appends each checkpoint and returns the file size after each append.
  std::vector<uint64_t> AppendAll(CheckpointStore& store, const std::vector<Signed>& all) const {
    std::vector<uint64_t> ends;
    for (const Signed& s : all) {
      EXPECT_OK(store.Append(s.checkpoint, s.note));
      absl::StatusOr<uint64_t> size = FileSizeOf(StorePath());
      EXPECT_TRUE(size.ok()) << size.status();
      ends.push_back(size.ok() ? *size : 0);
    }
    return ends;
  }

  static void ExpectSame(const StoredCheckpoint& stored, const Signed& expected) {
    EXPECT_EQ(stored.note, expected.note);
    EXPECT_EQ(stored.checkpoint.origin, expected.checkpoint.origin);
    EXPECT_EQ(stored.checkpoint.size, expected.checkpoint.size);
    EXPECT_EQ(stored.checkpoint.root, expected.checkpoint.root);
    EXPECT_EQ(stored.checkpoint.timestamp_ms, expected.checkpoint.timestamp_ms);
  }

  // The store holds exactly `expected`, in order.
  static void ExpectHolds(const CheckpointStore& store, const std::vector<Signed>& expected) {
    ASSERT_EQ(store.count(), expected.size());
    ASSERT_OK_AND_ASSIGN(const std::vector<StoredCheckpoint> all, store.List());
    ASSERT_THAT(all, SizeIs(expected.size()));
    for (size_t i = 0; i < all.size(); ++i) {
      SCOPED_TRACE(absl::StrCat("checkpoint ", i));
      ExpectSame(all[i], expected[i]);
    }
    if (expected.empty()) {
      EXPECT_FALSE(store.Latest().has_value());
    } else {
      ASSERT_TRUE(store.Latest().has_value());
      ExpectSame(*store.Latest(), expected.back());
    }
  }

  ScratchDir dir_{"checkpoint_store_test"};
  const std::string data_ = dir_.Sub("data");
  std::unique_ptr<Log> log_;
  const NoteSigner signer_ = GoTestSigner();
};

TEST_F(CheckpointStoreTest, NewStoreIsEmpty) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
  ExpectHolds(*store, {});
  EXPECT_THAT(store->Get(0), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(Env::Default()->FileExists(StorePath()));
}

TEST_F(CheckpointStoreTest, ReadOnlyOpenWithoutAStoreIsEmptyAndCreatesNothing) {
  ASSERT_OK_AND_ASSIGN(const auto before, SnapshotTree(data_));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(true));
  ExpectHolds(*store, {});
  EXPECT_THAT(store->Get(0), StatusIs(absl::StatusCode::kNotFound));
  const Signed s = Make(5);
  EXPECT_THAT(store->Append(s.checkpoint, s.note), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_FALSE(Env::Default()->FileExists(StorePath()));
  EXPECT_THAT(SnapshotTree(data_), IsOkAndHolds(before));
}

TEST_F(CheckpointStoreTest, AppendedCheckpointsComeBackExactlyAfterReopening) {
  const std::vector<Signed> all = {Make(0, 1700000000000),  Make(3, 1700000000001),
                                   Make(3, 1700000000002),  Make(10, 1700000000003),
                                   Make(17, 1700000000004), Make(40, 1700000000005)};
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
    AppendAll(*store, all);
    ExpectHolds(*store, all);
  }
  for (const bool read_only : {false, true}) {
    SCOPED_TRACE(read_only ? "read-only" : "writable");
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(read_only));
    ExpectHolds(*store, all);
    // Get gives the newest checkpoint of exactly that size.
    for (const size_t i : {0, 2, 3, 4, 5}) {
      ASSERT_OK_AND_ASSIGN(const StoredCheckpoint got, store->Get(all[i].checkpoint.size));
      ExpectSame(got, all[i]);
    }
    for (const uint64_t unsigned_size : {1, 4, 11, 39, 41}) {
      EXPECT_THAT(store->Get(unsigned_size),
                  StatusIs(absl::StatusCode::kNotFound, HasSubstr(absl::StrCat(unsigned_size))));
    }
  }
}

TEST_F(CheckpointStoreTest, EveryStoredCheckpointSaysWhereItsFrameStarts) {
  const std::vector<Signed> all = {Make(3), Make(10), Make(17)};
  std::vector<uint64_t> starts;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
    ASSERT_OK_AND_ASSIGN(const uint64_t header_size, FileSizeOf(StorePath()));
    starts.push_back(header_size);
    for (const Signed& s : all) {
      ASSERT_OK(store->Append(s.checkpoint, s.note));
      ASSERT_TRUE(store->Latest().has_value());
      EXPECT_EQ(store->Latest()->file_offset, starts.back());
      ASSERT_OK_AND_ASSIGN(const uint64_t end, FileSizeOf(StorePath()));
      starts.push_back(end);
    }
  }
  for (const bool read_only : {false, true}) {
    SCOPED_TRACE(read_only ? "read-only" : "writable");
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(read_only));
    ASSERT_OK_AND_ASSIGN(const std::vector<StoredCheckpoint> listed, store->List());
    ASSERT_THAT(listed, SizeIs(all.size()));
    for (size_t i = 0; i < listed.size(); ++i) EXPECT_EQ(listed[i].file_offset, starts[i]);
    EXPECT_THAT(store->Get(10),
                IsOkAndHolds(::testing::Field(&StoredCheckpoint::file_offset, starts[1])));
    EXPECT_EQ(store->Latest()->file_offset, starts[2]);
  }
  EXPECT_EQ(CheckpointStore::PathIn(data_), StorePath());
}

TEST_F(CheckpointStoreTest, ReadOnlyStoreRefusesAppends) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
    AppendAll(*store, {Make(3)});
  }
  ASSERT_OK_AND_ASSIGN(const std::string bytes, ReadWholeFile(StorePath()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(true));
  const Signed s = Make(5);
  EXPECT_THAT(store->Append(s.checkpoint, s.note), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(ReadWholeFile(StorePath()), IsOkAndHolds(bytes));
}

TEST_F(CheckpointStoreTest, AppendingASmallerSizeIsFailedPreconditionAndChangesNothing) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
  const std::vector<Signed> kept = {Make(10), Make(10, 1700000000500)};
  AppendAll(*store, kept);
  ASSERT_OK_AND_ASSIGN(const std::string bytes, ReadWholeFile(StorePath()));
  for (const uint64_t smaller : {0, 1, 9}) {
    const Signed s = Make(smaller);
    EXPECT_THAT(store->Append(s.checkpoint, s.note),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         AllOf(HasSubstr(absl::StrCat(smaller)), HasSubstr("10"))));
  }
  EXPECT_THAT(ReadWholeFile(StorePath()), IsOkAndHolds(bytes));
  ExpectHolds(*store, kept);
  // The store still takes larger sizes.
  const Signed larger = Make(11);
  EXPECT_OK(store->Append(larger.checkpoint, larger.note));
}

TEST_F(CheckpointStoreTest, TornTailIsTruncatedByAWritableOpenAndIgnoredByAReadOnlyOne) {
  const std::vector<Signed> all = {Make(3), Make(10), Make(17)};
  std::vector<uint64_t> ends;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
    ends = AppendAll(*store, all);
  }
  ASSERT_OK_AND_ASSIGN(const std::string intact, ReadWholeFile(StorePath()));
  // The bytes of one whole frame (the last append), whatever the frame format is.
  const std::string frame = intact.substr(ends[1], ends[2] - ends[1]);
  ASSERT_GT(frame.size(), 2u);

  for (size_t cut = 1; cut < frame.size(); ++cut) {
    SCOPED_TRACE(absl::StrCat("a torn frame of ", cut, " of ", frame.size(), " bytes"));
    const std::string torn = intact + frame.substr(0, cut);
    ASSERT_OK(WriteWholeFile(StorePath(), torn));
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(true));
      ExpectHolds(*store, all);
    }
    EXPECT_THAT(ReadWholeFile(StorePath()), IsOkAndHolds(torn));
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
      ExpectHolds(*store, all);
    }
    EXPECT_THAT(ReadWholeFile(StorePath()), IsOkAndHolds(intact));
  }

  // The last whole frame cut short is a torn tail too: the checkpoint before it is the latest.
  for (const uint64_t cut_at : {ends[1] + 1, (ends[1] + ends[2]) / 2, ends[2] - 1}) {
    SCOPED_TRACE(absl::StrCat("file cut at ", cut_at));
    ASSERT_OK(WriteWholeFile(StorePath(), intact.substr(0, cut_at)));
    {
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(true));
      ExpectHolds(*store, {all[0], all[1]});
    }
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
    ExpectHolds(*store, {all[0], all[1]});
    EXPECT_THAT(FileSizeOf(StorePath()), IsOkAndHolds(ends[1]));
  }
}

// A checkpoint whose Append failed is not there after reopening, however much of it reached the
// disk; later Appends keep the cause's code.
TEST_F(CheckpointStoreTest, AFailedAppendLeavesNothingThatReopeningKeeps) {
  const std::vector<Signed> kept = {Make(3)};
  for (testing::FaultMode mode :
       {testing::FaultMode::kWithEffect, testing::FaultMode::kShortWrite}) {
    for (testing::OpKind kind : {testing::OpKind::kAppend, testing::OpKind::kSync}) {
      SCOPED_TRACE(std::string(testing::OpKindName(kind)) + " " +
                   std::string(testing::FaultModeName(mode)));
      std::filesystem::remove(StorePath());
      testing::FaultInjectionEnv env;
      {
        ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store,
                             CheckpointStore::Open(&env, data_, false));
        AppendAll(*store, kept);
        env.FailNthOfKind(kind, env.op_count(kind), mode);
        const Signed next = Make(10);
        EXPECT_THAT(store->Append(next.checkpoint, next.note),
                    StatusIs(absl::StatusCode::kInternal, HasSubstr("injected fault")));
        EXPECT_THAT(store->Append(next.checkpoint, next.note),
                    StatusIs(absl::StatusCode::kInternal, HasSubstr("appends stopped")));
      }
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> reopened, OpenStore(false));
      ExpectHolds(*reopened, kept);
    }
  }
}

TEST_F(CheckpointStoreTest, AppendsContinueAfterATornTailWasDropped) {
  const std::vector<Signed> first = {Make(3), Make(10)};
  std::vector<uint64_t> ends;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
    ends = AppendAll(*store, first);
  }
  ASSERT_OK_AND_ASSIGN(const std::string intact, ReadWholeFile(StorePath()));
  ASSERT_OK(AppendToFile(StorePath(), intact.substr(ends[0], (ends[1] - ends[0]) / 2)));
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
    const Signed next = Make(20);
    ASSERT_OK(store->Append(next.checkpoint, next.note));
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(true));
  ExpectHolds(*store, {first[0], first[1], Make(20)});
}

TEST_F(CheckpointStoreTest, FlippedByteInTheMiddleIsDataLossNamingTheOffset) {
  const std::vector<Signed> all = {Make(3), Make(10), Make(17)};
  std::vector<uint64_t> ends;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
    ends = AppendAll(*store, all);
  }
  // The middle of the middle frame, which starts at ends[0].
  const uint64_t flipped = (ends[0] + ends[1]) / 2;
  ASSERT_OK(FlipByteAt(StorePath(), flipped));
  ASSERT_OK_AND_ASSIGN(const std::string damaged, ReadWholeFile(StorePath()));
  for (const bool read_only : {true, false}) {
    SCOPED_TRACE(read_only ? "read-only" : "writable");
    EXPECT_THAT(
        OpenStore(read_only),
        StatusIs(absl::StatusCode::kDataLoss,
                 AllOf(HasSubstr("checkpoints"), HasSubstr("offset"),
                       AnyOf(HasSubstr(absl::StrCat(ends[0])), HasSubstr(absl::StrCat(flipped))))));
    // Nothing is truncated or repaired.
    EXPECT_THAT(ReadWholeFile(StorePath()), IsOkAndHolds(damaged));
    // And the damaged frame's offset is given apart from the message.
    uint64_t damaged_at = 0;
    EXPECT_THAT(CheckpointStore::Open(Env::Default(), data_, read_only, &damaged_at),
                StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_EQ(damaged_at, ends[0]);
  }
}

// The bit flip that once passed for a torn tail: the middle frame's length grows past the end
// of the file. Its own checksum makes it damage, so no signed checkpoint is dropped.
TEST_F(CheckpointStoreTest, DamagedLengthOfMiddleFrameIsDataLossAndDropsNothing) {
  const std::vector<Signed> all = {Make(3), Make(10), Make(17)};
  std::vector<uint64_t> ends;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
    ends = AppendAll(*store, all);
  }
  ASSERT_OK(FlipByteAt(StorePath(), ends[0] + 1, 0x10));  // Length + 4096 at least.
  ASSERT_OK_AND_ASSIGN(const std::string damaged, ReadWholeFile(StorePath()));
  for (const bool read_only : {true, false}) {
    SCOPED_TRACE(read_only ? "read-only" : "writable");
    EXPECT_THAT(OpenStore(read_only),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr(absl::StrCat(ends[0]))));
    EXPECT_THAT(ReadWholeFile(StorePath()), IsOkAndHolds(damaged));
  }
}

TEST_F(CheckpointStoreTest, DamagedHeaderIsDataLoss) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
    AppendAll(*store, {Make(3)});
  }
  ASSERT_OK(FlipByteAt(StorePath(), 1));
  ASSERT_OK_AND_ASSIGN(const std::string damaged, ReadWholeFile(StorePath()));
  uint64_t damaged_at = 99;
  EXPECT_THAT(CheckpointStore::Open(Env::Default(), data_, true, &damaged_at),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("checkpoints")));
  EXPECT_EQ(damaged_at, 0u);
  EXPECT_THAT(OpenStore(false), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("checkpoints")));
  EXPECT_THAT(ReadWholeFile(StorePath()), IsOkAndHolds(damaged));
}

TEST_F(CheckpointStoreTest, StoredSizesGoingBackwardsAreDataLossNamingTheOffset) {
  // A well-formed frame of size 3 (taken from another store) appended after size 10.
  ScratchDir other_dir("checkpoint_store_test");
  const std::string other_data = other_dir.Sub("data");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> other_log, OpenTestLog(other_data, 3));
  std::string small_frame;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> other,
                         CheckpointStore::Open(Env::Default(), other_data, false));
    ASSERT_OK_AND_ASSIGN(const uint64_t empty_size, FileSizeOf(other_data + "/checkpoints"));
    const Signed s = Make(3);
    ASSERT_OK(other->Append(s.checkpoint, s.note));
    ASSERT_OK_AND_ASSIGN(const std::string bytes, ReadWholeFile(other_data + "/checkpoints"));
    small_frame = bytes.substr(empty_size);
  }
  std::vector<uint64_t> ends;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
    ends = AppendAll(*store, {Make(5), Make(10)});
  }
  ASSERT_OK(AppendToFile(StorePath(), small_frame));
  for (const bool read_only : {true, false}) {
    SCOPED_TRACE(read_only ? "read-only" : "writable");
    uint64_t damaged_at = 0;
    EXPECT_THAT(CheckpointStore::Open(Env::Default(), data_, read_only, &damaged_at),
                StatusIs(absl::StatusCode::kDataLoss,
                         AllOf(HasSubstr("offset"), HasSubstr(absl::StrCat(ends[1])))));
    EXPECT_EQ(damaged_at, ends[1]);
  }
}

TEST_F(CheckpointStoreTest, ReadersSeeAConsistentPrefixWhileAnotherThreadAppends) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store, OpenStore(false));
  std::vector<Signed> all;
  for (uint64_t size = 0; size <= 40; ++size) all.push_back(Make(size, 1700000000000 + size));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (const Signed& s : all) EXPECT_OK(store->Append(s.checkpoint, s.note));
    done = true;
  });
  int rounds = 0;
  while (!done || rounds == 0) {
    ++rounds;
    absl::StatusOr<std::vector<StoredCheckpoint>> listed = store->List();
    ASSERT_TRUE(listed.ok()) << listed.status();
    for (size_t i = 0; i < listed->size(); ++i) {
      ASSERT_EQ((*listed)[i].note, all[i].note) << "checkpoint " << i;
    }
    if (std::optional<StoredCheckpoint> latest = store->Latest(); latest.has_value()) {
      const uint64_t size = latest->checkpoint.size;
      EXPECT_EQ(latest->note, all[size].note);
      EXPECT_THAT(store->Get(size),
                  IsOkAndHolds(::testing::Field(&StoredCheckpoint::note, all[size].note)));
    }
  }
  writer.join();
  ExpectHolds(*store, all);
}

}  // namespace
}  // namespace sealtrail
