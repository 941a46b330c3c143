// AppendStreamCaller: one AuditLog.AppendStream, driven by gRPC's callback API. Up to `window`
// requests are in flight (written, reply not yet read); writes go out one at a time, replies come
// back in request order, so each reply is matched to the oldest request in flight. Requests are
// pre-serialized (RequestPool) and sent through a generic stub, so no record is serialized
// while the stream runs.
//
// A reply must carry one result per record, else the stream counts as failed. A failed stream
// reports its status to the RunState (every request in flight counts as failed) and stops.
//
// Lifetime: the caller holds the stream open (AddHold) while the source may still call it
// back, so OnDone (which reports CallerFinished) comes only after its last callback.
#ifndef SEALTRAIL_TOOLS_BENCH_APPEND_STREAM_CALLER_H_
#define SEALTRAIL_TOOLS_BENCH_APPEND_STREAM_CALLER_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "bench/caller.h"
#include "bench/request_pool.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/client_callback.h"
#include "sealtrail/v1/audit_service.pb.h"

namespace sealtrail::bench {

using AppendStub = grpc::TemplatedGenericStub<grpc::ByteBuffer, v1::AppendResponse>;

// "/sealtrail.v1.AuditLog/METHOD", for the generic stubs.
std::string AuditLogMethodPath(const char* method);

struct AppendStreamOptions {
  uint32_t window = 8;
  uint32_t batch = 256;  // Records per request of the pool, the results expected per reply.
  std::chrono::nanoseconds stream_timeout{0};  // The stream's deadline, from Start.
};

class AppendStreamCaller final
    : public Caller,
      public grpc::ClientBidiReactor<grpc::ByteBuffer, v1::AppendResponse> {
 public:
  // None owned; all must outlive the caller.
  AppendStreamCaller(AppendStub* stub, const std::string* method, const RequestPool* pool,
                     TicketSource* source, RunState* run, AppendStreamOptions options);

  void Start() override;

  void OnWriteDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  // Takes tickets, writes the next request if none is being written, half-closes when all is
  // answered, and lets the stream end once the source will not call back.
  void Pump() override;

  AppendStub* const stub_;
  const std::string* const method_;
  const RequestPool* const pool_;
  RunState* const run_;
  const AppendStreamOptions options_;
  grpc::ClientContext context_;
  v1::AppendResponse response_;  // The read buffer: touched only by OnReadDone.

  std::deque<Ticket> in_flight_ ABSL_GUARDED_BY(mu_);  // Written (or being written), no reply.
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;  // A write or read failed: no more writes.
  bool writes_done_ ABSL_GUARDED_BY(mu_) = false;
  bool hold_released_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status reply_error_ ABSL_GUARDED_BY(mu_);  // A malformed reply, reported at OnDone.
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_APPEND_STREAM_CALLER_H_
