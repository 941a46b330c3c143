// DeliveryState: what an endpoint's delivery journal (delivery_journal.h) says, and the events
// that change it. The journal replays its events through ApplyDeliveryEvent on open and applies
// every new one through the same function after it is on disk, so recovery and the live path
// cannot disagree.
//
// The state of one endpoint:
//   cursor        every alert the endpoint takes with seq < cursor is settled (delivered or
//                 dead-lettered), except those in `retries`;
//   attempts      alerts not yet settled that have failed at least once (normally just the one
//                 being retried), with the time of their first attempt (dead_letter_after counts
//                 from it, across restarts);
//   dead_letters  alerts given up on, until Retry moves them to `retries`;
//   retries       former dead letters that are pending again (all below the cursor).
//
// Thread-safety: plain values and pure functions.
#ifndef SEALTRAIL_SERVER_WEBHOOK_DELIVERY_STATE_H_
#define SEALTRAIL_SERVER_WEBHOOK_DELIVERY_STATE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace sealtrail {

struct DeliveryAttempts {
  uint32_t attempts = 0;
  int64_t first_attempt_unix_ms = 0;
  std::string last_error;
};

struct DeadLetter {
  uint64_t seq = 0;
  std::string webhook_id;
  std::string rule_id;
  uint32_t attempts = 0;
  int64_t first_attempt_unix_ms = 0;
  int64_t dead_lettered_unix_ms = 0;
  std::string last_error;
};

struct DeliveryState {
  uint64_t cursor = 0;
  std::map<uint64_t, DeliveryAttempts> attempts;
  std::map<uint64_t, DeadLetter> dead_letters;
  std::map<uint64_t, DeadLetter> retries;  // As they were when dead-lettered.
};

enum class DeliveryEventType {
  kCursor,        // cursor = max(cursor, event.cursor); attempts below it (not retries) go
  kAttempt,       // attempts[seq] = {attempts, first_attempt_unix_ms, error}
  kDelivered,     // seq settled: leaves attempts and retries; cursor = max(cursor, event.cursor)
  kDeadLettered,  // seq settled: leaves attempts and retries, joins dead_letters; cursor as above
  kRetry,         // a dead letter moves to retries, with no attempts
};

struct DeliveryEvent {
  DeliveryEventType type = DeliveryEventType::kCursor;
  uint64_t seq = 0;
  uint64_t cursor = 0;                // kCursor, kDelivered, kDeadLettered
  uint32_t attempts = 0;              // kAttempt, kDelivered, kDeadLettered
  int64_t first_attempt_unix_ms = 0;  // kAttempt, kDeadLettered
  int64_t at_unix_ms = 0;             // kDelivered, kDeadLettered: when
  std::string error;                  // kAttempt, kDeadLettered: the last attempt's error
  std::string webhook_id;             // kDeadLettered
  std::string rule_id;                // kDeadLettered
};

DeliveryEvent CursorEvent(uint64_t cursor);
DeliveryEvent RetryEvent(uint64_t seq);

// OK if `events`, applied in order, fit `state`; else INVALID_ARGUMENT saying which event does
// not (a retry of an alert that is not dead-lettered is the one impossible event).
[[nodiscard]] absl::Status CheckDeliveryEvents(absl::Span<const DeliveryEvent> events,
                                               const DeliveryState& state);
// REQUIRES: CheckDeliveryEvents({event}, *state) is OK.
void ApplyDeliveryEvent(const DeliveryEvent& event, DeliveryState* state);

// Events that rebuild `state` from an empty one (the journal's compacted form).
std::vector<DeliveryEvent> SnapshotDeliveryEvents(const DeliveryState& state);

// One event as a line of JSON (no newline), e.g.
//   {"t":"delivered","seq":12,"attempts":1,"at_ms":1767000000000,"cursor":13}
// Text that is not UTF-8 (an error quoting a receiver's answer) is written with U+FFFD.
std::string EncodeDeliveryEvent(const DeliveryEvent& event);
// INVALID_ARGUMENT saying what is wrong with `json`.
[[nodiscard]] absl::StatusOr<DeliveryEvent> DecodeDeliveryEvent(std::string_view json);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_WEBHOOK_DELIVERY_STATE_H_
