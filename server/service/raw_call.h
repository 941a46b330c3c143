// Requests received as bytes. gRPC's generated services parse each request before the handler
// runs, and when that fails (malformed wire data, invalid UTF-8 in a string field) the callback
// API answers UNIMPLEMENTED with an empty message, and a streaming read ends as if the client had
// closed the stream. So every sealtrail method (AuditLog, Prover, OTLP LogsService) is
// registered raw (WithRawCallbackMethod_*) and parses its own requests here: a request that does
// not parse is INVALID_ARGUMENT saying which message and, when it can be found, which field
// could not be parsed and why. Nothing is written for it; it is not a denial (no credential was
// looked at yet).
//
// Thread-safety: pure functions; ServeRawUnary may be called concurrently.
#ifndef SEALTRAIL_SERVER_SERVICE_RAW_CALL_H_
#define SEALTRAIL_SERVER_SERVICE_RAW_CALL_H_

#include <functional>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "server/service/grpc_status.h"

namespace sealtrail {

// Parses `buffer` into `message`. INVALID_ARGUMENT: "the request is not a valid
// sealtrail.v1.AppendRequest: field records[0].context.tenant_id is not valid UTF-8".
[[nodiscard]] absl::Status ParseRequest(const grpc::ByteBuffer& buffer,
                                        google::protobuf::Message& message);

// `message`'s bytes, for a raw reply.
grpc::ByteBuffer SerializeReply(const google::protobuf::Message& message);

// Finishes a raw unary call: the reply is serialized when `status` is OK.
using RawDone = std::function<void(grpc::Status status)>;

// Serves a unary call received as `request_bytes`: parses a Request (finishing the call with
// INVALID_ARGUMENT if it does not parse), then runs handler(request, &response, done), which
// must call done exactly once, at once or later; done serializes the response into
// `response_bytes` when the status is OK and finishes the call. The request and response live
// until done is called.
template <typename Request, typename Response, typename Handler>
grpc::ServerUnaryReactor* ServeRawUnary(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request_bytes,
                                        grpc::ByteBuffer* response_bytes, Handler&& handler) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  struct Messages {
    Request request;
    Response response;
  };
  auto messages = std::make_shared<Messages>();
  absl::Status parsed = ParseRequest(*request_bytes, messages->request);
  if (!parsed.ok()) {
    reactor->Finish(ToGrpcStatus(parsed));
    return reactor;
  }
  Request& request = messages->request;
  Response* response = &messages->response;
  std::forward<Handler>(handler)(
      request, response,
      RawDone([reactor, response_bytes, messages = std::move(messages)](grpc::Status status) {
        if (status.ok()) *response_bytes = SerializeReply(messages->response);
        reactor->Finish(std::move(status));
      }));
  return reactor;
}

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_RAW_CALL_H_
