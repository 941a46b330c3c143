// Alert records: what the server appends to the log when it sees trouble, so that an alert is
// evidence with an inclusion proof like any record, and a later auditor can see what the server
// knew and when (docs/detection.md, "Alert records").
//
//   alert.raised         a detection rule fired (server/detect/detector.h). Tenant: the
//                        triggering records' tenant.
//   integrity.violation  the integrity auditor found damage (server/service/integrity_auditor.h).
//                        Tenant: kPlatformTenant; severity always "critical".
//
// Both are reserved actions (server/record/record.h): no client can write one. Their facts are
// in details.attributes, every value text, keys:
//   rule                 the rule id ("integrity.violation" for the auditor's)
//   severity             low | medium | high | critical
//   kind                 threshold | rate | sequence; for violations: segment | checkpoint
//   key_field, key_value what the window was keyed by (rate and sequence rules)
//   window_start_ns, window_end_ns   commit times the triggering records span
//   trigger_count        records that caused it (may exceed the seqs listed)
//   trigger_seqs         their sequence numbers, comma-separated, ascending
//   trigger_leaf_hashes  their leaf hashes, lowercase hex, in the same order
//   sum                  the summed field's total, for rules that sum one
//   file, offset, seq    for violations: where the damage is (seq may be absent)
// outcome.reason holds the rule's description, or the violation's message.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_SERVER_SERVICE_ALERT_RECORD_H_
#define SEALTRAIL_SERVER_SERVICE_ALERT_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sealtrail/hash.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "server/detect/detector.h"
#include "server/service/integrity_violation.h"

namespace sealtrail {

using detect::Firing;
using detect::Trigger;

// The actor.service of alert records.
inline constexpr char kDetectorService[] = "sealtrail.detector";
inline constexpr char kIntegrityAuditorService[] = "sealtrail.integrity-auditor";

// The alert.raised record of `firing`, valid for ValidateRecord (texts over a field's limit are
// cut). commit_time_ns is left 0 for the pipeline to set.
v1::AuditRecord AlertRecord(const Firing& firing);

// The integrity.violation record of `violation`, valid for ValidateRecord.
v1::AuditRecord IntegrityViolationRecord(const IntegrityViolation& violation);

// Whether `record` is an alert record (either action).
bool IsAlertRecord(const v1::AuditRecord& record);

// What an alert record says, read back from its attributes.
struct AlertFacts {
  std::string action;  // kAlertAction or kIntegrityViolationAction.
  std::string rule_id;
  std::string severity;
  std::string tenant;
  std::vector<Trigger> triggers;  // Those listed, in sequence order.
};

// INVALID_ARGUMENT naming the attribute if `record` is not an alert record as AlertRecord or
// IntegrityViolationRecord write them.
absl::StatusOr<AlertFacts> AlertFactsOf(const v1::AuditRecord& record);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_ALERT_RECORD_H_
