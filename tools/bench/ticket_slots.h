// TicketSlots: the request slots of one caller (a stream's window, or a unary caller's one call)
// and the bookkeeping of asking a TicketSource to fill them.
//
// Thread-safety: none; the caller guards it with its own lock, and may hold that lock while
// calling Fill (see TicketSource::Next).
#ifndef SEALTRAIL_TOOLS_BENCH_TICKET_SLOTS_H_
#define SEALTRAIL_TOOLS_BENCH_TICKET_SLOTS_H_

#include <cstdint>
#include <deque>

#include "bench/ticket_source.h"

namespace sealtrail::bench {

class TicketSlots {
 public:
  // `source` is not owned and must outlive this.
  TicketSlots(uint32_t slots, TicketSource* source) : free_(slots), source_(source) {}

  // Asks the source for a ticket for every free slot: tickets it has now are appended to
  // `ready`; the other slots are parked with `owner` until the source calls it back.
  void Fill(SlotOwner* owner, std::deque<Ticket>& ready);
  // SlotOwner::Offer arrived: a parked slot now holds that ticket.
  void Unpark() { --parked_; }
  // SlotOwner::NoMoreTickets arrived for a parked slot.
  void UnparkDone() {
    --parked_;
    source_done_ = true;
  }
  // A ticket's request ended; its slot is free again.
  void Release() { ++free_; }
  // Takes no more tickets (the caller failed). Parked slots still get their call back.
  void Stop() { stopped_ = true; }

  bool stopped() const { return stopped_; }
  // True when no ticket will come any more and the source will make no more calls back.
  bool exhausted() const { return (source_done_ || stopped_) && parked_ == 0; }

 private:
  uint32_t free_;
  uint32_t parked_ = 0;
  bool source_done_ = false;
  bool stopped_ = false;
  TicketSource* const source_;
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_TICKET_SLOTS_H_
