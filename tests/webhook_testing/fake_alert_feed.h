// FakeAlertFeed: an in-memory AlertFeed (server/webhook/alert_feed.h) for the webhook tests.
// Alerts are added with increasing sequence numbers (gaps allowed, as between the alert records
// of a real log); Body is a small JSON object naming the alert. Errors can be injected.
//
// Thread-safety: every method may be called concurrently.
#ifndef SEALTRAIL_TESTS_WEBHOOK_TESTING_FAKE_ALERT_FEED_H_
#define SEALTRAIL_TESTS_WEBHOOK_TESTING_FAKE_ALERT_FEED_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "server/webhook/alert_feed.h"

namespace sealtrail::testing {

class FakeAlertFeed : public AlertFeed {
 public:
  // Adds an alert at the next seq (one past the last, plus `gap`) and returns its seq.
  uint64_t Add(const std::string& rule_id, const std::string& severity = "high",
               const std::string& tenant = "acme", uint64_t gap = 0);
  // The next `count` AlertsFrom calls fail with `error`.
  void FailAlertsFrom(absl::Status error, int count);

  absl::StatusOr<std::vector<PendingAlert>> AlertsFrom(uint64_t first_seq, size_t limit) override;
  absl::StatusOr<std::string> Body(const PendingAlert& alert) override;

  // {"alert":{"seq":N,"rule":"R","severity":"S","tenant":"T"}}
  static std::string BodyOf(const PendingAlert& alert);

 private:
  absl::Mutex mu_;
  std::vector<PendingAlert> alerts_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  int failures_left_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_WEBHOOK_TESTING_FAKE_ALERT_FEED_H_
