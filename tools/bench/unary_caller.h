// UnaryCaller: one concurrent caller making unary calls one after another (each ticket one
// call), with gRPC's callback API so that 64 callers need no 64 threads. What each call sends
// and checks is the UnaryMethod's business (unary_methods.h).
#ifndef SEALTRAIL_TOOLS_BENCH_UNARY_CALLER_H_
#define SEALTRAIL_TOOLS_BENCH_UNARY_CALLER_H_

#include <chrono>
#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "bench/caller.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace sealtrail::bench {

// One kind of unary call.
//
// Thread-safety: Call may be called from many threads at once.
class UnaryMethod {
 public:
  // How a call ended, and the records (appends) or requests (1) it completed.
  using Done = std::function<void(const grpc::Status& status, uint64_t units)>;

  virtual ~UnaryMethod() = default;
  // Starts the call for `ticket` on `context` (deadline set) and calls `done` once when it ends,
  // on a gRPC thread. A reply that does not answer the request is a failure (INTERNAL).
  virtual void Call(grpc::ClientContext* context, const Ticket& ticket, Done done) = 0;
};

class UnaryCaller final : public Caller {
 public:
  // None owned; all must outlive the caller.
  UnaryCaller(UnaryMethod* method, TicketSource* source, RunState* run,
              std::chrono::nanoseconds call_timeout);

  void Start() override { Pump(); }

 private:
  // Starts a call for every ticket it can get, and reports CallerFinished once nothing is left.
  void Pump() override;
  void OnCallDone(grpc::ClientContext* context, const Ticket& ticket, const grpc::Status& status,
                  uint64_t units);

  UnaryMethod* const method_;
  RunState* const run_;
  const std::chrono::nanoseconds call_timeout_;

  uint32_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_UNARY_CALLER_H_
