#include "server_testing/health_check.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"

namespace sealtrail::testing {

absl::StatusOr<int> HealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& service) {
  // HealthCheckRequest{service (field 1, string)}; services here are shorter than 128 bytes.
  std::string request_bytes;
  if (!service.empty()) {
    request_bytes =
        absl::StrCat("\x0a", std::string(1, static_cast<char>(service.size())), service);
  }
  grpc::GenericStub generic(channel);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Status status;
  absl::Mutex mu;
  bool done = false;
  generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                    &response, [&](grpc::Status s) {
                      absl::MutexLock lock(&mu);
                      status = std::move(s);
                      done = true;
                    });
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&done));
  }
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  std::vector<grpc::Slice> slices;
  (void)response.Dump(&slices);
  std::string out;
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  // HealthCheckResponse{status (field 1, enum)}: absent means UNKNOWN (0).
  if (out.empty()) return 0;
  if (out.size() != 2 || out[0] != '\x08') {
    return absl::InternalError(
        absl::StrCat("unexpected HealthCheckResponse of ", out.size(), " bytes"));
  }
  return static_cast<int>(out[1]);
}

absl::StatusOr<int> AwaitHealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                                      const std::string& service, int want,
                                      absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::StatusOr<int> got = HealthStatus(channel, service);
    if ((got.ok() && *got == want) || absl::Now() >= deadline) return got;
    absl::SleepFor(absl::Milliseconds(20));
  }
}

}  // namespace sealtrail::testing
