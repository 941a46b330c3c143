#include "webhook_testing/delivery_fixture.h"

#include "absl/time/clock.h"
#include "server/webhook/endpoint_worker.h"
#include "testing/file_util.h"

namespace sealtrail::testing {

DeliveryFixture::DeliveryFixture()
    : server_cert_(ca_.IssueServer("127.0.0.1")),
      ca_file_(scratch_.Sub("ca.pem")),
      secret_(NewWebhookSecret()) {
  EXPECT_TRUE(WriteWholeFile(ca_file_, ca_.cert_pem()).ok());
  absl::StatusOr<Ed25519WebhookKey> key =
      Ed25519WebhookKey::FromSeed(std::string("0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(key.ok()) << key.status();
  if (key.ok()) ed25519_key_.emplace(*std::move(key));
  receiver_ = NewReceiver();
}

DeliveryFixture::~DeliveryFixture() { StopDispatcher(); }

std::unique_ptr<WebhookReceiver> DeliveryFixture::NewReceiver(const std::string& secret) {
  const std::string dir = scratch_.Sub("receiver-" + std::to_string(++receivers_));
  EXPECT_TRUE(Env::Default()->CreateDir(dir).ok());
  return std::make_unique<WebhookReceiver>(
      dir, server_cert_.cert, server_cert_.key, HmacKeyOfSecret(secret.empty() ? secret_ : secret),
      ed25519_key_.has_value() ? std::optional<std::string>(ed25519_key_->public_key())
                               : std::nullopt);
}

WebhookEndpoint DeliveryFixture::Endpoint(const std::string& id,
                                          const WebhookReceiver& receiver) const {
  WebhookEndpoint endpoint;
  endpoint.id = id;
  endpoint.url = receiver.Url();
  endpoint.hmac_key = HmacKeyOfSecret(secret_);
  endpoint.ca_file = ca_file_;
  endpoint.timeout = absl::Seconds(2);
  endpoint.initial_backoff = absl::Milliseconds(20);
  endpoint.max_backoff = absl::Milliseconds(100);
  endpoint.dead_letter_after = absl::Seconds(30);
  endpoint.max_queue = 1000;
  endpoint.defined_at = "test:" + id;
  return endpoint;
}

WebhookDispatcherOptions DeliveryFixture::Options() {
  WebhookDispatcherOptions options;
  options.events = events_.log();
  options.state_dir = scratch_.Sub("webhooks");
  options.webhook_id_prefix = kIdPrefix;
  options.ed25519_key = ed25519_key_.has_value() ? &*ed25519_key_ : nullptr;
  options.on_overflow = [this](const std::string& endpoint, uint64_t deferred) {
    absl::MutexLock lock(&mu_);
    overflows_.emplace_back(endpoint, deferred);
  };
  return options;
}

void DeliveryFixture::StartDispatcher(std::vector<WebhookEndpoint> endpoints,
                                      std::optional<WebhookDispatcherOptions> options) {
  WebhookConfig config;
  config.endpoints = std::move(endpoints);
  absl::StatusOr<std::unique_ptr<WebhookDispatcher>> started =
      WebhookDispatcher::Start(options.has_value() ? *options : Options(), config, &feed_);
  ASSERT_TRUE(started.ok()) << started.status();
  dispatcher_ = *std::move(started);
}

void DeliveryFixture::StopDispatcher() { dispatcher_.reset(); }

uint64_t DeliveryFixture::Raise(const std::string& rule_id, const std::string& severity) {
  const uint64_t seq = feed_.Add(rule_id, severity);
  if (dispatcher_ != nullptr) dispatcher_->Notify();
  return seq;
}

bool DeliveryFixture::Eventually(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

WebhookEndpointStats DeliveryFixture::StatsOf(const std::string& endpoint_id) const {
  for (const WebhookEndpointStats& stats : dispatcher_->Stats()) {
    if (stats.endpoint == endpoint_id) return stats;
  }
  ADD_FAILURE() << "no endpoint " << endpoint_id;
  return {};
}

WebhookEndpointDeliveries DeliveryFixture::ListOf(const std::string& endpoint_id) const {
  for (const WebhookEndpointDeliveries& list : dispatcher_->List()) {
    if (list.endpoint == endpoint_id) return list;
  }
  ADD_FAILURE() << "no endpoint " << endpoint_id;
  return {};
}

std::string DeliveryFixture::IdOf(uint64_t seq) { return WebhookIdFor(kIdPrefix, seq); }

std::vector<std::pair<std::string, uint64_t>> DeliveryFixture::Overflows() const {
  absl::MutexLock lock(&mu_);
  return overflows_;
}

}  // namespace sealtrail::testing
