// How sealtraild's port is secured: TLS from a certificate and key file, optionally mutual TLS
// (clients must present a certificate signed by the client CA, which gRPC verifies), or plaintext,
// which is allowed on loopback addresses only.
#ifndef SEALTRAIL_SERVER_SERVICE_TRANSPORT_SECURITY_H_
#define SEALTRAIL_SERVER_SERVICE_TRANSPORT_SECURITY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"
#include "sealtrail/env.h"
#include "server/service/server_options.h"

namespace sealtrail {

// "host" of "host:port" ("[::1]:7700" -> "[::1]").
std::string ListenHost(const std::string& listen);
// localhost, 127.0.0.0/8 and [::1].
bool IsLoopbackHost(const std::string& host);

// Checks the TLS options together, before anything is opened. INVALID_ARGUMENT for a certificate
// without a key or the reverse, a client CA or identity map without TLS or mutual TLS, and
// plaintext on a non-loopback address ("listening on X requires TLS (--tls-cert/--tls-key)").
[[nodiscard]] absl::Status CheckTransportOptions(const ServerOptions& options);

// The credentials of the listening port. Reads the PEM files through `env`: NOT_FOUND, or
// INVALID_ARGUMENT for a file that holds no PEM block. (gRPC itself checks that the key matches
// the certificate when the port is bound.)
[[nodiscard]] absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    Env* env, const ServerOptions& options);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_TRANSPORT_SECURITY_H_
