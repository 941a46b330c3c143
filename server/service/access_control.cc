#include "server/service/access_control.h"

#include <utility>
#include <vector>

namespace sealtrail {

Call AccessControl::Begin(const grpc::ServerContextBase& context, absl::string_view method) const {
  std::vector<absl::string_view> forwarded;
  auto [first, last] = context.client_metadata().equal_range("x-forwarded-for");
  for (auto value = first; value != last; ++value) {
    forwarded.emplace_back(value->second.data(), value->second.size());
  }
  return Begin(method, context.peer(), forwarded);
}

Call AccessControl::Begin(absl::string_view method, absl::string_view peer,
                          const std::vector<absl::string_view>& forwarded) const {
  Call call;
  call.method = std::string(method);
  call.source_ip = addresses_->Resolve(peer, forwarded);
  return call;
}

absl::Status AccessControl::Authenticate(const grpc::ServerContextBase& context, Call& call,
                                         absl::string_view tenant) const {
  return Admit(authenticator_->Authenticate(context), call, tenant);
}

absl::Status AccessControl::Authenticate(const CallCredentials& credentials, Call& call,
                                         absl::string_view tenant) const {
  return Admit(authenticator_->Authenticate(credentials), call, tenant);
}

absl::Status AccessControl::Admit(absl::StatusOr<Principal> principal, Call& call,
                                  absl::string_view tenant) const {
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
