#include "server/service/access_control.h"

#include <utility>
#include <vector>

namespace sealtrail {

Call AccessControl::Begin(const grpc::ServerContextBase& context, absl::string_view method) const {
  Call call;
  call.method = std::string(method);
  std::vector<absl::string_view> forwarded;
  auto [first, last] = context.client_metadata().equal_range("x-forwarded-for");
  for (auto value = first; value != last; ++value) {
    forwarded.emplace_back(value->second.data(), value->second.size());
  }
  call.source_ip = addresses_->Resolve(context.peer(), forwarded);
  return call;
}

absl::Status AccessControl::Authenticate(const grpc::ServerContextBase& context, Call& call,
                                         absl::string_view tenant) const {
  absl::StatusOr<Principal> principal = authenticator_->Authenticate(context);
  if (!principal.ok()) return Deny(call, tenant, principal.status());
  call.principal = *std::move(principal);
  return absl::OkStatus();
}

absl::Status AccessControl::AuthorizeRole(const Call& call, absl::string_view tenant) const {
  absl::Status allowed = sealtrail::AuthorizeRole(*call.principal, RequiredAccess(call.method));
  return allowed.ok() ? allowed : Deny(call, tenant, std::move(allowed));
}

absl::Status AccessControl::Authorize(const Call& call, absl::string_view tenant) const {
  absl::Status allowed = sealtrail::Authorize(*call.principal, RequiredAccess(call.method), tenant);
  return allowed.ok() ? allowed : Deny(call, tenant, std::move(allowed));
}

absl::Status AccessControl::Deny(const Call& call, absl::string_view tenant,
                                 absl::Status refusal) const {
  Denial denial;
  if (call.principal.has_value()) {
    denial.subject = call.principal->subject;
    denial.verified = true;
  }
  denial.method = call.method;
  denial.tenant = std::string(tenant);
  denial.source_ip = call.source_ip;
  denial.refusal = refusal;
  denials_->Record(std::move(denial));
  return refusal;
}

}  // namespace sealtrail
