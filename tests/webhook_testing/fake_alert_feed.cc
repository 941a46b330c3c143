#include "webhook_testing/fake_alert_feed.h"

#include <algorithm>

#include "nlohmann/json.hpp"

namespace sealtrail::testing {

uint64_t FakeAlertFeed::Add(const std::string& rule_id, const std::string& severity,
                            const std::string& tenant, uint64_t gap) {
  absl::MutexLock lock(&mu_);
  const uint64_t seq = (alerts_.empty() ? 0 : alerts_.back().seq + 1) + gap;
  alerts_.push_back(PendingAlert{seq, rule_id, severity, tenant});
  return seq;
}

void FakeAlertFeed::FailAlertsFrom(absl::Status error, int count) {
  absl::MutexLock lock(&mu_);
  error_ = std::move(error);
  failures_left_ = count;
}

absl::StatusOr<std::vector<PendingAlert>> FakeAlertFeed::AlertsFrom(uint64_t first_seq,
                                                                    size_t limit) {
  absl::MutexLock lock(&mu_);
  if (failures_left_ > 0) {
    --failures_left_;
    return error_;
  }
  auto it =
      std::lower_bound(alerts_.begin(), alerts_.end(), first_seq,
                       [](const PendingAlert& alert, uint64_t seq) { return alert.seq < seq; });
  std::vector<PendingAlert> out;
  for (; it != alerts_.end() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

absl::StatusOr<std::string> FakeAlertFeed::Body(const PendingAlert& alert) { return BodyOf(alert); }

std::string FakeAlertFeed::BodyOf(const PendingAlert& alert) {
  nlohmann::ordered_json body;
  body["alert"] = {{"seq", alert.seq},
                   {"rule", alert.rule_id},
                   {"severity", alert.severity},
                   {"tenant", alert.tenant}};
  return body.dump();
}

}  // namespace sealtrail::testing
