// Tickets: permissions to send one request, each with the time it is meant to be sent.
//
// A caller (a stream or a unary caller) owns a few request slots. For each free slot it asks
// the run's TicketSource for a ticket and sends the request when it gets one. Latency is
// measured from Ticket::intended, so:
//   - ClosedLoopSource hands out tickets at once, intended = now, until the run's time or count
//     is used up: each caller sends as fast as its replies come back.
//   - OpenLoopSource issues tickets on a fixed timetable (--rate) from its own thread. A ticket
//     whose time comes while every slot is busy waits for the next free slot, and its latency
//     still counts from its scheduled time: a slow server cannot hide its stalls by slowing the
//     client down (no coordinated omission).
#ifndef SEALTRAIL_TOOLS_BENCH_TICKET_SOURCE_H_
#define SEALTRAIL_TOOLS_BENCH_TICKET_SOURCE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace sealtrail::bench {

using Clock = std::chrono::steady_clock;

struct Ticket {
  uint64_t number = 0;         // 0, 1, 2, ... over the whole run, warm-up included.
  Clock::time_point intended;  // When the request should be sent.
  bool measured = false;       // Sent after the warm-up: counted in the report.
};

// The time and count bounds of a run.
struct RunWindow {
  Clock::time_point start;
  Clock::time_point measure_start;  // start + warm-up.
  Clock::time_point end;            // measure_start + duration: no ticket is issued from here.
  uint64_t measured_limit = 0;      // Most measured tickets.
};

// Something with request slots waiting for tickets: the receiving end of TicketSource::Next's
// kParked answer.
class SlotOwner {
 public:
  virtual ~SlotOwner() = default;
  // The ticket for a parked slot. Called once per parked slot, from the source's thread, unless
  // NoMoreTickets is called for that slot instead.
  virtual void Offer(const Ticket& ticket) = 0;
  // The parked slot will get no ticket: the run is over.
  virtual void NoMoreTickets() = 0;
};

enum class TakeResult {
  kTicket,  // *ticket is filled in.
  kParked,  // owner->Offer or owner->NoMoreTickets will be called for this slot, later.
  kDone,    // No more tickets, ever.
};

// Thread-safety: every method may be called from any thread.
class TicketSource {
 public:
  explicit TicketSource(RunWindow window) : window_(window) {}
  virtual ~TicketSource() = default;

  // A ticket for one free slot of `owner`. May be called with the owner's own lock held: a
  // source never calls an owner while holding a lock of its own.
  virtual TakeResult Next(SlotOwner* owner, Ticket* ticket) = 0;
  // Issues no more tickets (after an error); parked slots get NoMoreTickets.
  virtual void Abort() = 0;

  const RunWindow& window() const { return window_; }
  // Tickets issued (open loop: scheduled) but never sent because the run ended first.
  virtual uint64_t unsent() const { return 0; }

 protected:
  const RunWindow window_;
};

class ClosedLoopSource final : public TicketSource {
 public:
  explicit ClosedLoopSource(RunWindow window) : TicketSource(window) {}
  TakeResult Next(SlotOwner* owner, Ticket* ticket) override;
  void Abort() override { aborted_ = true; }

 private:
  std::atomic<bool> aborted_{false};
  std::atomic<uint64_t> issued_{0};
  std::atomic<uint64_t> measured_issued_{0};
};

class OpenLoopSource final : public TicketSource {
 public:
  // `requests_per_s` > 0. Start() starts the timetable.
  OpenLoopSource(RunWindow window, double requests_per_s);
  // Joins the scheduler thread.
  ~OpenLoopSource() override;

  // Starts the scheduler thread: ticket k is due at window.start + k / requests_per_s.
  void Start();
  TakeResult Next(SlotOwner* owner, Ticket* ticket) override;
  void Abort() override;
  uint64_t unsent() const override;

 private:
  void Schedule();
  Ticket MakeTicket(uint64_t number) const;
  // Ends the timetable: parked slots get NoMoreTickets, tickets not yet taken are dropped.
  void Close();

  const double interval_ns_;
  std::thread scheduler_;

  mutable absl::Mutex mu_;
  // Tickets [next_to_take_, scheduled_) are due and wait for a free slot.
  uint64_t next_to_take_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t scheduled_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<SlotOwner*> parked_ ABSL_GUARDED_BY(mu_);  // One entry per parked slot.
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool aborted_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t unsent_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_TICKET_SOURCE_H_
