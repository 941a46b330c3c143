#include "server/service/server_health.h"

#include "absl/strings/str_cat.h"

namespace sealtrail {

std::string HealthServiceName(std::string_view stage) {
  return absl::StrCat("sealtrail.", absl::string_view(stage.data(), stage.size()));
}

void ServerHealth::Fail(std::string_view stage, const absl::Status& cause) {
  {
    absl::MutexLock lock(&mu_);
    if (!failed_.emplace(std::string(stage), cause).second) return;
    if (first_failure_.ok()) {
      first_failure_ = absl::Status(
          cause.code(),
          absl::StrCat(absl::string_view(stage.data(), stage.size()), ": ", cause.message()));
    }
    Apply();
  }
  events_->Error("stage_failed", {{"stage", stage},
                                  {"health", HealthServiceName(stage)},
                                  {"status", "NOT_SERVING"},
                                  {"error", cause.ToString()}});
}

void ServerHealth::Attach(grpc::HealthCheckServiceInterface* service) {
  absl::MutexLock lock(&mu_);
  service_ = service;
  Apply();
}

void ServerHealth::BeginShutdown() {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
  Apply();
}

absl::Status ServerHealth::first_failure() const {
  absl::MutexLock lock(&mu_);
  return first_failure_;
}

void ServerHealth::Apply() {
  if (service_ == nullptr) return;
  service_->SetServingStatus("", !shutting_down_ && failed_.empty());
  for (std::string_view stage : kHealthStages) {
    service_->SetServingStatus(HealthServiceName(stage),
                               !shutting_down_ && failed_.find(stage) == failed_.end());
  }
}

}  // namespace sealtrail
