// WebhookDispatcher across restarts and under pressure, against a real HTTPS receiver: a
// restart mid-delivery loses nothing and repeats only with the same webhook-id; a torn journal
// line is repaired and reported; a damaged journal silences only its own endpoint; a full queue
// is counted and reported once while everything is still delivered, in order; a failed journal
// sync stops the endpoint and is reported.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/webhook/delivery_journal.h"
#include "server/webhook/webhook_dispatcher.h"
#include "testing/fault_env.h"
#include "testing/file_util.h"
#include "testing/status_matchers.h"
#include "webhook_testing/delivery_fixture.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::ReceivedWebhook;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;

class WebhookRestartTest : public testing::DeliveryFixture {
 protected:
  void SetUp() override { receiver_->Start(); }

  std::string JournalPath(const std::string& endpoint) {
    return DeliveryJournal::PathFor(Options().state_dir, endpoint);
  }
  std::vector<std::string> IdsOf(uint64_t first, uint64_t end) {
    std::vector<std::string> ids;
    for (uint64_t seq = first; seq < end; ++seq) ids.push_back(IdOf(seq));
    return ids;
  }
};

TEST_F(WebhookRestartTest, ARestartLosesNothingAndRepeatsOnlyWithTheSameWebhookId) {
  // The third alert's first copy is held by the receiver when the dispatcher goes away.
  receiver_->SetBehaviour([this](const ReceivedWebhook& request, int) {
    if (request.webhook_id == IdOf(2) && receiver_->Arrived() <= 3) {
      receiver_->Held(absl::Seconds(20));
    }
    return 204;
  });
  StartDispatcher({Endpoint("siem", *receiver_)});
  for (int i = 0; i < 5; ++i) Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return receiver_->Arrived() == 3; }));
  StopDispatcher();
  receiver_->Release();  // The held copy is answered after the sender had gone.

  StartDispatcher({Endpoint("siem", *receiver_)});
  Raise("mass-export");
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").delivered == 5; }));

  std::map<std::string, std::set<std::string>> bodies_by_id;
  std::map<std::string, int> copies;
  for (const ReceivedWebhook& received : receiver_->Received()) {
    EXPECT_TRUE(received.v1_valid) << received.webhook_id;
    bodies_by_id[received.webhook_id].insert(received.body);
    ++copies[received.webhook_id];
  }
  // Every alert arrived; the one in flight at the restart twice, under one id with one body;
  // the ones delivered before it were not sent again.
  EXPECT_EQ(bodies_by_id.size(), 7u);
  for (const auto& [id, bodies] : bodies_by_id) EXPECT_THAT(bodies, SizeIs(1)) << id;
  EXPECT_THAT(copies,
              ElementsAre(Pair(IdOf(0), 1), Pair(IdOf(1), 1), Pair(IdOf(2), 2), Pair(IdOf(3), 1),
                          Pair(IdOf(4), 1), Pair(IdOf(5), 1), Pair(IdOf(6), 1)));
  EXPECT_EQ(StatsOf("siem").cursor, 7u);
}

TEST_F(WebhookRestartTest, AFailedAttemptsClockSurvivesARestart) {
  receiver_->SetBehaviour([](const ReceivedWebhook&, int) { return 500; });
  WebhookEndpoint endpoint = Endpoint("pager", *receiver_);
  endpoint.dead_letter_after = absl::Milliseconds(800);
  StartDispatcher({endpoint});
  const uint64_t seq = Raise("page.denied-burst");
  ASSERT_TRUE(Eventually([&] { return StatsOf("pager").failed_attempts >= 1; }));
  dispatcher_->Stop();
  const std::vector<WebhookDeliveryEntry> pending = ListOf("pager").pending;
  StopDispatcher();
  ASSERT_THAT(pending, SizeIs(1));
  const int64_t first_attempt = pending[0].first_attempt_unix_ms;
  ASSERT_GT(first_attempt, 0);

  StartDispatcher({endpoint});
  ASSERT_TRUE(Eventually([&] { return StatsOf("pager").dead_lettered == 1; }));
  const WebhookEndpointDeliveries list = ListOf("pager");
  ASSERT_THAT(list.dead_letters, SizeIs(1));
  EXPECT_EQ(list.dead_letters[0].seq, seq);
  // dead_letter_after ran from the attempt before the restart.
  EXPECT_EQ(list.dead_letters[0].first_attempt_unix_ms, first_attempt);
  StopDispatcher();
  StartDispatcher({endpoint});
  EXPECT_THAT(ListOf("pager").dead_letters, SizeIs(1));  // Dead letters are durable too.
}

TEST_F(WebhookRestartTest, ATornJournalLineIsCutAndReportedAndNothingIsLost) {
  StartDispatcher({Endpoint("siem", *receiver_)});
  Raise("mass-export");
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").delivered == 2; }));
  StopDispatcher();
  // A crash while appending the record of the next delivery.
  ASSERT_OK(testing::AppendToFile(JournalPath("siem"), "5f3c0a12 {\"t\":\"delivered\",\"se"));

  StartDispatcher({Endpoint("siem", *receiver_)});
  EXPECT_THAT(events_.Named("webhook_journal_torn_tail"),
              ElementsAre(AllOf(HasSubstr("\"endpoint\":\"siem\""), HasSubstr("cut short"))));
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").delivered == 1; }));
  EXPECT_THAT(receiver_->AcceptedIds(), ElementsAreArray(IdsOf(0, 3)));
  EXPECT_OK(StatsOf("siem").status);
}

TEST_F(WebhookRestartTest, ADamagedJournalStopsOnlyItsEndpointAndSaysWhere) {
  std::unique_ptr<testing::WebhookReceiver> other = NewReceiver();
  other->Start();
  StartDispatcher({Endpoint("siem", *receiver_), Endpoint("pager", *other)});
  for (int i = 0; i < 3; ++i) Raise("mass-export");
  ASSERT_TRUE(Eventually(
      [&] { return StatsOf("siem").delivered == 3 && StatsOf("pager").delivered == 3; }));
  StopDispatcher();
  ASSERT_OK_AND_ASSIGN(const std::string journal, testing::ReadWholeFile(JournalPath("siem")));
  const size_t line3 = journal.find('\n', journal.find('\n') + 1) + 1;
  ASSERT_OK(testing::FlipByteAt(JournalPath("siem"), line3 + 12));

  StartDispatcher({Endpoint("siem", *receiver_), Endpoint("pager", *other)});
  const WebhookEndpointStats siem = StatsOf("siem");
  EXPECT_THAT(siem.status, StatusIs(absl::StatusCode::kDataLoss,
                                    AllOf(HasSubstr(JournalPath("siem")), HasSubstr("line 3"))));
  EXPECT_THAT(ListOf("siem").status, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(events_.Named("webhook_endpoint_unusable"),
              ElementsAre(AllOf(HasSubstr("\"endpoint\":\"siem\""), HasSubstr("DATA_LOSS"))));
  EXPECT_THAT(dispatcher_->Retry("siem", std::nullopt),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is not delivering")));
  // The other endpoint goes on.
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("pager").delivered == 1; }));
  EXPECT_THAT(other->AcceptedIds(), ElementsAreArray(IdsOf(0, 4)));
  StopDispatcher();
  other->Stop();
}

TEST_F(WebhookRestartTest, AFullQueueIsCountedAndReportedOnceAndEverythingStillArrivesInOrder) {
  bool failing = true;
  absl::Mutex mu;
  receiver_->SetBehaviour([&](const ReceivedWebhook&, int) {
    absl::MutexLock lock(&mu);
    return failing ? 503 : 204;
  });
  WebhookEndpoint endpoint = Endpoint("siem", *receiver_);
  endpoint.max_queue = 3;
  WebhookDispatcherOptions options = Options();
  options.feed_batch = 4;  // Several reads to take in the backlog.
  StartDispatcher({endpoint}, options);
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").failed_attempts >= 1; }));
  for (int i = 1; i < 20; ++i) Raise("mass-export");
  // Counted while the receiver is still failing: 3 fit the queue, 17 wait in the log.
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").overflowed == 17; }));
  WebhookEndpointStats stats = StatsOf("siem");
  EXPECT_TRUE(stats.overflowing);
  EXPECT_EQ(stats.overflow_episodes, 1u);
  EXPECT_EQ(stats.queue_depth, 3u);
  ASSERT_THAT(Overflows(), SizeIs(1));
  EXPECT_EQ(Overflows()[0].first, "siem");
  EXPECT_GE(Overflows()[0].second, 1u);
  EXPECT_THAT(events_.Named("webhook_queue_overflow"), SizeIs(1));
  const WebhookEndpointDeliveries list = ListOf("siem");
  EXPECT_THAT(list.pending, SizeIs(3));
  EXPECT_TRUE(list.more_pending);

  {
    absl::MutexLock lock(&mu);
    failing = false;
  }
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").delivered == 20; }));
  EXPECT_THAT(receiver_->AcceptedIds(), ElementsAreArray(IdsOf(0, 20)));
  stats = StatsOf("siem");
  EXPECT_FALSE(stats.overflowing);
  EXPECT_EQ(stats.overflowed, 17u);  // Each deferred alert counted once.
  EXPECT_EQ(stats.overflow_episodes, 1u);
  EXPECT_FALSE(ListOf("siem").more_pending);

  // A second burst is a second episode.
  {
    absl::MutexLock lock(&mu);
    failing = true;
  }
  for (int i = 0; i < 5; ++i) Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").overflow_episodes == 2; }));
  EXPECT_THAT(Overflows(), SizeIs(2));
}

TEST_F(WebhookRestartTest, AFailedJournalSyncStopsTheEndpointAndIsReported) {
  testing::FaultInjectionEnv env;
  WebhookDispatcherOptions options = Options();
  options.env = &env;
  StartDispatcher({Endpoint("siem", *receiver_)}, options);
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").delivered == 1; }));
  env.FailNextOnPath(testing::OpKind::kSync, "siem.journal", testing::FaultMode::kWithoutEffect);
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return !StatsOf("siem").status.ok(); }));
  EXPECT_THAT(StatsOf("siem").status,
              StatusIs(absl::StatusCode::kInternal,
                       AllOf(HasSubstr("journal write failed"), HasSubstr("injected fault"))));
  EXPECT_THAT(events_.Named("webhook_worker_stopped"), ElementsAre(HasSubstr("injected fault")));
  // A restart recovers from what the journal holds (the unsynced line may or may not be there;
  // without it, alert 1 is sent again under the same id) and goes on.
  StopDispatcher();
  StartDispatcher({Endpoint("siem", *receiver_)});
  EXPECT_OK(StatsOf("siem").status);
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").cursor == 3; }));
  std::vector<std::string> accepted = receiver_->AcceptedIds();
  accepted.erase(std::unique(accepted.begin(), accepted.end()), accepted.end());
  EXPECT_THAT(accepted, ElementsAre(IdOf(0), IdOf(1), IdOf(2)));
}

}  // namespace
}  // namespace sealtrail
