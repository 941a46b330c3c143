#include "server/service/append_admission.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"

namespace sealtrail {

absl::Status ValidateAppendRequest(const v1::AppendRequest& request, uint32_t max_records) {
  if (request.records_size() == 0) {
    return absl::InvalidArgumentError("an AppendRequest must carry at least one record");
  }
  if (static_cast<uint64_t>(request.records_size()) > max_records) {
    return absl::InvalidArgumentError(absl::StrCat("an AppendRequest may carry at most ",
                                                   max_records, " records, this one has ",
                                                   request.records_size()));
  }
  for (int i = 0; i < request.records_size(); ++i) {
    absl::Status status = ValidateRecord(request.records(i));
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("records[", i, "]: ", status.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::AuditRecord>> AppendAdmission::Admit(
    const Call& call, v1::AppendRequest& request) const {
  RETURN_IF_ERROR(ValidateAppendRequest(request, max_batch_records_));
  // One check per distinct tenant: a batch is usually one tenant's.
  const std::string* checked = nullptr;
  for (const v1::AuditRecord& record : request.records()) {
    const std::string& tenant = record.context().tenant_id();
    if (checked != nullptr && *checked == tenant) continue;
    RETURN_IF_ERROR(access_->Authorize(call, tenant));
    checked = &tenant;
  }
  std::vector<v1::AuditRecord> records;
  records.reserve(request.records_size());
  for (v1::AuditRecord& record : *request.mutable_records()) records.push_back(std::move(record));
  return records;
}

}  // namespace sealtrail
