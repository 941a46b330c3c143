// Authenticator: who is calling. Turns a call's credential into a Principal:
//   - a bearer JWT in the "authorization" metadata ("Bearer <token>"), verified by the server's
//     JwtVerifier (roles and tenants from its configured claims); or, without one,
//   - with mutual TLS, the client certificate gRPC verified against the client CA, whose subject
//     CN names an identity in the client identity map.
// A token, when present, is the credential even on a mutual-TLS connection.
//
// The client identity map is a JSON object from certificate CN to identity:
//   {"billing-service": {"subject": "billing", "roles": ["appender"], "tenants": ["acme"]}}
//
// Thread-safety: immutable after construction; Authenticate may be called concurrently.
#ifndef SEALTRAIL_SERVER_SERVICE_AUTHENTICATOR_H_
#define SEALTRAIL_SERVER_SERVICE_AUTHENTICATOR_H_

#include <map>
#include <memory>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "sealtrail/env.h"
#include "server/auth/jwt_verifier.h"
#include "server/auth/principal.h"

namespace sealtrail {

// Client certificate CN -> the identity it stands for (credential "client-certificate").
using ClientIdentities = std::map<std::string, Principal, std::less<>>;

// Parses a client identity map (above). INVALID_ARGUMENT naming the entry for malformed JSON,
// a missing or empty subject, an unknown role name or a tenants value that is not a list of
// strings.
[[nodiscard]] absl::StatusOr<ClientIdentities> ParseClientIdentities(absl::string_view json);
// Reads and parses the file at `path`. NOT_FOUND, or errors as above naming the file.
[[nodiscard]] absl::StatusOr<ClientIdentities> LoadClientIdentities(Env* env,
                                                                    const std::string& path);

// A call's credentials, whatever its transport (gRPC metadata and TLS, or HTTP headers and TLS).
struct CallCredentials {
  // Every "authorization" value the call carried, in order.
  std::vector<std::string> authorization;
  // The subject CN of the client certificate TLS verified against the client CA; empty if none.
  std::string client_certificate_cn;
};

// The principal a verified bearer token stands for: its subject, roles (names this server does
// not know are ignored) and tenants ("*": every tenant).
Principal PrincipalFromToken(const VerifiedToken& token);

class Authenticator {
 public:
  // `verifier` verifies bearer tokens; `identities` maps client certificates (empty without
  // mutual TLS).
  Authenticator(std::unique_ptr<JwtVerifier> verifier, ClientIdentities identities)
      : verifier_(std::move(verifier)), identities_(std::move(identities)) {}

  // The caller of `context`. UNAUTHENTICATED with a message naming the problem: no credential,
  // a malformed authorization value, a token the verifier refused (its message), a client
  // certificate whose CN is not in the map. The message never echoes the token.
  [[nodiscard]] absl::StatusOr<Principal> Authenticate(
      const grpc::ServerContextBase& context) const;
  // The same for credentials a non-gRPC edge (OTLP/HTTP) collected.
  [[nodiscard]] absl::StatusOr<Principal> Authenticate(const CallCredentials& credentials) const;

  // The verifier, also used for end users' actor tokens.
  const JwtVerifier& verifier() const { return *verifier_; }

 private:
  std::unique_ptr<JwtVerifier> verifier_;
  ClientIdentities identities_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_AUTHENTICATOR_H_
