// RunState: what the callers of one run share: live counters for the progress line, the first
// error, and a count of callers still running. CallerStats: what one caller measured.
//
// Thread-safety: RunState's methods may be called from any thread. CallerStats is guarded by
// its caller's lock.
#ifndef SEALTRAIL_TOOLS_BENCH_RUN_STATE_H_
#define SEALTRAIL_TOOLS_BENCH_RUN_STATE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench/latency_histogram.h"
#include "bench/ticket_source.h"
#include "grpcpp/support/status.h"

namespace sealtrail::bench {

// The measured requests of one caller.
struct CallerStats {
  LatencyHistogram latency_ns;  // From Ticket::intended to the reply.
  uint64_t requests = 0;
  uint64_t units = 0;  // Records (append modes) or requests.
  Clock::time_point last_reply;

  // Counts a reply to `ticket` carrying `units`, received at `now`, if the ticket is measured.
  void Add(const Ticket& ticket, uint64_t reply_units, Clock::time_point now);
  void Merge(const CallerStats& other);
};

class RunState {
 public:
  // `callers` will each call CallerFinished once. `source` is not owned and must outlive this.
  RunState(int callers, TicketSource* source) : running_(callers), source_(source) {}

  // A reply of `units` records or requests arrived (warm-up included).
  void AddReply(uint64_t units) { replied_units_.fetch_add(units, std::memory_order_relaxed); }
  // `failed` requests ended with `status`: keeps the first error and stops issuing tickets.
  void AddFailure(const grpc::Status& status, uint64_t failed);
  // The caller has finished: nothing of it is in flight, and it will take no more tickets.
  // The caller may be destroyed as soon as this returns (its last act).
  void CallerFinished();

  // Waits until every caller has finished or `timeout` passes; true if they all finished.
  bool WaitForCallers(absl::Duration timeout);

  uint64_t replied_units() const { return replied_units_.load(std::memory_order_relaxed); }
  uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }
  // "CODE: message" of the first failure, or empty.
  std::string first_error() const;

 private:
  std::atomic<uint64_t> replied_units_{0};
  std::atomic<uint64_t> failures_{0};
  mutable absl::Mutex mu_;
  int running_ ABSL_GUARDED_BY(mu_);
  std::string first_error_ ABSL_GUARDED_BY(mu_);
  TicketSource* const source_;
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_RUN_STATE_H_
