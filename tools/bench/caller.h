// Caller: one concurrent client of a run (an AppendStream, or a caller making unary calls one
// after another). RunBench starts each, waits for RunState::CallerFinished from all of them,
// then reads their stats.
//
// The base keeps what every caller shares: its lock, its ticket slots, the tickets it holds but
// has not sent (ready_), and what it measured. A subclass sends the ready tickets in Pump.
#ifndef SEALTRAIL_TOOLS_BENCH_CALLER_H_
#define SEALTRAIL_TOOLS_BENCH_CALLER_H_

#include <chrono>
#include <cstdint>
#include <deque>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "bench/run_state.h"
#include "bench/ticket_slots.h"
#include "bench/ticket_source.h"
#include "grpcpp/client_context.h"

namespace sealtrail::bench {

class Caller : public SlotOwner {
 public:
  // `source` is not owned and must outlive the caller.
  Caller(uint32_t slots, TicketSource* source) : slots_(slots, source) {}

  // Starts taking tickets and sending requests.
  virtual void Start() = 0;
  // What it measured. REQUIRES: it has called RunState::CallerFinished.
  CallerStats stats() const;

  void Offer(const Ticket& ticket) final;
  void NoMoreTickets() final;

 protected:
  // Fills the free slots, sends what it can and finishes when all is done. Called without mu_.
  virtual void Pump() = 0;

  mutable absl::Mutex mu_;
  TicketSlots slots_ ABSL_GUARDED_BY(mu_);
  std::deque<Ticket> ready_ ABSL_GUARDED_BY(mu_);  // Hold a slot, not yet sent.
  CallerStats stats_ ABSL_GUARDED_BY(mu_);
};

// Sets `context`'s deadline `timeout` from now.
inline void SetDeadline(grpc::ClientContext& context, std::chrono::nanoseconds timeout) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::system_clock::duration>(timeout));
}

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_CALLER_H_
