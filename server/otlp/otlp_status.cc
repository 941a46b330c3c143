#include "server/otlp/otlp_status.h"

#include "google/protobuf/util/json_util.h"
#include "google/rpc/retry_info.pb.h"
#include "google/rpc/status.pb.h"

namespace sealtrail {
namespace {

google::rpc::Status RpcStatus(const absl::Status& status, bool with_retry_info) {
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(status.code()));
  rpc.set_message(std::string(status.message()));
  if (with_retry_info && IsOtlpRetryable(status.code())) {
    google::rpc::RetryInfo retry;
    retry.mutable_retry_delay()->set_seconds(kOtlpRetryAfterSeconds);
    rpc.add_details()->PackFrom(retry);
  }
  return rpc;
}

}  // namespace

bool IsOtlpRetryable(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDataLoss:
      return true;
    default:
      return false;
  }
}

grpc::Status OtlpGrpcStatus(const absl::Status& status) {
  auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  if (!IsOtlpRetryable(status.code())) return grpc::Status(code, message);
  return grpc::Status(code, message, RpcStatus(status, true).SerializeAsString());
}

int OtlpHttpStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

std::string OtlpStatusProto(const absl::Status& status) {
  return RpcStatus(status, true).SerializeAsString();
}

std::string OtlpStatusJson(const absl::Status& status) {
  std::string json;
  // Without details: Any in JSON needs the type in a resolver, and the code says enough. A
  // message of scalars and strings always prints.
  (void)google::protobuf::util::MessageToJsonString(RpcStatus(status, false), &json);
  return json;
}

}  // namespace sealtrail
