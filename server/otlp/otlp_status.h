// How an OTLP edge reports a refused request so that exporters retry exactly what the OTLP
// specification says is retryable (docs/otlp.md, "Status codes").
//
// gRPC: the canonical code passes through with its message. UNAVAILABLE (shutting down, the log
// failed), RESOURCE_EXHAUSTED (back-pressure) and the other codes OTLP lists as retryable carry a
// google.rpc.RetryInfo in the status details: OTLP exporters retry RESOURCE_EXHAUSTED only with
// it.
// HTTP: 400 INVALID_ARGUMENT (and FAILED_PRECONDITION, OUT_OF_RANGE), 401 UNAUTHENTICATED,
// 403 PERMISSION_DENIED, 429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED, 500
// otherwise; 429, 503 and 504 (OTLP/HTTP's retryable ones, with 502) carry Retry-After. The body
// is a google.rpc.Status in the request's encoding.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_SERVER_OTLP_OTLP_STATUS_H_
#define SEALTRAIL_SERVER_OTLP_OTLP_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace sealtrail {

// The delay a retryable refusal suggests (RetryInfo, Retry-After).
inline constexpr int kOtlpRetryAfterSeconds = 1;

// Whether OTLP's exporters may retry a request refused with `code`.
bool IsOtlpRetryable(absl::StatusCode code);

// The gRPC status of a refused OTLP/gRPC Export. REQUIRES: !status.ok().
grpc::Status OtlpGrpcStatus(const absl::Status& status);

// The HTTP status of a refused OTLP/HTTP request. REQUIRES: !status.ok().
int OtlpHttpStatus(const absl::Status& status);

// The google.rpc.Status of `status`, serialized: the body of an OTLP/HTTP error (protobuf), and
// with a RetryInfo when retryable (gRPC's status details, which OTLP/HTTP may also use).
std::string OtlpStatusProto(const absl::Status& status);
// The same in OTLP/JSON ({"code": 3, "message": "..."}).
std::string OtlpStatusJson(const absl::Status& status);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_OTLP_OTLP_STATUS_H_
