#include "bench/ticket_source.h"

#include <cmath>
#include <utility>
#include <vector>

namespace sealtrail::bench {

TakeResult ClosedLoopSource::Next(SlotOwner* /*owner*/, Ticket* ticket) {
  if (aborted_.load(std::memory_order_relaxed)) return TakeResult::kDone;
  const Clock::time_point now = Clock::now();
  if (now >= window_.end) return TakeResult::kDone;
  const bool measured = now >= window_.measure_start;
  if (measured &&
      measured_issued_.fetch_add(1, std::memory_order_relaxed) >= window_.measured_limit) {
    return TakeResult::kDone;
  }
  *ticket = Ticket{issued_.fetch_add(1, std::memory_order_relaxed), now, measured};
  return TakeResult::kTicket;
}

OpenLoopSource::OpenLoopSource(RunWindow window, double requests_per_s)
    : TicketSource(window), interval_ns_(1e9 / requests_per_s) {}

OpenLoopSource::~OpenLoopSource() {
  Abort();
  if (scheduler_.joinable()) scheduler_.join();
}

void OpenLoopSource::Start() {
  scheduler_ = std::thread([this] { Schedule(); });
}

Ticket OpenLoopSource::MakeTicket(uint64_t number) const {
  const auto offset = std::chrono::nanoseconds(
      static_cast<int64_t>(std::llround(static_cast<double>(number) * interval_ns_)));
  const Clock::time_point intended = window_.start + offset;
  return Ticket{number, intended, intended >= window_.measure_start};
}

void OpenLoopSource::Schedule() {
  uint64_t measured = 0;
  for (uint64_t number = 0;; ++number) {
    const Ticket ticket = MakeTicket(number);
    if (ticket.intended >= window_.end) break;
    if (ticket.measured && measured++ >= window_.measured_limit) break;
    // Wakes in time for each ticket; when late (a slow wake-up), issues the due tickets at once,
    // each still with its own scheduled time.
    std::this_thread::sleep_until(ticket.intended);
    SlotOwner* owner = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (aborted_) break;
      scheduled_ = number + 1;
      if (next_to_take_ == number && !parked_.empty()) {
        owner = parked_.front();
        parked_.pop_front();
        next_to_take_ = number + 1;
      }
    }
    if (owner != nullptr) owner->Offer(ticket);
  }
  Close();
}

TakeResult OpenLoopSource::Next(SlotOwner* owner, Ticket* ticket) {
  absl::MutexLock lock(&mu_);
  if (next_to_take_ < scheduled_ && !aborted_) {
    *ticket = MakeTicket(next_to_take_++);
    return TakeResult::kTicket;
  }
  if (closed_ || aborted_) return TakeResult::kDone;
  parked_.push_back(owner);
  return TakeResult::kParked;
}

void OpenLoopSource::Abort() {
  absl::MutexLock lock(&mu_);
  aborted_ = true;
}

void OpenLoopSource::Close() {
  std::deque<SlotOwner*> parked;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    // Due tickets still waiting for a slot now would be sent after the end of the run: the
    // client fell behind the timetable. They are dropped and reported.
    unsent_ = scheduled_ - next_to_take_;
    next_to_take_ = scheduled_;
    parked.swap(parked_);
  }
  for (SlotOwner* owner : parked) owner->NoMoreTickets();
}

uint64_t OpenLoopSource::unsent() const {
  absl::MutexLock lock(&mu_);
  return unsent_;
}

}  // namespace sealtrail::bench
