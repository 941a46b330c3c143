// AccessControl: what every RPC handler does before it touches storage, in one place:
// authenticate the caller (Authenticator), check its roles and tenants (authorizer.h), resolve
// the client address (ClientAddress), and record every refusal as evidence (DenialRecorder).
//
// A handler begins each call with Begin, then Authenticate, then Authorize for each tenant it is
// about to touch; a refusal it decides itself (a record of another tenant, a policy) goes through
// Deny. Each of these returns the refusal for the caller and has already recorded it.
//
// Thread-safety: all methods may be called concurrently. None owned; all must outlive this.
#ifndef SEALTRAIL_SERVER_SERVICE_ACCESS_CONTROL_H_
#define SEALTRAIL_SERVER_SERVICE_ACCESS_CONTROL_H_

#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "grpcpp/server_context.h"
#include "server/auth/principal.h"
#include "server/service/authenticator.h"
#include "server/service/authorizer.h"
#include "server/service/client_address.h"
#include "server/service/denial_recorder.h"

namespace sealtrail {

// One call, as far as access control knows it.
struct Call {
  std::string method;                  // The full gRPC method path (authorizer.h).
  std::string source_ip;               // The client address; may be empty.
  std::optional<Principal> principal;  // Set by a successful Authenticate.
};

class AccessControl {
 public:
  AccessControl(const Authenticator* authenticator, const ClientAddress* addresses,
                DenialRecorder* denials)
      : authenticator_(authenticator), addresses_(addresses), denials_(denials) {}

  // The call of `context` to `method` (a full path of authorizer.h), not yet authenticated.
  Call Begin(const grpc::ServerContextBase& context, absl::string_view method) const;
  // The same for a non-gRPC edge: `peer` in gRPC's form ("ipv4:10.0.0.7:5000"), and every
  // x-forwarded-for value.
  Call Begin(absl::string_view method, absl::string_view peer,
             const std::vector<absl::string_view>& forwarded) const;

  // Authenticates `call` (sets call.principal). UNAUTHENTICATED, recorded against `tenant` (the
  // tenant the request names; empty if none).
  [[nodiscard]] absl::Status Authenticate(const grpc::ServerContextBase& context, Call& call,
                                          absl::string_view tenant) const;
  // The same with credentials a non-gRPC edge collected.
  [[nodiscard]] absl::Status Authenticate(const CallCredentials& credentials, Call& call,
                                          absl::string_view tenant) const;

  // Whether the caller holds a role for the method's access at all (before any lookup).
  // PERMISSION_DENIED, recorded against `tenant`. REQUIRES: Authenticate succeeded.
  [[nodiscard]] absl::Status AuthorizeRole(const Call& call, absl::string_view tenant) const;

  // Whether the caller may use the method on `tenant`. PERMISSION_DENIED, recorded.
  // REQUIRES: Authenticate succeeded.
  [[nodiscard]] absl::Status Authorize(const Call& call, absl::string_view tenant) const;

  // Records `refusal` (not OK), decided by the handler, against `tenant`, and returns it.
  [[nodiscard]] absl::Status Deny(const Call& call, absl::string_view tenant,
                                  absl::Status refusal) const;

  const Authenticator& authenticator() const { return *authenticator_; }

 private:
  // Sets call.principal, or records the refusal.
  absl::Status Admit(absl::StatusOr<Principal> principal, Call& call,
                     absl::string_view tenant) const;

  const Authenticator* const authenticator_;
  const ClientAddress* const addresses_;
  DenialRecorder* const denials_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_ACCESS_CONTROL_H_
