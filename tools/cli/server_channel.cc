#include "cli/server_channel.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "cli/exit_codes.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_interceptor.h"
#include "server/service/defaults.h"

namespace sealtrail::cli {
namespace {

namespace gx = ::grpc::experimental;

// Adds `authorization: <header>` to the initial metadata of one call.
class BearerTokenInterceptor : public gx::Interceptor {
 public:
  explicit BearerTokenInterceptor(std::shared_ptr<const std::string> header)
      : header_(std::move(header)) {}

  void Intercept(gx::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            gx::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("authorization", *header_);
    }
    methods->Proceed();
  }

 private:
  std::shared_ptr<const std::string> header_;
};

class BearerTokenInterceptorFactory : public gx::ClientInterceptorFactoryInterface {
 public:
  explicit BearerTokenInterceptorFactory(absl::string_view token)
      : header_(std::make_shared<const std::string>(absl::StrCat("Bearer ", token))) {}

  gx::Interceptor* CreateClientInterceptor(gx::ClientRpcInfo* /*info*/) override {
    return new BearerTokenInterceptor(header_);
  }

 private:
  std::shared_ptr<const std::string> header_;
};

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const ClientCredentials& credentials) {
  if (!credentials.tls()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = credentials.tls_root_pem;
  options.pem_cert_chain = credentials.tls_cert_pem;
  options.pem_private_key = credentials.tls_key_pem;
  return grpc::SslCredentials(options);
}

}  // namespace

std::string ResolveServerAddress(const std::optional<std::string>& flag, const char* env_value) {
  if (flag.has_value()) return *flag;
  if (env_value != nullptr && env_value[0] != '\0') return env_value;
  return std::string(kDefaultServerAddress);
}

std::shared_ptr<grpc::Channel> CreateBearerChannel(
    const std::string& target, std::shared_ptr<grpc::ChannelCredentials> credentials,
    const grpc::ChannelArguments& args, absl::string_view token) {
  std::vector<std::unique_ptr<gx::ClientInterceptorFactoryInterface>> interceptors;
  if (!token.empty())
    interceptors.push_back(std::make_unique<BearerTokenInterceptorFactory>(token));
  return gx::CreateCustomChannelWithInterceptors(target, std::move(credentials), args,
                                                 std::move(interceptors));
}

std::shared_ptr<grpc::Channel> OpenServerChannel(const ServerConnection& server,
                                                 grpc::ChannelArguments args) {
  args.SetMaxReceiveMessageSize(kMaxReceiveMessageBytes);
  return CreateBearerChannel(server.address, ChannelCredentials(server.credentials), args,
                             server.credentials.bearer_token);
}

void SetCallDeadline(const ServerConnection& server, grpc::ClientContext& context) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + server.call_timeout));
}

absl::StatusCode FromGrpcCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return absl::StatusCode::kOk;
    case grpc::StatusCode::CANCELLED:
      return absl::StatusCode::kCancelled;
    case grpc::StatusCode::UNKNOWN:
      return absl::StatusCode::kUnknown;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return absl::StatusCode::kInvalidArgument;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StatusCode::kDeadlineExceeded;
    case grpc::StatusCode::NOT_FOUND:
      return absl::StatusCode::kNotFound;
    case grpc::StatusCode::ALREADY_EXISTS:
      return absl::StatusCode::kAlreadyExists;
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::StatusCode::kPermissionDenied;
    case grpc::StatusCode::UNAUTHENTICATED:
      return absl::StatusCode::kUnauthenticated;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return absl::StatusCode::kResourceExhausted;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return absl::StatusCode::kFailedPrecondition;
    case grpc::StatusCode::ABORTED:
      return absl::StatusCode::kAborted;
    case grpc::StatusCode::OUT_OF_RANGE:
      return absl::StatusCode::kOutOfRange;
    case grpc::StatusCode::UNIMPLEMENTED:
      return absl::StatusCode::kUnimplemented;
    case grpc::StatusCode::INTERNAL:
      return absl::StatusCode::kInternal;
    case grpc::StatusCode::UNAVAILABLE:
      return absl::StatusCode::kUnavailable;
    case grpc::StatusCode::DATA_LOSS:
      return absl::StatusCode::kDataLoss;
    default:
      return absl::StatusCode::kUnknown;
  }
}

namespace {

absl::Status FromGrpcStatusUnmarked(const grpc::Status& status, const ServerConnection& server) {
  const absl::StatusCode code = FromGrpcCode(status.error_code());
  if (code == absl::StatusCode::kOk) return absl::OkStatus();
  if (code == absl::StatusCode::kUnavailable) {
    return absl::Status(code, absl::StrCat("server at ", server.address, ": ",
                                           absl::string_view(status.error_message())));
  }
  if (code == absl::StatusCode::kUnauthenticated && server.credentials.bearer_token.empty()) {
    return absl::Status(code, absl::StrCat(absl::string_view(status.error_message()),
                                           " (no token was sent: give --token, --token-file, $",
                                           kTokenEnv, ", or --data DIR of a local sealtraild)"));
  }
  return absl::Status(code, status.error_message());
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status, const ServerConnection& server) {
  return MarkFromServer(FromGrpcStatusUnmarked(status, server));
}

ServerClient::ServerClient(ServerConnection server) : server_(std::move(server)) {
  std::shared_ptr<grpc::Channel> channel = OpenServerChannel(server_);
  audit_log_ = v1::AuditLog::NewStub(channel);
  prover_ = v1::Prover::NewStub(channel);
  admin_ = v1::Admin::NewStub(channel);
}

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> ServerClient::Call(Stub& stub,
                                            grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                                         const Request&, Response*),
                                            const Request& request) {
  grpc::ClientContext context;
  SetCallDeadline(server_, context);
  Response response;
  const grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status, server_);
  return response;
}

absl::StatusOr<v1::AppendResponse> ServerClient::Append(const v1::AppendRequest& request) {
  return Call(*audit_log_, &v1::AuditLog::Stub::Append, request);
}

absl::StatusOr<v1::QueryResponse> ServerClient::Query(const v1::QueryRequest& request) {
  return Call(*audit_log_, &v1::AuditLog::Stub::Query, request);
}

absl::StatusOr<v1::ProveInclusionResponse> ServerClient::ProveInclusion(
    const v1::ProveInclusionRequest& request) {
  return Call(*prover_, &v1::Prover::Stub::ProveInclusion, request);
}

absl::StatusOr<v1::ProveConsistencyResponse> ServerClient::ProveConsistency(
    const v1::ProveConsistencyRequest& request) {
  return Call(*prover_, &v1::Prover::Stub::ProveConsistency, request);
}

absl::StatusOr<v1::Checkpoint> ServerClient::GetCheckpoint(uint64_t tree_size) {
  v1::GetCheckpointRequest request;
  request.set_tree_size(tree_size);
  absl::StatusOr<v1::GetCheckpointResponse> response =
      Call(*prover_, &v1::Prover::Stub::GetCheckpoint, request);
  if (!response.ok()) return response.status();
  return response->checkpoint();
}

absl::StatusOr<v1::ListWebhookDeliveriesResponse> ServerClient::ListWebhookDeliveries(
    const v1::ListWebhookDeliveriesRequest& request) {
  return Call(*admin_, &v1::Admin::Stub::ListWebhookDeliveries, request);
}

absl::StatusOr<v1::RetryWebhookDeliveriesResponse> ServerClient::RetryWebhookDeliveries(
    const v1::RetryWebhookDeliveriesRequest& request) {
  return Call(*admin_, &v1::Admin::Stub::RetryWebhookDeliveries, request);
}

}  // namespace sealtrail::cli
