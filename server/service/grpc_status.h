// The one place where the server turns absl::Status into grpc::Status. The canonical codes are
// the same numbers in both, so the code passes through unchanged and the message is kept: clients
// see exactly what the engine or the validator said.
#ifndef SEALTRAIL_SERVER_SERVICE_GRPC_STATUS_H_
#define SEALTRAIL_SERVER_SERVICE_GRPC_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace sealtrail {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_GRPC_STATUS_H_
