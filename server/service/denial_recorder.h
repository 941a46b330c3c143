// DenialRecorder: every request the server refuses (no credential, a bad token, a missing role,
// another tenant) is itself evidence, appended to the log through the AppendPipeline as an
// AuditRecord (docs/server.md, "Denied requests"):
//   actor.user_id      the caller's subject, or "anonymous"; actor.verified: whether the subject
//                      came from a verified credential
//   action.name        "auth.denied"; action.method: the gRPC method path
//   context.tenant_id  the tenant the request targeted, or "_platform" when unknown (or not a
//                      possible tenant name: see DenialRecord)
//   context.source_ip  the client address (ClientAddress)
//   outcome            DENIED, status_code the gRPC code, reason the refusal message
//
// Refusals must not flood the log: identical denials (same subject or source IP, method, reason
// and tenant) within `window` are collapsed. The first is recorded at once; the others are
// counted and recorded as one event, with details.attributes["count"], when the window closes
// (a background flush). At most `max_keys` denials are tracked; beyond that they are counted into
// one overflow event (tenant "_platform").
//
// Record never waits for the evidence to be durable (a refused caller must not hold a pipeline
// slot); a record the pipeline refuses (back-pressure, shutdown) is reported as a
// `denial_not_recorded` error event. Stop submits every pending count, so nothing counted is lost
// on a clean shutdown; call it after the gRPC server stopped and before the pipeline stops.
//
// Thread-safety: Record may be called from any thread.
#ifndef SEALTRAIL_SERVER_SERVICE_DENIAL_RECORDER_H_
#define SEALTRAIL_SERVER_SERVICE_DENIAL_RECORDER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sealtrail/env.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "server/record/record.h"
#include "server/service/append_pipeline.h"
#include "server/service/event_log.h"

namespace sealtrail {

// One refused request.
struct Denial {
  std::string subject;    // Empty when the caller is unknown ("anonymous").
  bool verified = false;  // The subject comes from a verified credential.
  std::string method;     // The full gRPC method path.
  std::string tenant;     // Empty when unknown (kPlatformTenant).
  std::string source_ip;  // May be empty.
  absl::Status refusal;   // The status the caller got; not OK.
};

struct DenialRecorderOptions {
  absl::Duration window = absl::Seconds(10);
  size_t max_keys = 10000;
};

// The evidence record of `denial`, valid for ValidateRecord. A subject, method or reason over
// its field's limit (server/record/record.h) is cut, and details.attributes["cut.FIELD"] holds
// the original's length in bytes. The tenant is never cut: one over the limit (or not UTF-8) is
// recorded as kPlatformTenant with details.attributes["requested_tenant_bytes"].
v1::AuditRecord DenialRecord(const Denial& denial);

class DenialRecorder {
 public:
  // `pipeline` and `events` are not owned and must outlive the recorder; `env` supplies the
  // clock of the windows (nullptr: Env::Default()). Starts the flush thread.
  DenialRecorder(AppendPipeline* pipeline, EventLog* events, Env* env,
                 DenialRecorderOptions options);
  // Stops (see Stop).
  ~DenialRecorder();
  DenialRecorder(const DenialRecorder&) = delete;
  DenialRecorder& operator=(const DenialRecorder&) = delete;

  // Records `denial` (at once, or counted). Never blocks on the pipeline. Ignored after Stop.
  void Record(Denial denial);

  // Submits every pending count and joins the flush thread. Idempotent.
  void Stop();

 private:
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  struct Window {
    Denial first;          // The denial recorded at the window's start.
    int64_t end_ns = 0;    // When the window closes.
    uint64_t counted = 0;  // Identical denials since, not yet recorded.
  };

  void FlushLoop();
  // The count records of windows closed by `now_ns` (every window when `all`), which are dropped.
  std::vector<v1::AuditRecord> TakeClosedLocked(int64_t now_ns, bool all)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Outside mu_: the pipeline may run the callback at once.
  void Submit(std::vector<v1::AuditRecord> records);

  AppendPipeline* const pipeline_;
  EventLog* const events_;
  Env* const env_;
  const DenialRecorderOptions options_;

  absl::Mutex mu_;
  std::map<Key, Window> windows_ ABSL_GUARDED_BY(mu_);
  uint64_t overflow_ ABSL_GUARDED_BY(mu_) = 0;  // Denials beyond max_keys, not yet recorded.
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread flusher_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_DENIAL_RECORDER_H_
