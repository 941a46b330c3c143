// AppendAdmission: what happens to an AppendRequest between its arrival and the AppendPipeline,
// for Append and AppendStream alike:
//   1. ValidateAppendRequest: INVALID_ARGUMENT naming the record; not a denial.
//   2. The caller must be an appender for every record's tenant: PERMISSION_DENIED, recorded as
//      a denial against that tenant; nothing of the request is queued.
//
// Thread-safety: immutable; Admit may be called concurrently.
#ifndef SEALTRAIL_SERVER_SERVICE_APPEND_ADMISSION_H_
#define SEALTRAIL_SERVER_SERVICE_APPEND_ADMISSION_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sealtrail/v1/audit_service.pb.h"
#include "server/service/access_control.h"

namespace sealtrail {

// Checks an AppendRequest: at least one and at most `max_records` records, each passing
// ValidateRecord. INVALID_ARGUMENT naming the record ("records[3]: context.tenant_id ...").
[[nodiscard]] absl::Status ValidateAppendRequest(const v1::AppendRequest& request,
                                                 uint32_t max_records);

class AppendAdmission {
 public:
  // `access` is not owned and must outlive this.
  AppendAdmission(const AccessControl* access, uint32_t max_batch_records)
      : access_(access), max_batch_records_(max_batch_records) {}

  // The records of `request` (moved out of it), ready for AppendPipeline::Submit, or the
  // refusal described above. REQUIRES: `call` is authenticated.
  [[nodiscard]] absl::StatusOr<std::vector<v1::AuditRecord>> Admit(
      const Call& call, v1::AppendRequest& request) const;

 private:
  const AccessControl* const access_;
  const uint32_t max_batch_records_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_APPEND_ADMISSION_H_
