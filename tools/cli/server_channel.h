// How the `sealtrail` commands that talk to sealtraild reach it: the server address, the gRPC
// channel, per-call deadlines, the unary calls as functions that return absl::StatusOr, and the
// one mapping from a gRPC status to an absl::Status (whose code then picks the exit code in
// exit_codes.h, as for every other command).
//
// Credentials (client_credentials.h) are applied here and nowhere else: TLS by the channel's
// credentials, the bearer token by an interceptor on the channel that adds
// `authorization: Bearer <token>` to every call, unary or stream. (gRPC's own call credentials
// are not used because it refuses to send them over a plaintext channel, which a loopback server
// may be.) sealtrail-bench opens its channels here too.
#ifndef SEALTRAIL_TOOLS_CLI_SERVER_CHANNEL_H_
#define SEALTRAIL_TOOLS_CLI_SERVER_CHANNEL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/client_credentials.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/status.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"

namespace sealtrail::cli {

// How long one unary call may take, and how long a stream may go without a reply from the server.
inline constexpr absl::Duration kDefaultCallTimeout = absl::Seconds(30);

// The largest message the CLI accepts from the server: sealtraild's own default limit, so that a
// page of results with proofs that the server may send is never refused here.
inline constexpr int kMaxReceiveMessageBytes = 64 << 20;

// Everything needed to reach one server.
struct ServerConnection {
  std::string address;  // HOST:PORT.
  absl::Duration call_timeout = kDefaultCallTimeout;
  ClientCredentials credentials{};
};

// The address the server commands use: `flag` if given, else `env_value` (the value of
// $SEALTRAIL_SERVER, null when unset) if non-empty, else kDefaultServerAddress.
std::string ResolveServerAddress(const std::optional<std::string>& flag, const char* env_value);

// A channel to `target` that sends `authorization: Bearer <token>` on every call, unary or
// stream, through a client interceptor (gRPC refuses call credentials on plaintext channels, and
// a loopback server may be plaintext). An empty `token` sends no authorization metadata.
std::shared_ptr<grpc::Channel> CreateBearerChannel(
    const std::string& target, std::shared_ptr<grpc::ChannelCredentials> credentials,
    const grpc::ChannelArguments& args, absl::string_view token);

// A channel to `server.address` with `server.credentials`: TLS when they have a root CA (and a
// client certificate for mutual TLS), else plaintext; the bearer token, if any, on every call.
// `args` are further channel arguments; the receive limit is set to kMaxReceiveMessageBytes.
// Creating it does not connect: the first call does, and fails with UNAVAILABLE if the server
// cannot be reached.
std::shared_ptr<grpc::Channel> OpenServerChannel(const ServerConnection& server,
                                                 grpc::ChannelArguments args = {});

// Sets the deadline of a unary call: now + server.call_timeout.
void SetCallDeadline(const ServerConnection& server, grpc::ClientContext& context);

// The canonical code for a gRPC code (the same set of codes; unknown values are UNKNOWN).
absl::StatusCode FromGrpcCode(grpc::StatusCode code);

// The absl::Status for a gRPC status: the same canonical code and the server's message, with
// "server at ADDRESS: " prepended when the server could not be reached (UNAVAILABLE), since
// gRPC's own message for that names no address the user would recognize, and for UNAUTHENTICATED
// without a token a hint of how to give one, marked as the server's (MarkFromServer, so that its
// UNAUTHENTICATED is exit 5, not 3). The only place a gRPC status is converted.
absl::Status FromGrpcStatus(const grpc::Status& status, const ServerConnection& server);

// The server's unary calls, each with the connection's deadline and its status converted by
// FromGrpcStatus. Streams are made on audit_log() by their callers.
//
// Thread-safety: the calls may be made from any thread (gRPC stubs are thread-safe).
class ServerClient {
 public:
  explicit ServerClient(ServerConnection server);

  const ServerConnection& connection() const { return server_; }
  v1::AuditLog::Stub& audit_log() { return *audit_log_; }

  absl::StatusOr<v1::AppendResponse> Append(const v1::AppendRequest& request);
  absl::StatusOr<v1::QueryResponse> Query(const v1::QueryRequest& request);
  absl::StatusOr<v1::ProveInclusionResponse> ProveInclusion(
      const v1::ProveInclusionRequest& request);
  absl::StatusOr<v1::ProveConsistencyResponse> ProveConsistency(
      const v1::ProveConsistencyRequest& request);
  // The stored checkpoint of `tree_size`, or the latest for 0.
  absl::StatusOr<v1::Checkpoint> GetCheckpoint(uint64_t tree_size);
  absl::StatusOr<v1::ListWebhookDeliveriesResponse> ListWebhookDeliveries(
      const v1::ListWebhookDeliveriesRequest& request);
  absl::StatusOr<v1::RetryWebhookDeliveriesResponse> RetryWebhookDeliveries(
      const v1::RetryWebhookDeliveriesRequest& request);

 private:
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(Stub& stub,
                                grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*),
                                const Request& request);

  ServerConnection server_;
  std::unique_ptr<v1::AuditLog::Stub> audit_log_;
  std::unique_ptr<v1::Prover::Stub> prover_;
  std::unique_ptr<v1::Admin::Stub> admin_;
};

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_SERVER_CHANNEL_H_
