// The per-endpoint delivery journal (server/webhook/delivery_journal.h) on real files: state
// survives a reopen, a torn last line is truncated and reported, any other damage is DATA_LOSS
// naming the line, another endpoint's file is refused, compaction keeps the state, and a failed
// sync stops the journal for good.
#include "server/webhook/delivery_journal.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/fault_env.h"
#include "testing/file_util.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"
#include "webhook_testing/captured_events.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

DeliveryEvent Attempt(uint64_t seq, uint32_t attempts, int64_t first_ms, std::string error) {
  DeliveryEvent event;
  event.type = DeliveryEventType::kAttempt;
  event.seq = seq;
  event.attempts = attempts;
  event.first_attempt_unix_ms = first_ms;
  event.error = std::move(error);
  return event;
}
DeliveryEvent Delivered(uint64_t seq, uint64_t cursor) {
  DeliveryEvent event;
  event.type = DeliveryEventType::kDelivered;
  event.seq = seq;
  event.attempts = 1;
  event.at_unix_ms = 1700000000000;
  event.cursor = cursor;
  return event;
}
DeliveryEvent Dead(uint64_t seq, uint64_t cursor) {
  DeliveryEvent event;
  event.type = DeliveryEventType::kDeadLettered;
  event.seq = seq;
  event.cursor = cursor;
  event.attempts = 9;
  event.first_attempt_unix_ms = 1700000000000;
  event.at_unix_ms = 1700000009000;
  event.error = "HTTP 500: \xff oops";  // Not UTF-8: written with U+FFFD.
  event.webhook_id = absl::StrCat("msg_", seq);
  event.rule_id = "page.denied-burst";
  return event;
}
DeliveryEvent Retry(uint64_t seq) { return RetryEvent(seq); }

class DeliveryJournalTest : public ::testing::Test {
 protected:
  DeliveryJournalTest() {
    options_.env = Env::Default();
    options_.events = events_.log();
  }

  absl::StatusOr<std::unique_ptr<DeliveryJournal>> Open(const std::string& id = "on-call",
                                                        uint64_t start = 5) {
    return DeliveryJournal::Open(options_, scratch_.path(), id, start);
  }
  std::string Path() const { return DeliveryJournal::PathFor(scratch_.path(), "on-call"); }
  std::vector<std::string> Lines() const { return events_.Lines(); }
  // A journal with some of everything: cursor 12, seq 12 attempted twice, 7 and 9 dead, 9 retried.
  void WriteSomeOfEverything() {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> journal, Open());
    ASSERT_OK(journal->Record({Delivered(5, 7)}));
    ASSERT_OK(journal->Record({Dead(7, 9), Dead(9, 12)}));
    ASSERT_OK(journal->Record({Attempt(12, 1, 1700000001000, "no answer")}));
    ASSERT_OK(journal->Record({Attempt(12, 2, 1700000001000, "HTTP 503")}));
    ASSERT_OK(journal->Record({Retry(9)}));
  }
  static void ExpectSomeOfEverything(const DeliveryState& state) {
    EXPECT_EQ(state.cursor, 12u);
    ASSERT_EQ(state.attempts.size(), 1u);
    EXPECT_EQ(state.attempts.at(12).attempts, 2u);
    EXPECT_EQ(state.attempts.at(12).first_attempt_unix_ms, 1700000001000);
    EXPECT_EQ(state.attempts.at(12).last_error, "HTTP 503");
    ASSERT_EQ(state.dead_letters.size(), 1u);
    EXPECT_EQ(state.dead_letters.at(7).webhook_id, "msg_7");
    EXPECT_EQ(state.dead_letters.at(7).rule_id, "page.denied-burst");
    EXPECT_EQ(state.dead_letters.at(7).attempts, 9u);
    EXPECT_EQ(state.dead_letters.at(7).dead_lettered_unix_ms, 1700000009000);
    EXPECT_EQ(state.dead_letters.at(7).last_error, "HTTP 500: \xEF\xBF\xBD oops");
    ASSERT_EQ(state.retries.size(), 1u);
    EXPECT_EQ(state.retries.begin()->first, 9u);
  }

  ScratchDir scratch_{"webhook_journal_test"};
  testing::CapturedEvents events_;
  DeliveryJournalOptions options_;
};

TEST_F(DeliveryJournalTest, ANewJournalStartsAtTheStartCursorAndIsReported) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> journal, Open());
  EXPECT_EQ(journal->Cursor(), 5u);
  EXPECT_THAT(Lines(), Contains(HasSubstr("\"event\":\"webhook_journal_created\"")));
  EXPECT_TRUE(journal->State().dead_letters.empty());
}

TEST_F(DeliveryJournalTest, TheStateSurvivesAReopen) {
  WriteSomeOfEverything();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> journal, Open("on-call", /*start=*/0));
  ExpectSomeOfEverything(journal->State());
  ASSERT_TRUE(journal->FirstRetry().has_value());
  EXPECT_EQ(journal->FirstRetry()->seq, 9u);
  ASSERT_TRUE(journal->AttemptsOf(12).has_value());
  EXPECT_FALSE(journal->AttemptsOf(13).has_value());
}

TEST_F(DeliveryJournalTest, ATornLastLineIsTruncatedAndReported) {
  WriteSomeOfEverything();
  ASSERT_OK_AND_ASSIGN(const uint64_t size, testing::FileSizeOf(Path()));
  ASSERT_OK(testing::AppendToFile(Path(), "1a2b3c4d {\"t\":\"delivered\",\"seq\":12,\"att"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> journal, Open());
  ExpectSomeOfEverything(journal->State());
  EXPECT_THAT(testing::FileSizeOf(Path()), testing::IsOkAndHolds(size));
  EXPECT_THAT(Lines(), Contains(AllOf(HasSubstr("\"event\":\"webhook_journal_torn_tail\""),
                                      HasSubstr(absl::StrCat("\"offset\":", size)),
                                      HasSubstr("cut short"))));
  // Appending goes on after the cut.
  ASSERT_OK(journal->Record({Delivered(12, 13)}));
  journal.reset();
  ASSERT_OK_AND_ASSIGN(journal, Open());
  EXPECT_EQ(journal->Cursor(), 13u);
}

TEST_F(DeliveryJournalTest, ALastLineWithABadChecksumIsTornToo) {
  WriteSomeOfEverything();
  ASSERT_OK_AND_ASSIGN(const uint64_t size, testing::FileSizeOf(Path()));
  ASSERT_OK(testing::FlipByteAt(Path(), size - 3));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> journal, Open());
  // The last line was the retry of 9: it is gone, 9 is a dead letter again.
  EXPECT_EQ(journal->State().dead_letters.size(), 2u);
  EXPECT_THAT(Lines(), Contains(AllOf(HasSubstr("webhook_journal_torn_tail"),
                                      HasSubstr("checksum mismatch"))));
}

TEST_F(DeliveryJournalTest, DamageBeforeTheLastLineIsDataLossNamingTheLine) {
  WriteSomeOfEverything();
  ASSERT_OK_AND_ASSIGN(const std::string before, testing::ReadWholeFile(Path()));
  const size_t line3 = before.find('\n', before.find('\n') + 1) + 1;
  ASSERT_OK(testing::FlipByteAt(Path(), line3 + 20));
  ASSERT_OK_AND_ASSIGN(const std::string damaged, testing::ReadWholeFile(Path()));
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kDataLoss,
                               AllOf(HasSubstr(Path()), HasSubstr(": line 3 (byte "),
                                     HasSubstr(absl::StrCat(line3)), HasSubstr("checksum"))));
  // Nothing was changed: the damage is left for the operator to see.
  EXPECT_THAT(testing::ReadWholeFile(Path()), testing::IsOkAndHolds(damaged));
}

TEST_F(DeliveryJournalTest, AnImpossibleEventInTheFileIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> journal, Open());
  journal.reset();
  // A well-formed line, checksum and all, that retries an alert this journal never
  // dead-lettered: written by another journal, where it was valid.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> other, Open("scratch-endpoint", 0));
  ASSERT_OK(other->Record({Dead(3, 4)}));
  ASSERT_OK(other->Record({Retry(3)}));
  other.reset();
  ASSERT_OK_AND_ASSIGN(
      const std::string other_text,
      testing::ReadWholeFile(DeliveryJournal::PathFor(scratch_.path(), "scratch-endpoint")));
  const size_t retry_line = other_text.rfind('\n', other_text.size() - 2) + 1;
  ASSERT_OK(testing::AppendToFile(Path(), other_text.substr(retry_line)));
  ASSERT_OK(testing::AppendToFile(Path(), other_text.substr(retry_line)));
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kDataLoss,
                               AllOf(HasSubstr(": line 3 (byte "),
                                     HasSubstr("retry of alert 3, which is not dead-lettered"))));
}

TEST_F(DeliveryJournalTest, AnotherEndpointsJournalIsRefused) {
  ASSERT_OK(Open().status());
  ASSERT_OK(testing::WriteWholeFile(DeliveryJournal::PathFor(scratch_.path(), "pager"),
                                    *testing::ReadWholeFile(Path())));
  EXPECT_THAT(Open("pager"),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("the journal of endpoint \"on-call\", not \"pager\"")));
  ASSERT_OK(testing::WriteWholeFile(Path(), "0000 hello\n"));
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("line 1")));
}

TEST_F(DeliveryJournalTest, AnEventThatDoesNotFitIsRefusedAndNothingIsWritten) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> journal, Open());
  ASSERT_OK_AND_ASSIGN(const uint64_t size, testing::FileSizeOf(Path()));
  EXPECT_THAT(journal->Record({Retry(5)}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not dead-lettered")));
  ASSERT_OK(journal->Record({Dead(5, 6)}));
  EXPECT_THAT(journal->Record({Retry(5), Retry(5)}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_OK(journal->status());
  EXPECT_GT(*testing::FileSizeOf(Path()), size);
  EXPECT_THAT(journal->State().retries, IsEmpty());
}

TEST_F(DeliveryJournalTest, TheCursorForgetsAttemptsItPassedButNotThoseOfRetries) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> journal, Open("on-call", 0));
  ASSERT_OK(journal->Record({Dead(3, 4), Retry(3), Attempt(3, 1, 1700000000000, "HTTP 500")}));
  ASSERT_OK(journal->Record({Attempt(6, 2, 1700000000000, "HTTP 500")}));
  // The routing changed: alert 6 is no longer this endpoint's.
  ASSERT_OK(journal->Record({CursorEvent(9)}));
  EXPECT_THAT(journal->State().attempts, ElementsAre(Pair(3, ::testing::_)));
  ASSERT_OK(journal->Record({Dead(3, 9), Retry(3)}));
  EXPECT_THAT(journal->State().attempts, IsEmpty());  // A retry starts afresh.
}

TEST_F(DeliveryJournalTest, CompactionRewritesTheFileAndKeepsTheState) {
  options_.compact_after_bytes = 2048;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> journal, Open("on-call", 0));
    for (uint64_t batch = 0; batch < 20; ++batch) {
      std::vector<DeliveryEvent> delivered;
      for (uint64_t seq = batch * 10; seq < batch * 10 + 10; ++seq) {
        delivered.push_back(Delivered(seq, seq + 1));
      }
      ASSERT_OK(journal->Record(delivered));
    }
    ASSERT_OK(journal->Record({Dead(200, 201)}));
    ASSERT_OK(journal->Record({Attempt(201, 3, 1700000000000, "HTTP 429")}));
    EXPECT_LT(*testing::FileSizeOf(Path()), 4 * 2048u);
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> journal, Open("on-call", 0));
  const DeliveryState state = journal->State();
  EXPECT_EQ(state.cursor, 201u);
  EXPECT_THAT(state.dead_letters, ElementsAre(Pair(200, ::testing::_)));
  EXPECT_EQ(state.attempts.at(201).attempts, 3u);
  EXPECT_THAT(testing::ListDir(scratch_.path()),
              testing::IsOkAndHolds(ElementsAre("on-call.journal")));
}

TEST_F(DeliveryJournalTest, AFailedSyncStopsTheJournalForGood) {
  testing::FaultInjectionEnv env;
  options_.env = &env;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DeliveryJournal> journal, Open());
  env.FailNextOnPath(testing::OpKind::kSync, "on-call.journal", testing::FaultMode::kWithoutEffect);
  const absl::Status failed = journal->Record({Delivered(5, 6)});
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kInternal,
                               AllOf(HasSubstr(Path()), HasSubstr("journal write failed"),
                                     HasSubstr("injected fault"))));
  // Not applied, and never retried.
  EXPECT_EQ(journal->Cursor(), 5u);
  EXPECT_EQ(journal->Record({Delivered(5, 6)}), failed);
  EXPECT_EQ(journal->status(), failed);
}

}  // namespace
}  // namespace sealtrail
