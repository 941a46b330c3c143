#include "bench/caller.h"

namespace sealtrail::bench {

CallerStats Caller::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void Caller::Offer(const Ticket& ticket) {
  {
    absl::MutexLock lock(&mu_);
    slots_.Unpark();
    // A caller that stopped (it failed) sends nothing more; the ticket is dropped.
    if (!slots_.stopped()) ready_.push_back(ticket);
  }
  Pump();
}

void Caller::NoMoreTickets() {
  {
    absl::MutexLock lock(&mu_);
    slots_.UnparkDone();
  }
  Pump();
}

}  // namespace sealtrail::bench
