// WebhookDispatcher (server/webhook/webhook_dispatcher.h) against a real HTTPS receiver on
// 127.0.0.1 that checks every signature itself: signed delivery, a receiver that is down, slow,
// or failing and then recovers, dead letters and Retry, a certificate from the wrong CA,
// per-rule routing, feed errors, and Stop and Notify that never wait for a receiver.
#include <future>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/webhook/webhook_dispatcher.h"
#include "testing/file_util.h"
#include "testing/status_matchers.h"
#include "webhook_testing/delivery_fixture.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::ReceivedWebhook;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

class WebhookDeliveryTest : public testing::DeliveryFixture {
 protected:
  void SetUp() override { receiver_->Start(); }

  bool Delivered(const std::string& endpoint, uint64_t count) {
    return Eventually([&] { return StatsOf(endpoint).delivered >= count; });
  }
};

TEST_F(WebhookDeliveryTest, EachAlertArrivesOnceInOrderSignedAsStandardWebhooks) {
  WebhookEndpoint endpoint = Endpoint("siem", *receiver_);
  endpoint.ed25519 = true;
  StartDispatcher({endpoint});
  const uint64_t first = Raise("mass-export");
  const uint64_t second = Raise("denied-burst", "medium");
  const uint64_t third = Raise("integrity.violation", "critical");
  ASSERT_TRUE(Delivered("siem", 3));

  EXPECT_THAT(receiver_->AcceptedIds(), ElementsAre(IdOf(first), IdOf(second), IdOf(third)));
  const std::vector<ReceivedWebhook> received = receiver_->Received();
  ASSERT_THAT(received, SizeIs(3));
  EXPECT_THAT(received, Each(AllOf(Field(&ReceivedWebhook::v1_valid, true),
                                   Field(&ReceivedWebhook::v1a_valid, true),
                                   Field(&ReceivedWebhook::fresh, true),
                                   Field(&ReceivedWebhook::content_type, "application/json"))));
  EXPECT_EQ(received[2].webhook_id, "msg_test_2");
  EXPECT_EQ(received[2].body, testing::FakeAlertFeed::BodyOf(
                                  PendingAlert{third, "integrity.violation", "critical", "acme"}));
  const WebhookEndpointStats stats = StatsOf("siem");
  EXPECT_EQ(stats.failed_attempts, 0u);
  EXPECT_EQ(stats.cursor, third + 1);
  EXPECT_EQ(events_.Named("webhook_delivered").size(), 3u);
  EXPECT_THAT(ListOf("siem").pending, IsEmpty());
}

TEST_F(WebhookDeliveryTest, AReceiverThatIsDownGetsTheAlertOnceItComesUp) {
  const int port = receiver_->port();
  const std::string url = receiver_->Url();
  receiver_->Stop();  // Nothing listens on the port now.
  StartDispatcher({Endpoint("siem", *receiver_)});
  const uint64_t seq = Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").failed_attempts >= 2; }));
  EXPECT_THAT(StatsOf("siem").last_error, HasSubstr("Couldn't connect"));
  EXPECT_THAT(ListOf("siem").pending,
              ElementsAre(AllOf(Field(&WebhookDeliveryEntry::seq, seq),
                                Field(&WebhookDeliveryEntry::attempts, ::testing::Ge(2u)),
                                Field(&WebhookDeliveryEntry::last_error, HasSubstr("connect")))));

  receiver_->Start(port);
  ASSERT_TRUE(Delivered("siem", 1));
  EXPECT_THAT(receiver_->AcceptedIds(), ElementsAre(IdOf(seq)));
  EXPECT_THAT(events_.Named("webhook_attempt_failed"), Not(IsEmpty()));
}

TEST_F(WebhookDeliveryTest, ASlowReceiverTimesOutAndGetsTheAlertWhenItAnswersInTime) {
  receiver_->SetBehaviour([this](const ReceivedWebhook&, int index) {
    if (index == 0) receiver_->Held(absl::Seconds(2));  // Beyond the 300ms timeout.
    return 204;
  });
  WebhookEndpoint endpoint = Endpoint("siem", *receiver_);
  endpoint.timeout = absl::Milliseconds(300);
  StartDispatcher({endpoint});
  const uint64_t seq = Raise("mass-export");
  ASSERT_TRUE(Delivered("siem", 1));
  const WebhookEndpointStats stats = StatsOf("siem");
  EXPECT_EQ(stats.failed_attempts, 1u);
  EXPECT_THAT(stats.last_error, HasSubstr("Timeout was reached"));
  receiver_->Release();
  // The slow answer came after the sender had given up; every copy carries the same id.
  ASSERT_TRUE(
      receiver_->WaitFor([](const auto& all) { return all.size() == 2; }, absl::Seconds(5)));
  EXPECT_THAT(receiver_->Received(), Each(Field(&ReceivedWebhook::webhook_id, IdOf(seq))));
}

TEST_F(WebhookDeliveryTest, A500IsRetriedWithTheSameIdUntilTheReceiverRecovers) {
  receiver_->SetBehaviour([](const ReceivedWebhook&, int index) { return index < 3 ? 500 : 200; });
  StartDispatcher({Endpoint("siem", *receiver_)});
  const uint64_t seq = Raise("mass-export");
  ASSERT_TRUE(Delivered("siem", 1));
  EXPECT_EQ(StatsOf("siem").failed_attempts, 3u);
  EXPECT_THAT(StatsOf("siem").last_error, HasSubstr("HTTP 500"));
  const std::vector<ReceivedWebhook> received = receiver_->Received();
  ASSERT_THAT(received, SizeIs(4));
  EXPECT_THAT(received, Each(AllOf(Field(&ReceivedWebhook::webhook_id, IdOf(seq)),
                                   Field(&ReceivedWebhook::v1_valid, true))));
  EXPECT_THAT(ListOf("siem").pending, IsEmpty());
}

TEST_F(WebhookDeliveryTest, AnAlertIsDeadLetteredAfterItsTimeAndRetryDeliversIt) {
  receiver_->SetBehaviour([](const ReceivedWebhook&, int) { return 503; });
  WebhookEndpoint endpoint = Endpoint("pager", *receiver_);
  endpoint.dead_letter_after = absl::Milliseconds(300);
  StartDispatcher({endpoint});
  const uint64_t first = Raise("page.denied-burst");
  const uint64_t second = Raise("page.escalation");
  ASSERT_TRUE(Eventually([&] { return StatsOf("pager").dead_lettered == 2; }));
  const WebhookEndpointDeliveries list = ListOf("pager");
  EXPECT_THAT(list.pending, IsEmpty());
  ASSERT_THAT(list.dead_letters, SizeIs(2));
  EXPECT_EQ(list.dead_letters[0].seq, first);
  EXPECT_EQ(list.dead_letters[0].webhook_id, IdOf(first));
  EXPECT_EQ(list.dead_letters[0].rule_id, "page.denied-burst");
  EXPECT_GE(list.dead_letters[0].attempts, 2u);
  EXPECT_THAT(list.dead_letters[0].last_error, HasSubstr("HTTP 503"));
  EXPECT_GE(list.dead_letters[0].dead_lettered_unix_ms - list.dead_letters[0].first_attempt_unix_ms,
            300);
  EXPECT_THAT(events_.Named("webhook_dead_lettered"), SizeIs(2));
  EXPECT_EQ(StatsOf("pager").dead_letters, 2u);

  receiver_->SetBehaviour([](const ReceivedWebhook&, int) { return 204; });
  EXPECT_THAT(dispatcher_->Retry("pager", second), testing::IsOkAndHolds(1u));
  ASSERT_TRUE(Delivered("pager", 1));
  EXPECT_THAT(receiver_->AcceptedIds(), ElementsAre(IdOf(second)));
  EXPECT_THAT(dispatcher_->Retry("pager", second),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("not a dead letter")));
  EXPECT_THAT(dispatcher_->Retry("pager", std::nullopt), testing::IsOkAndHolds(1u));
  ASSERT_TRUE(Delivered("pager", 2));
  EXPECT_THAT(receiver_->AcceptedIds(), ElementsAre(IdOf(second), IdOf(first)));
  EXPECT_THAT(ListOf("pager").dead_letters, IsEmpty());
  EXPECT_THAT(dispatcher_->Retry("pager", std::nullopt), testing::IsOkAndHolds(0u));
  EXPECT_THAT(dispatcher_->Retry("nobody", std::nullopt),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no webhook endpoint \"nobody\"")));
}

TEST_F(WebhookDeliveryTest, ACertificateFromAnotherCaIsNeverTrusted) {
  testing::TestCa other("some-other-ca");
  const std::string other_ca = scratch_.Sub("other-ca.pem");
  ASSERT_OK(testing::WriteWholeFile(other_ca, other.cert_pem()));
  WebhookEndpoint endpoint = Endpoint("siem", *receiver_);
  endpoint.ca_file = other_ca;
  endpoint.dead_letter_after = absl::Milliseconds(200);
  StartDispatcher({endpoint});
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").dead_lettered == 1; }));
  EXPECT_EQ(receiver_->Arrived(), 0);  // The handshake failed: no request was ever sent.
  EXPECT_EQ(StatsOf("siem").delivered, 0u);
  ASSERT_THAT(ListOf("siem").dead_letters, SizeIs(1));
  EXPECT_THAT(ListOf("siem").dead_letters[0].last_error, HasSubstr("certificate"));
}

TEST_F(WebhookDeliveryTest, EachEndpointGetsOnlyTheRulesRoutedToIt) {
  const std::string pager_secret = testing::NewWebhookSecret();
  std::unique_ptr<testing::WebhookReceiver> pager = NewReceiver(pager_secret);
  pager->Start();
  WebhookEndpoint identity = Endpoint("identity-platform", *receiver_);
  identity.route.rules = {"lock-account.*"};
  WebhookEndpoint on_call = Endpoint("on-call", *pager);
  on_call.hmac_key = testing::HmacKeyOfSecret(pager_secret);
  on_call.route.rules = {"page.*"};
  on_call.route.min_severity = AlertSeverity::kCritical;
  StartDispatcher({identity, on_call});

  const uint64_t lock = Raise("lock-account.mass-export", "high");
  const uint64_t page = Raise("page.denied-burst", "medium");
  const uint64_t neither = Raise("after-hours.login", "low");
  const uint64_t integrity = Raise("integrity.violation", "critical");
  const uint64_t lock_too = Raise("lock-account.escalation", "high");
  ASSERT_TRUE(Delivered("identity-platform", 2));
  ASSERT_TRUE(Delivered("on-call", 2));
  dispatcher_->Notify();
  ASSERT_TRUE(Eventually([&] {
    return StatsOf("on-call").cursor > lock_too && StatsOf("identity-platform").cursor > lock_too;
  }));
  EXPECT_THAT(receiver_->AcceptedIds(), ElementsAre(IdOf(lock), IdOf(lock_too)));
  // Each endpoint signs with its own secret: the pager's receiver checks the pager's.
  EXPECT_THAT(pager->AcceptedIds(), ElementsAre(IdOf(page), IdOf(integrity)));
  (void)neither;
  StopDispatcher();  // First: its kept-alive connections would hold the receiver's Stop.
  pager->Stop();
}

TEST_F(WebhookDeliveryTest, FeedErrorsAreCountedReportedOnceAndRetried) {
  feed_.FailAlertsFrom(absl::UnavailableError("the index is catching up"), 3);
  StartDispatcher({Endpoint("siem", *receiver_)});
  const uint64_t seq = Raise("mass-export");
  ASSERT_TRUE(Delivered("siem", 1));
  EXPECT_THAT(receiver_->AcceptedIds(), ElementsAre(IdOf(seq)));
  EXPECT_EQ(StatsOf("siem").feed_errors, 3u);
  EXPECT_THAT(events_.Named("webhook_feed_error"),
              ElementsAre(HasSubstr("the index is catching up")));
}

TEST_F(WebhookDeliveryTest, StartRefusesWhatItCannotHonour) {
  WebhookConfig config;
  config.endpoints = {Endpoint("siem", *receiver_)};
  config.endpoints[0].ed25519 = true;
  WebhookDispatcherOptions options = Options();
  options.ed25519_key = nullptr;
  EXPECT_THAT(WebhookDispatcher::Start(options, config, &feed_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("test:siem: endpoint \"siem\" asks for ed25519"),
                             HasSubstr("no signing key"))));
  options = Options();
  options.webhook_id_prefix = "log.1";
  EXPECT_THAT(WebhookDispatcher::Start(options, config, &feed_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"log.1\"")));
  options = Options();
  options.events = nullptr;
  EXPECT_THAT(WebhookDispatcher::Start(options, config, &feed_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("EventLog")));

  StartDispatcher(config.endpoints);
  absl::StatusOr<std::unique_ptr<WebhookDispatcher>> second =
      WebhookDispatcher::Start(Options(), config, &feed_);
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(IsLockHeldError(second.status()));
}

TEST_F(WebhookDeliveryTest, StopDoesNotWaitForAReceiverThatNeverAnswers) {
  receiver_->SetBehaviour([this](const ReceivedWebhook&, int) {
    receiver_->Held(absl::Seconds(20));
    return 204;
  });
  WebhookEndpoint endpoint = Endpoint("siem", *receiver_);
  endpoint.timeout = absl::Seconds(30);
  StartDispatcher({endpoint});
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return receiver_->Arrived() == 1; }));
  std::future<void> stopped = std::async(std::launch::async, [&] { dispatcher_->Stop(); });
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(5)), std::future_status::ready)
      << "Stop waited for the receiver";
  receiver_->Release();
  stopped.wait();
  // An aborted request is not an attempt: it is simply sent again after a restart.
  EXPECT_EQ(StatsOf("siem").failed_attempts, 0u);
  EXPECT_THAT(ListOf("siem").pending, SizeIs(1));
}

TEST_F(WebhookDeliveryTest, StopDoesNotWaitOutABackoff) {
  receiver_->SetBehaviour([](const ReceivedWebhook&, int) { return 500; });
  WebhookEndpoint endpoint = Endpoint("siem", *receiver_);
  endpoint.initial_backoff = absl::Seconds(60);
  endpoint.max_backoff = absl::Seconds(60);
  StartDispatcher({endpoint});
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return StatsOf("siem").failed_attempts == 1; }));
  std::future<void> stopped = std::async(std::launch::async, [&] { dispatcher_->Stop(); });
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(5)), std::future_status::ready)
      << "Stop waited out the backoff";
}

TEST_F(WebhookDeliveryTest, NotifyNeverWaitsForASlowReceiver) {
  receiver_->SetBehaviour([this](const ReceivedWebhook&, int index) {
    if (index == 0) receiver_->Held(absl::Seconds(20));
    return 204;
  });
  WebhookEndpoint endpoint = Endpoint("siem", *receiver_);
  endpoint.timeout = absl::Seconds(30);
  StartDispatcher({endpoint});
  Raise("mass-export");
  ASSERT_TRUE(Eventually([&] { return receiver_->Arrived() == 1; }));
  std::future<void> notified = std::async(std::launch::async, [&] {
    for (int i = 0; i < 50; ++i) Raise("mass-export");
  });
  EXPECT_EQ(notified.wait_for(std::chrono::seconds(5)), std::future_status::ready)
      << "Notify waited for the receiver";
  receiver_->Release();
  notified.wait();
  ASSERT_TRUE(Delivered("siem", 51));
}

}  // namespace
}  // namespace sealtrail
