// Requests that do not parse, sent as raw bytes over a real channel (grpc::GenericStub) to every
// method of every service: each is INVALID_ARGUMENT saying which message and which field could
// not be parsed (gRPC's own parsing answered UNIMPLEMENTED with an empty message, and ended an
// AppendStream's reads as if the client had closed it), and nothing is written.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "sealtrail/v1/audit_service.pb.h"
#include "server_testing/test_client.h"
#include "server_testing/test_server.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::Client;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::TenantQuery;
using ::sealtrail::testing::TestServer;
using ::testing::HasSubstr;

// A string that marks where a test puts bytes that are not UTF-8, of the same length.
constexpr char kMarker[] = "MARKER-MARKER";
const std::string kNotUtf8(sizeof(kMarker) - 1, '\xff');

// `message` serialized, with the marker's bytes replaced by bytes that are not UTF-8: the framing
// stays right, only a string field's content is wrong.
std::string WithInvalidUtf8(const google::protobuf::Message& message) {
  std::string bytes = message.SerializeAsString();
  EXPECT_NE(bytes.find(kMarker), std::string::npos);
  return absl::StrReplaceAll(bytes, {{kMarker, kNotUtf8}});
}

grpc::ByteBuffer Buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

class ServerUnparseableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.checkpoint_interval_ms = 50;
    ASSERT_OK_AND_ASSIGN(server_, TestServer::Start(scratch_.Sub("data"), options));
    generic_ = std::make_unique<grpc::GenericStub>(server_->NewChannel());
  }

  // A unary call of `method` with `bytes` as the request.
  grpc::Status Unary(const std::string& method, const std::string& bytes) {
    grpc::ByteBuffer request = Buffer(bytes);
    grpc::ByteBuffer response;
    grpc::ClientContext context;
    absl::Mutex mu;
    bool done = false;
    grpc::Status status;
    generic_->UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                        [&](grpc::Status s) {
                          absl::MutexLock lock(&mu);
                          status = std::move(s);
                          done = true;
                        });
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&done));
    return status;
  }

  // A streaming call of `method` that writes each of `requests`, closes, reads every reply
  // (their count goes to *replies) and returns the final status.
  grpc::Status Stream(const std::string& method, const std::vector<std::string>& requests,
                      int* replies) {
    grpc::CompletionQueue queue;
    grpc::ClientContext context;
    auto call = generic_->PrepareCall(&context, method, &queue);
    auto await = [&queue](intptr_t tag) {
      void* got = nullptr;
      bool ok = false;
      EXPECT_TRUE(queue.Next(&got, &ok));
      EXPECT_EQ(got, reinterpret_cast<void*>(tag));
      return ok;
    };
    call->StartCall(reinterpret_cast<void*>(1));
    EXPECT_TRUE(await(1));
    for (const std::string& bytes : requests) {
      call->Write(Buffer(bytes), reinterpret_cast<void*>(2));
      if (!await(2)) break;
    }
    call->WritesDone(reinterpret_cast<void*>(3));
    await(3);
    *replies = 0;
    while (true) {
      grpc::ByteBuffer reply;
      call->Read(&reply, reinterpret_cast<void*>(4));
      if (!await(4)) break;
      ++*replies;
    }
    grpc::Status status;
    call->Finish(&status, reinterpret_cast<void*>(5));
    EXPECT_TRUE(await(5));
    queue.Shutdown();
    void* ignored_tag = nullptr;
    bool ignored_ok = false;
    while (queue.Next(&ignored_tag, &ignored_ok)) {
    }
    return status;
  }

  int64_t RecordsOf(const std::string& tenant) {
    Client admin(*server_, server_->dev_token());
    v1::QueryResponse response;
    grpc::Status status = admin.Query(TenantQuery(tenant), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.results_size();
  }

  ScratchDir scratch_{"server_unparseable_test"};
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<grpc::GenericStub> generic_;
};

auto Unparseable(const std::string& message_type, const std::string& why) {
  return ::testing::AllOf(
      ::testing::Property(&grpc::Status::error_code, grpc::StatusCode::INVALID_ARGUMENT),
      ::testing::Property(&grpc::Status::error_message,
                          HasSubstr("the request is not a valid " + message_type + ": " + why)));
}

v1::AppendRequest AppendOf(const std::string& tenant) {
  v1::AppendRequest request;
  *request.add_records() = MakeRecord(tenant, "alice", "doc.read");
  return request;
}

TEST_F(ServerUnparseableTest, EveryUnaryMethodSaysWhatCouldNotBeParsed) {
  EXPECT_THAT(Unary("/sealtrail.v1.AuditLog/Append", WithInvalidUtf8(AppendOf(kMarker))),
              Unparseable("sealtrail.v1.AppendRequest",
                          "field records[0].context.tenant_id is not valid UTF-8"));
  v1::AppendRequest second_actor = AppendOf("acme");
  *second_actor.add_records() = MakeRecord("acme", kMarker, "doc.read");
  EXPECT_THAT(Unary("/sealtrail.v1.AuditLog/Append", WithInvalidUtf8(second_actor)),
              Unparseable("sealtrail.v1.AppendRequest",
                          "field records[1].actor.user_id is not valid UTF-8"));
  // A length that runs past the end of the message.
  EXPECT_THAT(Unary("/sealtrail.v1.AuditLog/Append", std::string("\x0a\x05"
                                                                 "ab",
                                                                 4)),
              Unparseable("sealtrail.v1.AppendRequest", "field records[0] is cut off"));

  v1::QueryRequest query = TenantQuery("acme");
  query.set_actor(kMarker);
  EXPECT_THAT(Unary("/sealtrail.v1.AuditLog/Query", WithInvalidUtf8(query)),
              Unparseable("sealtrail.v1.QueryRequest", "field actor is not valid UTF-8"));

  // A varint field tag with no value.
  EXPECT_THAT(
      Unary("/sealtrail.v1.Prover/ProveInclusion", std::string("\x08", 1)),
      Unparseable("sealtrail.v1.ProveInclusionRequest", "field seq is cut off or malformed"));
  EXPECT_THAT(Unary("/sealtrail.v1.Prover/ProveInclusion", std::string("\x12\x20"
                                                                       "abc",
                                                                       5)),
              Unparseable("sealtrail.v1.ProveInclusionRequest", "field leaf_hash is cut off"));
  EXPECT_THAT(Unary("/sealtrail.v1.Prover/ProveConsistency", std::string("\x10\xff", 2)),
              Unparseable("sealtrail.v1.ProveConsistencyRequest",
                          "field new_size is cut off or malformed"));
  EXPECT_THAT(
      Unary("/sealtrail.v1.Prover/GetCheckpoint", std::string("\x08\x80\x80", 3)),
      Unparseable("sealtrail.v1.GetCheckpointRequest", "field tree_size is cut off or malformed"));

  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest otlp;
  auto* attribute = otlp.add_resource_logs()->add_scope_logs()->add_log_records()->add_attributes();
  attribute->set_key(kMarker);
  attribute->mutable_value()->set_string_value("acme");
  EXPECT_THAT(
      Unary("/opentelemetry.proto.collector.logs.v1.LogsService/Export", WithInvalidUtf8(otlp)),
      Unparseable("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest",
                  "field resource_logs[0].scope_logs[0].log_records[0].attributes[0].key is not "
                  "valid UTF-8"));

  // Well-formed requests are still served, and nothing of the others was written.
  EXPECT_TRUE(Unary("/sealtrail.v1.AuditLog/Append", AppendOf("acme").SerializeAsString()).ok());
  EXPECT_TRUE(Unary("/sealtrail.v1.Prover/GetCheckpoint", "").ok());
  EXPECT_EQ(RecordsOf("acme"), 1);
}

TEST_F(ServerUnparseableTest, StreamingMethodsSayWhatCouldNotBeParsed) {
  // The first request is appended and answered; the second ends the stream, not as a close.
  int replies = -1;
  grpc::Status appended =
      Stream("/sealtrail.v1.AuditLog/AppendStream",
             {AppendOf("acme").SerializeAsString(), WithInvalidUtf8(AppendOf(kMarker)),
              AppendOf("acme").SerializeAsString()},
             &replies);
  EXPECT_THAT(appended, Unparseable("sealtrail.v1.AppendRequest",
                                    "field records[0].context.tenant_id is not valid UTF-8"));
  EXPECT_EQ(replies, 1);
  EXPECT_EQ(RecordsOf("acme"), 1);

  v1::QueryRequest query = TenantQuery(kMarker);
  grpc::Status streamed =
      Stream("/sealtrail.v1.AuditLog/QueryStream", {WithInvalidUtf8(query)}, &replies);
  EXPECT_THAT(streamed,
              Unparseable("sealtrail.v1.QueryRequest", "field tenant_id is not valid UTF-8"));
  EXPECT_EQ(replies, 0);
  grpc::Status good = Stream("/sealtrail.v1.AuditLog/QueryStream",
                             {TenantQuery("acme").SerializeAsString()}, &replies);
  EXPECT_TRUE(good.ok()) << good.error_message();
  EXPECT_EQ(replies, 1);
}

}  // namespace
}  // namespace sealtrail
