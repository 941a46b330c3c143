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
  if (request.actor_tokens_size() != 0 && request.actor_tokens_size() != request.records_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("actor_tokens must be empty or hold one token per record (",
                     request.records_size(), "), it holds ", request.actor_tokens_size()));
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
  // Reserved tenants and actions are the server's own, whatever tenants the caller may append
  // to: a record of them from a client could forge denial evidence or alerts.
  for (int i = 0; i < request.records_size(); ++i) {
    absl::Status reserved = CheckNotReserved(request.records(i));
    if (!reserved.ok()) {
      return access_->Deny(
          call, request.records(i).context().tenant_id(),
          absl::PermissionDeniedError(absl::StrCat("records[", i, "]: ", reserved.message())));
    }
  }
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
  for (int i = 0; i < request.records_size(); ++i) {
    v1::AuditRecord& record = *request.mutable_records(i);
    RETURN_IF_ERROR(Stamp(call, request, i, record));
    records.push_back(std::move(record));
  }
  return records;
}

absl::Status AppendAdmission::Stamp(const Call& call, const v1::AppendRequest& request, int index,
                                    v1::AuditRecord& record) const {
  record.mutable_actor()->set_service(call.principal->subject);
  record.mutable_context()->set_source_ip(call.source_ip);
  const std::string& tenant = record.context().tenant_id();
  absl::Status unverified = absl::OkStatus();
  if (request.actor_tokens_size() == 0 || request.actor_tokens(index).empty()) {
    unverified = absl::UnauthenticatedError("no token");
  } else {
    absl::StatusOr<VerifiedToken> token =
        access_->authenticator().verifier().Verify(request.actor_tokens(index));
    if (!token.ok()) {
      unverified = token.status();
    } else if (token->subject.empty()) {
      unverified = absl::UnauthenticatedError("the token has no subject (\"sub\")");
    } else if (token->tenant != tenant) {
      unverified = absl::UnauthenticatedError(
          token->tenant.empty() ? std::string("the token has no tenant claim")
                                : absl::StrCat("the token is for tenant \"", token->tenant,
                                               "\", not the record's \"", tenant, "\""));
    } else {
      record.mutable_actor()->set_user_id(token->subject);
      record.mutable_actor()->set_role(token->role);
      record.mutable_actor()->set_verified(true);
      record.mutable_actor()->clear_verification_error();
      return absl::OkStatus();
    }
  }
  record.mutable_actor()->set_verified(false);
  record.mutable_actor()->set_verification_error(std::string(unverified.message()));
  if (require_verified_.count(tenant) == 0) return absl::OkStatus();
  return access_->Deny(call, tenant,
                       absl::PermissionDeniedError(absl::StrCat(
                           "records[", index, "]: tenant \"", tenant,
                           "\" accepts only verified actors: ", unverified.message())));
}

}  // namespace sealtrail
