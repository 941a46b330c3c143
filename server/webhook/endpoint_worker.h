// EndpointWorker: the thread that delivers one endpoint's alerts, in seq order, one at a time.
//
//   queue     a window of at most max_queue routed alerts read from the AlertFeed, refilled on
//             Notify and as it drains; alerts that do not fit stay in the log (counted once each
//             as overflowed; the first of an episode calls on_overflow) and are read again
//             later, so nothing is lost;
//   delivery  the head (or a retried dead letter, which goes first) is posted until a 2xx, with
//             full-jitter exponential backoff between attempts; once dead_letter_after has
//             passed since its first attempt, the next failure dead-letters it and the worker
//             moves on;
//   journal   every outcome is on disk (delivery_journal.h) before the worker acts on it.
//
// Failure: a journal failure stops the worker for good (status() says why, the EventLog has
// "webhook_worker_stopped"); feed errors are counted, reported, and retried after
// initial_backoff.
//
// Thread-safety: every public method may be called from any thread. Notify only sets a flag
// under a mutex the worker never holds across I/O, so it never waits for a receiver, the feed or
// the disk.
#ifndef SEALTRAIL_SERVER_WEBHOOK_ENDPOINT_WORKER_H_
#define SEALTRAIL_SERVER_WEBHOOK_ENDPOINT_WORKER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sealtrail/env.h"
#include "server/service/event_log.h"
#include "server/webhook/alert_feed.h"
#include "server/webhook/delivery_journal.h"
#include "server/webhook/delivery_report.h"
#include "server/webhook/https_poster.h"
#include "server/webhook/webhook_config.h"
#include "server/webhook/webhook_signature.h"

namespace sealtrail {

// What every worker shares; owned by the dispatcher, which outlives its workers.
struct EndpointWorkerContext {
  Env* env = nullptr;
  EventLog* events = nullptr;
  AlertFeed* feed = nullptr;
  const Ed25519WebhookKey* ed25519_key = nullptr;  // set when any endpoint signs v1a
  std::string webhook_id_prefix;
  std::function<void(const std::string& endpoint_id, uint64_t deferred)> on_overflow;
  size_t feed_batch = 256;
  absl::Duration idle_poll = absl::Seconds(10);
};

class EndpointWorker {
 public:
  // A worker for `endpoint`. With a null `journal` or `poster` it never runs and reports
  // `unusable` (why they could not be opened) as its status.
  EndpointWorker(WebhookEndpoint endpoint, const EndpointWorkerContext* context,
                 std::unique_ptr<DeliveryJournal> journal, std::unique_ptr<HttpsPoster> poster,
                 absl::Status unusable);
  // REQUIRES: Join() was called if Start() was.
  ~EndpointWorker();
  EndpointWorker(const EndpointWorker&) = delete;
  EndpointWorker& operator=(const EndpointWorker&) = delete;

  void Start();
  void Notify();
  // Asks the thread to stop: a wait ends at once, a request in flight is aborted (and does not
  // count as an attempt).
  void RequestStop();
  void Join();

  const std::string& id() const { return endpoint_.id; }
  WebhookEndpointDeliveries List() const;
  // Moves dead letter `seq` (all of them if none) back to pending; how many moved. NOT_FOUND if
  // `seq` is not a dead letter; FAILED_PRECONDITION if the worker has stopped on a failure.
  absl::StatusOr<size_t> Retry(std::optional<uint64_t> seq);
  WebhookEndpointStats Stats() const;

 private:
  struct Target {
    PendingAlert alert;
    bool retry = false;
    bool missing = false;  // a retried alert the feed no longer returns
  };

  void Run();
  absl::Status Refill();
  absl::StatusOr<std::optional<Target>> NextTarget();
  // OK after the target was settled, or when stopping; an error stops the worker.
  absl::Status Deliver(const Target& target);
  // One POST of `body`: OK for a 2xx, else why not; CANCELLED when stopping.
  absl::Status Attempt(const std::string& webhook_id, const std::string& body);
  absl::Status Settle(const Target& target, DeliveryEvent event);
  // Waits until `deadline` or RequestStop; with `refill_on_notify`, refills the queue whenever
  // Notify is called meanwhile (until a refill fails).
  void WaitUntil(absl::Time deadline, bool refill_on_notify);
  void PersistIdleCursor();
  void ReportFeedError(const absl::Status& error);
  void Fail(const absl::Status& error);
  bool Stopping() const;
  int64_t NowUnixMillis() const;

  const WebhookEndpoint endpoint_;
  const EndpointWorkerContext* const context_;
  const std::unique_ptr<DeliveryJournal> journal_;
  const std::unique_ptr<HttpsPoster> poster_;
  std::thread thread_;
  absl::BitGen bitgen_;  // the worker thread's only

  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool notified_ ABSL_GUARDED_BY(mu_) = true;  // the first pass reads the feed
  absl::CondVar wake_;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  // Routed alerts read from the feed and not yet settled, in seq order.
  std::deque<PendingAlert> queue_ ABSL_GUARDED_BY(mu_);
  // Every routed alert below fetch_seq_ is in the queue or settled; those in
  // [fetch_seq_, scan_seq_) are deferred (overflowed, already counted).
  uint64_t fetch_seq_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t scan_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool refill_wanted_ ABSL_GUARDED_BY(mu_) = false;
  std::string last_feed_error_ ABSL_GUARDED_BY(mu_);
  WebhookEndpointStats stats_ ABSL_GUARDED_BY(mu_);
};

// "msg_<prefix>_<seq>" ("msg_<seq>" with an empty prefix): the same id for every attempt and
// redelivery of an alert, across restarts, so receivers can deduplicate by it.
std::string WebhookIdFor(std::string_view prefix, uint64_t seq);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_WEBHOOK_ENDPOINT_WORKER_H_
