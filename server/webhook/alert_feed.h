// AlertFeed: where the webhook dispatcher reads the alerts it delivers. The outbox is the log
// itself: an alert record committed to the log is owed to every endpoint whose routing takes it,
// so nothing is queued anywhere else and nothing can be queued without being in the log. The
// server implements this interface over its log and index; tests use an in-memory fake.
//
// Thread-safety: an implementation must allow concurrent calls (one worker thread per endpoint
// calls it). Calls may block (they read the log); they are never made while the dispatcher holds
// a lock that Notify needs.
#ifndef SEALTRAIL_SERVER_WEBHOOK_ALERT_FEED_H_
#define SEALTRAIL_SERVER_WEBHOOK_ALERT_FEED_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sealtrail {

// One alert record in the log, by sequence number.
struct PendingAlert {
  uint64_t seq = 0;
  std::string rule_id;   // e.g. "mass-export", "integrity.violation".
  std::string severity;  // one of alert_routing.h's names (others count as "critical").
  std::string tenant;
};

class AlertFeed {
 public:
  virtual ~AlertFeed() = default;

  // Alert records with seq >= first_seq, in ascending seq order, at most `limit` of them
  // (fewer only when the log holds no more). The answer for a given first_seq may only grow
  // over time: alerts are appended, never removed.
  virtual absl::StatusOr<std::vector<PendingAlert>> AlertsFrom(uint64_t first_seq,
                                                               size_t limit) = 0;

  // The JSON body delivered for `alert` (the alert, its triggering records and their inclusion
  // proofs). Called once per delivery attempt series; the bytes are signed and sent as they are.
  virtual absl::StatusOr<std::string> Body(const PendingAlert& alert) = 0;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_WEBHOOK_ALERT_FEED_H_
