// What the webhook dispatcher reports about each endpoint: its pending and dead-lettered
// deliveries (for `sealtrail webhooks list`) and its counters (for health and metrics).
#ifndef SEALTRAIL_SERVER_WEBHOOK_DELIVERY_REPORT_H_
#define SEALTRAIL_SERVER_WEBHOOK_DELIVERY_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace sealtrail {

struct WebhookDeliveryEntry {
  uint64_t seq = 0;
  std::string webhook_id;
  std::string rule_id;
  uint32_t attempts = 0;              // failed attempts so far
  int64_t first_attempt_unix_ms = 0;  // 0: not attempted yet
  int64_t dead_lettered_unix_ms = 0;  // 0: pending
  std::string last_error;
};

struct WebhookEndpointDeliveries {
  std::string endpoint;
  // Retried dead letters first, then the in-memory queue, in seq order.
  std::vector<WebhookDeliveryEntry> pending;
  // More alerts for this endpoint wait in the log beyond the queue (after an overflow).
  bool more_pending = false;
  std::vector<WebhookDeliveryEntry> dead_letters;  // in seq order
  // OK, or why the endpoint's worker is not delivering (its journal failed or is damaged).
  absl::Status status;
};

// Counters since the dispatcher started, and the current depths.
struct WebhookEndpointStats {
  std::string endpoint;
  uint64_t delivered = 0;
  uint64_t failed_attempts = 0;
  uint64_t dead_lettered = 0;
  uint64_t overflowed = 0;         // alerts that did not fit the queue (each counted once)
  uint64_t overflow_episodes = 0;  // on_overflow calls
  uint64_t feed_errors = 0;        // failed AlertFeed::AlertsFrom calls
  size_t queue_depth = 0;          // alerts in the in-memory queue
  size_t dead_letters = 0;         // dead letters now (not retried)
  uint64_t cursor = 0;             // the durable cursor (delivery_state.h)
  bool overflowing = false;        // an overflow episode is under way
  std::string last_error;          // of the last failed attempt or feed read
  absl::Status status;             // as WebhookEndpointDeliveries::status
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_WEBHOOK_DELIVERY_REPORT_H_
