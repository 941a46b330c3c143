// AppendAdmission: what happens to an AppendRequest between its arrival and the AppendPipeline,
// for Append and AppendStream alike:
//   1. ValidateAppendRequest: INVALID_ARGUMENT naming the record; not a denial.
//   2. No record may carry a reserved tenant or action (record.h, CheckNotReserved), whatever
//      the caller's tenants ("*" included): PERMISSION_DENIED naming the name, recorded as a
//      denial against that tenant; nothing of the request is queued.
//      The caller must be an appender for every record's tenant: PERMISSION_DENIED, recorded as
//      a denial against that tenant; nothing of the request is queued.
//   3. The server-set fields are overwritten: actor.service is the caller's subject,
//      context.source_ip the client address (Call::source_ip).
//   4. Actor tokens: a record with a token the verifier accepts, whose tenant claim equals the
//      record's tenant, gets actor.user_id and actor.role from the token's sub and role claim and
//      actor.verified = true. Any other record is kept with actor.verified = false and the
//      reason in actor.verification_error ("no token", the verifier's message, a tenant
//      mismatch), unless its tenant is in require_verified: then the request is refused
//      (PERMISSION_DENIED, recorded as a denial).
//
// Thread-safety: immutable; Admit may be called concurrently.
#ifndef SEALTRAIL_SERVER_SERVICE_APPEND_ADMISSION_H_
#define SEALTRAIL_SERVER_SERVICE_APPEND_ADMISSION_H_

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sealtrail/v1/audit_service.pb.h"
#include "server/service/access_control.h"

namespace sealtrail {

// Checks an AppendRequest: at least one and at most `max_records` records, each passing
// ValidateRecord, and no actor tokens or one per record. INVALID_ARGUMENT naming the record
// ("records[3]: context.tenant_id ...").
[[nodiscard]] absl::Status ValidateAppendRequest(const v1::AppendRequest& request,
                                                 uint32_t max_records);

class AppendAdmission {
 public:
  // `access` is not owned and must outlive this.
  AppendAdmission(const AccessControl* access, uint32_t max_batch_records,
                  std::set<std::string> require_verified)
      : access_(access),
        max_batch_records_(max_batch_records),
        require_verified_(std::move(require_verified)) {}

  // The records of `request` (moved out of it), ready for AppendPipeline::Submit, or the
  // refusal described above. REQUIRES: `call` is authenticated.
  [[nodiscard]] absl::StatusOr<std::vector<v1::AuditRecord>> Admit(
      const Call& call, v1::AppendRequest& request) const;

 private:
  // Steps 3 and 4 for record `index` of `request`; the refusal of step 4.
  absl::Status Stamp(const Call& call, const v1::AppendRequest& request, int index,
                     v1::AuditRecord& record) const;

  const AccessControl* const access_;
  const uint32_t max_batch_records_;
  const std::set<std::string> require_verified_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_APPEND_ADMISSION_H_
