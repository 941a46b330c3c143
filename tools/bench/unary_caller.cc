#include "bench/unary_caller.h"

#include <vector>

namespace sealtrail::bench {

UnaryCaller::UnaryCaller(UnaryMethod* method, TicketSource* source, RunState* run,
                         std::chrono::nanoseconds call_timeout)
    : Caller(1, source), method_(method), run_(run), call_timeout_(call_timeout) {}

void UnaryCaller::Pump() {
  std::vector<Ticket> start;
  bool finished = false;
  {
    absl::MutexLock lock(&mu_);
    slots_.Fill(this, ready_);
    start.assign(ready_.begin(), ready_.end());
    ready_.clear();
    in_flight_ += static_cast<uint32_t>(start.size());
    if (!finished_ && slots_.exhausted() && in_flight_ == 0) {
      finished_ = true;
      finished = true;
    }
  }
  for (const Ticket& ticket : start) {
    auto* context = new grpc::ClientContext;
    SetDeadline(*context, call_timeout_);
    method_->Call(context, ticket,
                  [this, context, ticket](const grpc::Status& status, uint64_t units) {
                    OnCallDone(context, ticket, status, units);
                  });
  }
  // Last: the caller may be destroyed as soon as this returns.
  if (finished) run_->CallerFinished();
}

void UnaryCaller::OnCallDone(grpc::ClientContext* context, const Ticket& ticket,
                             const grpc::Status& status, uint64_t units) {
  const Clock::time_point now = Clock::now();
  delete context;
  {
    absl::MutexLock lock(&mu_);
    --in_flight_;
    if (status.ok()) {
      stats_.Add(ticket, units, now);
      slots_.Release();
    } else {
      slots_.Stop();
    }
  }
  if (status.ok()) {
    run_->AddReply(units);
  } else {
    run_->AddFailure(status, 1);
  }
  Pump();
}

}  // namespace sealtrail::bench
