#include "bench/ticket_slots.h"

namespace sealtrail::bench {

void TicketSlots::Fill(SlotOwner* owner, std::deque<Ticket>& ready) {
  while (free_ > 0 && !source_done_ && !stopped_) {
    Ticket ticket;
    switch (source_->Next(owner, &ticket)) {
      case TakeResult::kTicket:
        --free_;
        ready.push_back(ticket);
        break;
      case TakeResult::kParked:
        --free_;
        ++parked_;
        break;
      case TakeResult::kDone:
        source_done_ = true;
        break;
    }
  }
}

}  // namespace sealtrail::bench
