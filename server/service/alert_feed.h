// LogAlertFeed: the webhook outbox read from the log itself. An alert is queued for delivery
// in the same commit as its record because the record IS the queue entry: the dispatcher
// (server/webhook/) keeps only a delivery cursor and outcomes, and asks this feed for the alert
// records after its cursor and for each one's body. The feed keeps the alert records from the
// lowest cursor on in memory (seq -> rule, severity, tenant: alerts are rare records): Seed finds
// those already in the log through the index (all tenants, actions alert.raised and
// integrity.violation) at start, and Added adds each new one once it is durable.
//
// The body (docs/detection.md, "Webhook body"), JSON with keys in this order:
//   {"type": "alert.raised" | "integrity.violation",
//    "alert":    {"seq", "leaf_hash" (base64), "record" (the record's canonical JSON),
//                 "record_bytes" (base64 of the stored bytes), "inclusion_proof"},
//    "triggers": [{"seq", "leaf_hash", "record", "record_bytes", "inclusion_proof"}, ...],
//    "checkpoint": {"tree_size", "root" (base64), "signed_note" (the note text)}}
// Every inclusion proof ({"leaf_index", "tree_size", "leaf_hash", "root", "path": [base64]}) is
// against that checkpoint, signed by the log's key, so a receiver holding only the verifier key
// can check that the alert and the records it names are in the log (RFC 9162).
//
// Thread-safety: every method may be called concurrently.
#ifndef SEALTRAIL_SERVER_SERVICE_ALERT_FEED_H_
#define SEALTRAIL_SERVER_SERVICE_ALERT_FEED_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "sealtrail/log.h"
#include "server/index/audit_index.h"
#include "server/service/proof_source.h"
#include "server/webhook/alert_feed.h"

namespace sealtrail {

class LogAlertFeed : public AlertFeed {
 public:
  // None owned; all must outlive the feed.
  LogAlertFeed(const Log* log, AuditIndex* index, ProofSource* proofs)
      : log_(log), index_(index), proofs_(proofs) {}

  // Loads the alert records with seq >= from_seq from the index. Call once, when the
  // dispatcher's cursors are known; the index must cover the log. Until then AlertsFrom answers
  // nothing, so no cursor moves past an alert not yet loaded.
  [[nodiscard]] absl::Status Seed(uint64_t from_seq);

  // Alert record `seq` is durable (the detection stage's and the integrity alarm's hook).
  void Added(uint64_t seq);

  // Known alert records with seq >= first_seq, in sequence order, at most `limit`.
  absl::StatusOr<std::vector<PendingAlert>> AlertsFrom(uint64_t first_seq, size_t limit) override;

  // The body above, with proofs against the latest checkpoint (signed first if it does not
  // cover the alert yet).
  absl::StatusOr<std::string> Body(const PendingAlert& alert) override;

 private:
  absl::Status LoadFromIndex(uint64_t from_seq);

  const Log* const log_;
  AuditIndex* const index_;
  ProofSource* const proofs_;

  absl::Mutex mu_;
  std::map<uint64_t, PendingAlert> alerts_ ABSL_GUARDED_BY(mu_);
  bool seeded_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_ALERT_FEED_H_
