// ServerHealth: what sealtraild tells health checkers and its event log when one of its
// background stages stops for good after an error, so that no failure goes unheard.
//
// The stages (kHealthStages): "committer" (the append pipeline's log writer), "indexer" (its
// index writer) and "checkpointer" (background checkpoint signing). Each is a gRPC health
// service named "sealtrail.<stage>"; the server as a whole is the service "". All start
// SERVING; when a stage fails, it and "" turn NOT_SERVING for the rest of the process's life
// (the remedy is a restart, which recovers from what is durable), and an error event
// "stage_failed" names the stage and the cause. gRPC health has no field for a reason, so the
// stage's service name says which part failed and the event log (and the errors the affected
// RPCs answer with) says why.
//
// Thread-safety: every method may be called from any thread.
#ifndef SEALTRAIL_SERVER_SERVICE_SERVER_HEALTH_H_
#define SEALTRAIL_SERVER_SERVICE_SERVER_HEALTH_H_

#include <array>
#include <map>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/service/event_log.h"

namespace sealtrail {

inline constexpr std::array<std::string_view, 3> kHealthStages = {"committer", "indexer",
                                                                  "checkpointer"};

// "sealtrail.<stage>": the gRPC health service name of a stage.
std::string HealthServiceName(std::string_view stage);

class ServerHealth {
 public:
  // `events` is not owned and must outlive this object.
  explicit ServerHealth(EventLog* events) : events_(events) {}

  // Records that `stage` stopped after `cause`: logs "stage_failed" (once per stage) and turns
  // the stage and the server NOT_SERVING.
  void Fail(std::string_view stage, const absl::Status& cause);

  // Connects the gRPC health service (not owned) and sets it to the current state;
  // nullptr disconnects it, which must happen before the service is destroyed.
  void Attach(grpc::HealthCheckServiceInterface* service);

  // Shutdown: everything NOT_SERVING from now on, failed or not.
  void BeginShutdown();

  // OK, or the first failure, prefixed with its stage.
  absl::Status first_failure() const;

 private:
  void Apply() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  EventLog* const events_;
  mutable absl::Mutex mu_;
  grpc::HealthCheckServiceInterface* service_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::map<std::string, absl::Status, std::less<>> failed_ ABSL_GUARDED_BY(mu_);
  absl::Status first_failure_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_SERVER_HEALTH_H_
