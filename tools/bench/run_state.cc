#include "bench/run_state.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sealtrail::bench {

void CallerStats::Add(const Ticket& ticket, uint64_t reply_units, Clock::time_point now) {
  if (!ticket.measured) return;
  const auto latency = std::chrono::duration_cast<std::chrono::nanoseconds>(now - ticket.intended);
  latency_ns.Record(static_cast<uint64_t>(std::max<int64_t>(0, latency.count())));
  ++requests;
  units += reply_units;
  last_reply = std::max(last_reply, now);
}

void CallerStats::Merge(const CallerStats& other) {
  latency_ns.Merge(other.latency_ns);
  requests += other.requests;
  units += other.units;
  last_reply = std::max(last_reply, other.last_reply);
}

void RunState::AddFailure(const grpc::Status& status, uint64_t failed) {
  failures_.fetch_add(failed, std::memory_order_relaxed);
  {
    absl::MutexLock lock(&mu_);
    if (first_error_.empty()) {
      // gRPC's codes are the canonical codes, number for number.
      first_error_ =
          absl::StrCat(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                       ": ", absl::string_view(status.error_message()));
    }
  }
  source_->Abort();
}

void RunState::CallerFinished() {
  absl::MutexLock lock(&mu_);
  --running_;
}

bool RunState::WaitForCallers(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto all_finished = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return running_ == 0; };
  return mu_.AwaitWithTimeout(absl::Condition(&all_finished), timeout);
}

std::string RunState::first_error() const {
  absl::MutexLock lock(&mu_);
  return first_error_;
}

}  // namespace sealtrail::bench
