// DeliveryFixture: what the webhook delivery tests share: a test CA and a server certificate
// for 127.0.0.1, an endpoint secret, an Ed25519 key, a real HTTPS receiver, an in-memory alert
// feed, captured events, and a dispatcher over them with short timings (backoff in tens of
// milliseconds) so that every scenario ends in well under a second.
#ifndef SEALTRAIL_TESTS_WEBHOOK_TESTING_DELIVERY_FIXTURE_H_
#define SEALTRAIL_TESTS_WEBHOOK_TESTING_DELIVERY_FIXTURE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/webhook/webhook_dispatcher.h"
#include "server_testing/test_certs.h"
#include "testing/scratch_dir.h"
#include "webhook_testing/captured_events.h"
#include "webhook_testing/fake_alert_feed.h"
#include "webhook_testing/webhook_receiver.h"

namespace sealtrail::testing {

class DeliveryFixture : public ::testing::Test {
 protected:
  static constexpr char kIdPrefix[] = "test";

  DeliveryFixture();
  ~DeliveryFixture() override;

  // A receiver with the fixture's certificate that checks the fixture's secret (and Ed25519
  // key); `secret` overrides the secret it checks.
  std::unique_ptr<WebhookReceiver> NewReceiver(const std::string& secret = "");
  // An endpoint posting to `receiver` with the fixture's secret and CA: timeout 2s, backoff
  // 20ms..100ms, dead_letter_after 30s, max_queue 1000.
  WebhookEndpoint Endpoint(const std::string& id, const WebhookReceiver& receiver) const;
  WebhookDispatcherOptions Options();
  // Starts dispatcher_ (fails the test if it cannot), with `options` or Options().
  void StartDispatcher(std::vector<WebhookEndpoint> endpoints,
                       std::optional<WebhookDispatcherOptions> options = std::nullopt);
  void StopDispatcher();

  // Adds an alert to the feed and notifies the dispatcher, if running.
  uint64_t Raise(const std::string& rule_id, const std::string& severity = "high");
  // Polls `done` every 10ms for at most `timeout`; whether it came true.
  static bool Eventually(const std::function<bool()>& done,
                         absl::Duration timeout = absl::Seconds(10));
  WebhookEndpointStats StatsOf(const std::string& endpoint_id) const;
  WebhookEndpointDeliveries ListOf(const std::string& endpoint_id) const;
  static std::string IdOf(uint64_t seq);
  std::vector<std::pair<std::string, uint64_t>> Overflows() const;

  ScratchDir scratch_{"webhook_delivery_test"};
  TestCa ca_{"webhook-test-ca"};
  const PemPair server_cert_;
  const std::string ca_file_;
  const std::string secret_;
  std::optional<Ed25519WebhookKey> ed25519_key_;
  FakeAlertFeed feed_;
  CapturedEvents events_;
  std::unique_ptr<WebhookReceiver> receiver_;

 private:
  int receivers_ = 0;
  mutable absl::Mutex mu_;
  std::vector<std::pair<std::string, uint64_t>> overflows_ ABSL_GUARDED_BY(mu_);

 protected:
  // Last: stopped before the receiver and the feed go away.
  std::unique_ptr<WebhookDispatcher> dispatcher_;
};

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_WEBHOOK_TESTING_DELIVERY_FIXTURE_H_
