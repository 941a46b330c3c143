// HealthStatus: asks a server's standard gRPC health service (grpc.health.v1.Health/Check)
// about one service name, with hand-built messages (Debian ships no generated stubs for it).
#ifndef SEALTRAIL_TESTS_SERVER_TESTING_HEALTH_CHECK_H_
#define SEALTRAIL_TESTS_SERVER_TESTING_HEALTH_CHECK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace sealtrail::testing {

// HealthCheckResponse.ServingStatus values.
inline constexpr int kServing = 1;
inline constexpr int kNotServing = 2;

// The status the server reports for `service` ("" is the whole server). The gRPC error (e.g.
// NOT_FOUND for an unknown service) as an absl status.
absl::StatusOr<int> HealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& service);

// Polls HealthStatus until it is `want` or `timeout` passes; returns the last status seen.
absl::StatusOr<int> AwaitHealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                                      const std::string& service, int want, absl::Duration timeout);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_SERVER_TESTING_HEALTH_CHECK_H_
