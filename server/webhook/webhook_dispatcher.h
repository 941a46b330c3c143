// WebhookDispatcher: delivers alerts from the log to the configured HTTPS endpoints, signed as
// Standard Webhooks, at least once, surviving restarts and SIGKILL. Guarantees and what a
// receiver must check: docs/detection.md.
//
//   outbox     the log itself (AlertFeed): an alert is owed to an endpoint from the moment its
//              record is committed; nothing else needs to be written in the same commit;
//   state      per endpoint, STATE_DIR/<endpoint id>.journal (delivery_journal.h): the cursor,
//              attempts, dead letters; STATE_DIR/LOCK keeps a second dispatcher out;
//   workers    one thread per endpoint (endpoint_worker.h): alerts in seq order, retried with
//              full-jitter exponential backoff, dead-lettered after dead_letter_after;
//   ids        webhook-id "msg_<prefix>_<seq>", the same for every attempt and redelivery.
//
// A slow or dead receiver holds up only its own endpoint's worker: Notify never blocks, and an
// endpoint whose queue is full leaves further alerts in the log (counted, and on_overflow called
// once per episode) to read again as the queue drains.
//
// Thread-safety: every method may be called from any thread. Callbacks (on_overflow) run on an
// endpoint's worker thread, never under a lock Notify takes.
#ifndef SEALTRAIL_SERVER_WEBHOOK_WEBHOOK_DISPATCHER_H_
#define SEALTRAIL_SERVER_WEBHOOK_WEBHOOK_DISPATCHER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sealtrail/env.h"
#include "server/service/event_log.h"
#include "server/webhook/alert_feed.h"
#include "server/webhook/delivery_report.h"
#include "server/webhook/webhook_config.h"
#include "server/webhook/webhook_signature.h"

namespace sealtrail {

class EndpointWorker;
struct EndpointWorkerContext;

struct WebhookDispatcherOptions {
  // Files and the wall clock (webhook-timestamp, first-attempt times). nullptr: Env::Default().
  Env* env = nullptr;
  // Required. Every delivery, failure, dead letter, overflow and journal repair is reported here.
  EventLog* events = nullptr;
  // Required: DATA_DIR/webhooks. Created if missing.
  std::string state_dir;
  // webhook-id is "msg_<prefix>_<seq>"; [A-Za-z0-9_-], at most 64 characters; may be empty
  // ("msg_<seq>"). Use a prefix of the log's origin hash, so ids of different logs differ.
  std::string webhook_id_prefix;
  // The key of "v1a" signatures, for endpoints with `ed25519: true`. Not owned; must outlive the
  // dispatcher. Required when any endpoint asks for it.
  const Ed25519WebhookKey* ed25519_key = nullptr;
  // The cursor of an endpoint that has no journal yet: alerts below it are not owed to it.
  uint64_t start_seq = 0;
  // Called once at the start of each overflow episode of an endpoint with the number of alerts
  // deferred then (the stats keep the running total). The server records it in the log.
  std::function<void(const std::string& endpoint_id, uint64_t deferred)> on_overflow;
  // Alerts read per AlertFeed::AlertsFrom call.
  size_t feed_batch = 256;
  // An idle worker reads the feed this often even without Notify.
  absl::Duration idle_poll = absl::Seconds(10);
  // When a journal is compacted (delivery_journal.h).
  uint64_t journal_compact_after_bytes = 1u << 20;
};

class WebhookDispatcher {
 public:
  // Opens every endpoint's journal and starts its worker. INVALID_ARGUMENT for bad options (no
  // EventLog, no state_dir, a bad prefix, no ed25519_key while an endpoint asks for v1a: naming
  // the endpoint and where it is defined); UNAVAILABLE with IsLockHeldError if another
  // dispatcher has `state_dir`; the Env's error if state_dir cannot be created. An endpoint whose
  // journal is damaged (DATA_LOSS) or unusable does not stop the others: it is reported as
  // "webhook_endpoint_unusable" and in its status, and delivers nothing until repaired.
  // `feed` is not owned and must outlive the dispatcher.
  static absl::StatusOr<std::unique_ptr<WebhookDispatcher>> Start(
      const WebhookDispatcherOptions& options, const WebhookConfig& config, AlertFeed* feed);

  // Stop().
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // A new alert was committed: every worker reads the feed again. Never blocks on a receiver,
  // the feed or the disk.
  void Notify();

  // Stops every worker and joins it: waits end at once, requests in flight are aborted (they do
  // not count as attempts and are sent again after a restart); an AlertFeed call in progress is
  // waited for. Idempotent. List, Retry and Stats still answer afterwards.
  void Stop();

  // Pending and dead-lettered deliveries of every endpoint, in configuration order.
  std::vector<WebhookEndpointDeliveries> List() const;

  // Moves dead letter `seq` of `endpoint_id` (every dead letter of it if none) back to pending;
  // returns how many moved. They are delivered next, before newer alerts, with the same
  // webhook-id and a fresh dead_letter_after. NOT_FOUND for an unknown endpoint or a seq that is
  // not a dead letter; FAILED_PRECONDITION if the endpoint is not delivering.
  absl::StatusOr<size_t> Retry(std::string_view endpoint_id, std::optional<uint64_t> seq);

  // Counters of every endpoint, in configuration order.
  std::vector<WebhookEndpointStats> Stats() const;

 private:
  WebhookDispatcher(std::unique_ptr<EndpointWorkerContext> context, std::unique_ptr<FileLock> lock);

  std::unique_ptr<EndpointWorkerContext> context_;
  std::unique_ptr<FileLock> lock_;
  std::vector<std::unique_ptr<EndpointWorker>> workers_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_WEBHOOK_WEBHOOK_DISPATCHER_H_
