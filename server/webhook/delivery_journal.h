// DeliveryJournal: the durable delivery state of one webhook endpoint, kept in
// DIR/<endpoint id>.journal, an append-only file of checksummed lines (format:
// docs/detection.md, "On-disk state"):
//
//   <8 hex digits: the first 4 bytes of SHA-256(json)> <json>\n
//
// The first line is a header naming the format version and the endpoint; every other line is
// one DeliveryEvent (delivery_state.h). When the file has grown past `compact_after_bytes` (and
// four times its last compacted size), it is rewritten as a header plus the events that rebuild
// the current state, atomically (WriteFileAtomically: a temporary file, synced, renamed).
//
// Durability: Record returns after the events are on disk (fdatasync). Recovery: a crash while
// appending leaves at most the last line torn (cut short, or with a bad checksum); Open truncates
// it and reports "webhook_journal_torn_tail" to the EventLog. Any other damage is DATA_LOSS
// naming the file, the line and its byte offset: nothing is skipped silently.
//
// Failure: a failed write, sync or compaction stops the journal for good: that Record and every
// later one return the first error, and nothing more is applied in memory (what is durable is
// what a restart will see; a sync is never retried).
//
// Thread-safety: every method may be called concurrently.
#ifndef SEALTRAIL_SERVER_WEBHOOK_DELIVERY_JOURNAL_H_
#define SEALTRAIL_SERVER_WEBHOOK_DELIVERY_JOURNAL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "sealtrail/env.h"
#include "server/service/event_log.h"
#include "server/webhook/delivery_state.h"

namespace sealtrail {

inline constexpr int kDeliveryJournalVersion = 1;
inline constexpr uint64_t kMaxDeliveryJournalBytes = 256u << 20;

struct DeliveryJournalOptions {
  Env* env = nullptr;          // not owned; required
  EventLog* events = nullptr;  // not owned; required
  uint64_t compact_after_bytes = 1u << 20;
};

class DeliveryJournal {
 public:
  // Opens (or, if missing, creates with cursor `start_cursor`) the journal of `endpoint_id` in
  // `dir`, which must exist, and replays it. FAILED_PRECONDITION if the file is another
  // endpoint's or of another format version, or larger than kMaxDeliveryJournalBytes;
  // DATA_LOSS as above.
  static absl::StatusOr<std::unique_ptr<DeliveryJournal>> Open(
      const DeliveryJournalOptions& options, const std::string& dir, const std::string& endpoint_id,
      uint64_t start_cursor);

  static std::string PathFor(const std::string& dir, const std::string& endpoint_id);

  // Appends `events` (one line each, one write), syncs, then applies them to the state.
  // INVALID_ARGUMENT (nothing written) if they do not fit the state (CheckDeliveryEvents).
  [[nodiscard]] absl::Status Record(absl::Span<const DeliveryEvent> events);

  DeliveryState State() const;
  uint64_t Cursor() const;
  size_t DeadLetterCount() const;
  std::optional<DeliveryAttempts> AttemptsOf(uint64_t seq) const;
  // The lowest pending retry, if any.
  std::optional<DeadLetter> FirstRetry() const;
  // OK, or the error that stopped the journal.
  absl::Status status() const;
  const std::string& path() const { return path_; }

 private:
  DeliveryJournal(const DeliveryJournalOptions& options, std::string dir, std::string endpoint_id,
                  DeliveryState state, std::unique_ptr<WritableFile> file, uint64_t bytes);
  absl::Status Compact() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const DeliveryJournalOptions options_;
  const std::string dir_;
  const std::string endpoint_id_;
  const std::string path_;

  mutable absl::Mutex mu_;
  DeliveryState state_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<WritableFile> file_ ABSL_GUARDED_BY(mu_);
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t compacted_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status stopped_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_WEBHOOK_DELIVERY_JOURNAL_H_
