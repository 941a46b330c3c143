// Checkpointer on a real log and store: what it signs (size, root, origin, timestamp), when it
// signs (only when the log grew; on demand and from its background thread), and when it refuses
// (a stored checkpoint the log does not extend).
#include "sealtrail/checkpointer.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/checkpoint_store.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/note.h"
#include "sealtrail/note_signer.h"
#include "testing/checkpoint_fixtures.h"
#include "testing/fault_env.h"
#include "testing/openssl_reference.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::AppendTestRecords;
using ::sealtrail::testing::FaultInjectionEnv;
using ::sealtrail::testing::GoTestSigner;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::OpenTestLog;
using ::sealtrail::testing::RefSha256;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::SignTestCheckpoint;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::Le;
using ::testing::Optional;

constexpr int64_t kHourNanos = int64_t{3600} * 1'000'000'000;

class CheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(log_, OpenTestLog(data_, 0));
    ASSERT_OK_AND_ASSIGN(store_, CheckpointStore::Open(Env::Default(), data_, false));
  }

  std::unique_ptr<Checkpointer> NewCheckpointer(CheckpointerOptions options = {}) {
    if (options.env == nullptr) options.env = &env_;
    return std::make_unique<Checkpointer>(log_.get(), store_.get(), GoTestSigner(), options);
  }
  void Grow(uint64_t count) { ASSERT_OK(AppendTestRecords(*log_, log_->Size(), count)); }
  int64_t EnvNowMs() { return env_.NowNanos() / 1'000'000; }

  // The checkpoint checked as an auditor would: signature, origin, and root against the log.
  void ExpectGenuine(const StoredCheckpoint& stored, std::string_view origin = "PeterNeumann") {
    ASSERT_OK_AND_ASSIGN(const Checkpoint verified,
                         VerifyCheckpoint(stored.note, GoTestSigner().verifier_key(), origin));
    EXPECT_EQ(verified.origin, stored.checkpoint.origin);
    EXPECT_EQ(verified.size, stored.checkpoint.size);
    EXPECT_EQ(verified.root, stored.checkpoint.root);
    EXPECT_EQ(verified.timestamp_ms, stored.checkpoint.timestamp_ms);
    EXPECT_THAT(log_->Root(verified.size), IsOkAndHolds(verified.root));
  }

  ScratchDir dir_{"checkpointer_test"};
  const std::string data_ = dir_.Sub("data");
  FaultInjectionEnv env_;
  std::unique_ptr<Log> log_;
  std::unique_ptr<CheckpointStore> store_;
};

TEST_F(CheckpointerTest, SignNowOnAnEmptyLogSignsSizeZero) {
  const std::unique_ptr<Checkpointer> checkpointer = NewCheckpointer();
  const int64_t before = EnvNowMs();
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint stored, checkpointer->SignNow());
  const int64_t after = EnvNowMs();
  EXPECT_EQ(stored.checkpoint.size, 0u);
  EXPECT_EQ(stored.checkpoint.root, EmptyTreeRoot());
  EXPECT_EQ(std::string(AsStringView(stored.checkpoint.root)), RefSha256(""));
  EXPECT_EQ(stored.checkpoint.origin, "PeterNeumann");
  EXPECT_THAT(stored.checkpoint.timestamp_ms, Optional(AllOf(Ge(before), Le(after))));
  ExpectGenuine(stored);
  EXPECT_EQ(store_->count(), 1u);
  ASSERT_TRUE(store_->Latest().has_value());
  EXPECT_EQ(store_->Latest()->note, stored.note);
  EXPECT_EQ(stored.file_offset, store_->Latest()->file_offset);
  EXPECT_GT(stored.file_offset, 0u);  // After the file's header.
}

TEST_F(CheckpointerTest, SignsAgainOnlyWhenTheLogGrew) {
  const std::unique_ptr<Checkpointer> checkpointer = NewCheckpointer();
  Grow(5);
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint first, checkpointer->SignNow());
  EXPECT_EQ(first.checkpoint.size, 5u);
  ExpectGenuine(first);

  // Nothing new: the stored checkpoint comes back and nothing is appended.
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(const StoredCheckpoint again, checkpointer->SignNow());
    EXPECT_EQ(again.note, first.note);
    EXPECT_EQ(store_->count(), 1u);
  }

  Grow(3);
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint second, checkpointer->SignNow());
  EXPECT_EQ(second.checkpoint.size, 8u);
  ExpectGenuine(second);
  EXPECT_EQ(store_->count(), 2u);
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint same, checkpointer->SignNow());
  EXPECT_EQ(same.note, second.note);
  EXPECT_EQ(store_->count(), 2u);

  // Both are kept, and a new Checkpointer over the same store does not sign the same size again.
  EXPECT_THAT(store_->Get(5), IsOkAndHolds(::testing::Field(&StoredCheckpoint::note, first.note)));
  const std::unique_ptr<Checkpointer> restarted = NewCheckpointer();
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint after_restart, restarted->SignNow());
  EXPECT_EQ(after_restart.note, second.note);
  EXPECT_EQ(store_->count(), 2u);
}

TEST_F(CheckpointerTest, NoteVerifiesWithTheSignersVerifierKeyAndMatchesTheLogHead) {
  const std::unique_ptr<Checkpointer> checkpointer = NewCheckpointer();
  Grow(13);
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint stored, checkpointer->SignNow());
  ASSERT_OK_AND_ASSIGN(const TreeHead head, log_->Head());
  EXPECT_EQ(stored.checkpoint.size, head.size);
  EXPECT_EQ(stored.checkpoint.root, head.root);
  // Through the verifier key's text form, as an auditor receives it.
  ASSERT_OK_AND_ASSIGN(const NoteVerifierKey key,
                       ParseNoteVerifierKey(GoTestSigner().VerifierKeyText()));
  ASSERT_OK_AND_ASSIGN(const Checkpoint verified, VerifyCheckpoint(stored.note, key));
  EXPECT_EQ(verified.size, 13u);
  // The note is the signed body of the stored checkpoint, nothing else.
  ASSERT_OK_AND_ASSIGN(const std::string text, OpenSignedNote(stored.note, key));
  EXPECT_EQ(text, FormatCheckpointBody(stored.checkpoint));
}

TEST_F(CheckpointerTest, OriginDefaultsToTheKeyNameAndCanBeOverridden) {
  EXPECT_EQ(NewCheckpointer()->origin(), "PeterNeumann");

  CheckpointerOptions options;
  options.origin = "example.com/audit/eu-1";
  const std::unique_ptr<Checkpointer> checkpointer = NewCheckpointer(options);
  EXPECT_EQ(checkpointer->origin(), "example.com/audit/eu-1");
  Grow(2);
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint stored, checkpointer->SignNow());
  EXPECT_EQ(stored.checkpoint.origin, "example.com/audit/eu-1");
  ExpectGenuine(stored, "example.com/audit/eu-1");
  EXPECT_THAT(VerifyCheckpoint(stored.note, GoTestSigner().verifier_key()),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("example.com/audit/eu-1")));
}

TEST_F(CheckpointerTest, TimestampNeverGoesBackwardsWhenTheClockStepsBack) {
  const std::unique_ptr<Checkpointer> checkpointer = NewCheckpointer();
  env_.SetClockOffsetNanos(kHourNanos);  // The clock runs an hour ahead...
  Grow(1);
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint ahead, checkpointer->SignNow());
  ASSERT_TRUE(ahead.checkpoint.timestamp_ms.has_value());

  env_.SetClockOffsetNanos(-kHourNanos);  // ...then is stepped back two hours.
  Grow(1);
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint stepped_back, checkpointer->SignNow());
  EXPECT_EQ(stepped_back.checkpoint.size, 2u);
  EXPECT_THAT(stepped_back.checkpoint.timestamp_ms, Optional(Ge(*ahead.checkpoint.timestamp_ms)));
  ExpectGenuine(stepped_back);

  // Also across a restart: the store remembers the latest timestamp.
  const std::unique_ptr<Checkpointer> restarted = NewCheckpointer();
  Grow(1);
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint after_restart, restarted->SignNow());
  EXPECT_EQ(after_restart.checkpoint.size, 3u);
  EXPECT_THAT(after_restart.checkpoint.timestamp_ms,
              Optional(Ge(*stepped_back.checkpoint.timestamp_ms)));

  // Back to normal time, the timestamps follow the clock again.
  env_.SetClockOffsetNanos(2 * kHourNanos);
  Grow(1);
  const int64_t before = EnvNowMs();
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint later, restarted->SignNow());
  EXPECT_THAT(later.checkpoint.timestamp_ms, Optional(AllOf(Ge(before), Le(EnvNowMs()))));
}

TEST_F(CheckpointerTest, BackgroundThreadSignsWhileAWriterAppends) {
  CheckpointerOptions options;
  options.interval_ms = 20;
  const std::unique_ptr<Checkpointer> checkpointer = NewCheckpointer(options);
  checkpointer->Start();
  constexpr uint64_t kAppends = 30;
  for (uint64_t i = 0; i < kAppends; ++i) {
    Grow(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // The last growth is signed within a few intervals (bounded wait).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline &&
         !(store_->Latest().has_value() && store_->Latest()->checkpoint.size == kAppends)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  checkpointer->Stop();
  EXPECT_OK(checkpointer->background_error());

  ASSERT_OK_AND_ASSIGN(const std::vector<StoredCheckpoint> all, store_->List());
  ASSERT_GE(all.size(), 2u) << "30 appends over ~300 ms with a 20 ms interval";
  EXPECT_EQ(all.back().checkpoint.size, kAppends);
  for (size_t i = 0; i < all.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("checkpoint ", i, " of size ", all[i].checkpoint.size));
    ExpectGenuine(all[i]);
    if (i == 0) continue;
    // Signed only when the log grew, so sizes strictly increase; timestamps never decrease.
    EXPECT_GT(all[i].checkpoint.size, all[i - 1].checkpoint.size);
    EXPECT_GE(*all[i].checkpoint.timestamp_ms, *all[i - 1].checkpoint.timestamp_ms);
  }

  // Stopped: nothing more is signed.
  Grow(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(store_->count(), all.size());
}

TEST_F(CheckpointerTest, BackgroundThreadSignsNothingWhenTheLogDoesNotGrow) {
  Grow(4);
  CheckpointerOptions options;
  options.interval_ms = 10;
  const std::unique_ptr<Checkpointer> checkpointer = NewCheckpointer(options);
  ASSERT_OK(checkpointer->SignNow());
  checkpointer->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  checkpointer->Stop();
  EXPECT_OK(checkpointer->background_error());
  EXPECT_EQ(store_->count(), 1u);
}

TEST_F(CheckpointerTest, RefusesToSignWhenTheStoredCheckpointDisagreesWithTheLog) {
  Grow(5);
  // A checkpoint of the current size whose root is not the log's (as if the log had been
  // rewritten since), properly signed and stored.
  const Hash bogus = HashLeaf("not the root");
  Checkpoint planted;
  planted.origin = "PeterNeumann";
  planted.size = 5;
  planted.root = bogus;
  planted.timestamp_ms = 1700000000000;
  ASSERT_OK_AND_ASSIGN(const std::string note, GoTestSigner().Sign(FormatCheckpointBody(planted)));
  ASSERT_OK(store_->Append(planted, note));

  Grow(3);
  const std::unique_ptr<Checkpointer> checkpointer = NewCheckpointer();
  ASSERT_OK_AND_ASSIGN(const Hash real_root, log_->Root(5));
  EXPECT_THAT(checkpointer->SignNow(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(HashToBase64(bogus)), HasSubstr(HashToBase64(real_root)))));
  EXPECT_EQ(store_->count(), 1u);

  // The background thread stops on the same refusal and signs nothing either.
  CheckpointerOptions options;
  options.interval_ms = 10;
  const std::unique_ptr<Checkpointer> background = NewCheckpointer(options);
  background->Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline && background->background_error().ok()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  background->Stop();
  EXPECT_THAT(background->background_error(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_EQ(store_->count(), 1u);
}

TEST_F(CheckpointerTest, RefusesToSignWhenTheLogIsSmallerThanTheStoredCheckpoint) {
  Grow(5);
  ASSERT_OK_AND_ASSIGN(const std::string note,
                       SignTestCheckpoint(GoTestSigner(), "PeterNeumann", 9, HashLeaf("gone")));
  Checkpoint planted;
  planted.origin = "PeterNeumann";
  planted.size = 9;
  planted.root = HashLeaf("gone");
  planted.timestamp_ms = 1700000000000;
  ASSERT_OK(store_->Append(planted, note));
  EXPECT_THAT(NewCheckpointer()->SignNow(),
              StatusIs(absl::StatusCode::kDataLoss, AllOf(HasSubstr("5"), HasSubstr("9"))));
  EXPECT_EQ(store_->count(), 1u);
}

}  // namespace
}  // namespace sealtrail
