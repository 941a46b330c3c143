// OTLP logs ingestion against a real server in-process (tests/server_testing/test_server.h):
// OTLP/gRPC LogsService/Export on the main port and OTLP/HTTP POST /v1/logs (protobuf, JSON,
// gzip) on its own, with partial success, identity and refusals, limits, and the status codes
// exporters retry on (docs/otlp.md).
// GCC 12 at -O3 warns falsely in std::string's operator+ as inlined into gtest's printer of
// protobuf messages (GCC bug 105329); which translation units it hits depends on inlining.
#pragma GCC diagnostic ignored "-Wrestrict"
#include <sys/resource.h>
#include <zlib.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/retry_info.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "server/otlp/otlp_status.h"
#include "server/record/record.h"
#include "server/service/authorizer.h"
#include "server/service/denial_recorder.h"
#include "server_testing/inclusion_checks.h"
#include "server_testing/raw_http_client.h"
#include "server_testing/test_server.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;
using opentelemetry::proto::collector::logs::v1::LogsService;
using opentelemetry::proto::logs::v1::LogRecord;
using ::sealtrail::testing::BodyOf;
using ::sealtrail::testing::ExpectInclusionVerifies;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::RawHttpConnection;
using ::sealtrail::testing::StatusOf;
using ::sealtrail::testing::TestServer;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Key;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;

void SetString(LogRecord& log, const std::string& key, const std::string& value) {
  auto* kv = log.add_attributes();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

std::string TraceId(int n) {
  std::string id(16, '\x5a');
  id[15] = static_cast<char>(n);
  return id;
}

// An audit event as an OpenTelemetry log record of tenant `tenant`, trace TraceId(n).
LogRecord AuditLog(const std::string& tenant, int n) {
  LogRecord log;
  log.set_time_unix_nano(1'700'000'000'000'000'000ULL + n);
  log.mutable_body()->set_string_value(absl::StrCat("event ", n));
  log.set_trace_id(TraceId(n));
  log.set_span_id(std::string(8, '\x07'));
  SetString(log, "tenant.id", tenant);
  SetString(log, "enduser.id", absl::StrCat("agent-", n));
  SetString(log, "audit.action", "call.barge");
  SetString(log, "audit.outcome", "SUCCESS");
  SetString(log, "http.route", "/v2/calls/{id}/barge");
  return log;
}

ExportLogsServiceRequest Request(const std::vector<LogRecord>& logs) {
  ExportLogsServiceRequest request;
  auto* resource_logs = request.add_resource_logs();
  auto* service = resource_logs->mutable_resource()->add_attributes();
  service->set_key("service.name");
  service->mutable_value()->set_string_value("call-control");
  auto* scope_logs = resource_logs->add_scope_logs();
  scope_logs->mutable_scope()->set_name("audit");
  for (const LogRecord& log : logs) *scope_logs->add_log_records() = log;
  return request;
}

std::string Gzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

class OtlpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Restart(); }

  void Restart(uint64_t max_body_bytes = uint64_t{16} << 20) {
    server_.reset();
    ServerOptions options;
    options.checkpoint_interval_ms = 50;
    options.otlp_http_listen = "127.0.0.1:0";
    options.otlp_http_max_body_bytes = max_body_bytes;
    ASSERT_OK_AND_ASSIGN(server_, TestServer::Start(scratch_.Sub("data"), options));
    ASSERT_GT(server_->server().otlp_http_port(), 0);
  }

  grpc::Status Export(const ExportLogsServiceRequest& request, ExportLogsServiceResponse* response,
                      const std::string& token) {
    auto stub = LogsService::NewStub(server_->NewChannel(token));
    grpc::ClientContext context;
    return stub->Export(&context, request, response);
  }
  grpc::Status Export(const ExportLogsServiceRequest& request,
                      ExportLogsServiceResponse* response) {
    return Export(request, response, server_->dev_token());
  }

  httplib::Result Post(const std::string& body, const std::string& content_type,
                       const std::string& token, httplib::Headers headers = {}) {
    httplib::Client client("127.0.0.1", server_->server().otlp_http_port());
    if (!token.empty()) headers.emplace("Authorization", absl::StrCat("Bearer ", token));
    return client.Post("/v1/logs", headers, body, content_type.c_str());
  }
  httplib::Result PostProto(const ExportLogsServiceRequest& request) {
    return Post(request.SerializeAsString(), "application/x-protobuf", server_->dev_token());
  }

  // The records of `tenant` with trace id `trace_id`, with inclusion proofs that verify.
  std::vector<v1::AuditRecord> ByTraceId(const std::string& tenant, const std::string& trace_id) {
    v1::QueryRequest query;
    query.set_tenant_id(tenant);
    query.set_trace_id(trace_id);
    query.set_with_proofs(true);
    v1::QueryResponse response;
    grpc::ClientContext context;
    grpc::Status status = server_->audit().Query(&context, query, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<v1::AuditRecord> records;
    for (const v1::QueryResult& result : response.results()) {
      ExpectInclusionVerifies(result.data(), result.inclusion());
      absl::StatusOr<v1::AuditRecord> record = ParseStoredRecord(result.data());
      EXPECT_OK(record);
      if (record.ok()) records.push_back(*record);
    }
    return records;
  }

  // The number of records in the log: the sequence number of a probe record appended now (so
  // each call adds one).
  uint64_t LogSizeWithProbe() {
    v1::AppendRequest request;
    *request.add_records() = MakeRecord("probe", "prober", "probe.size");
    v1::AppendResponse response;
    grpc::ClientContext context;
    grpc::Status status = server_->audit().Append(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.results_size() == 1 ? response.results(0).seq() : 0;
  }

  // POST /v1/logs as raw bytes with the dev token: `framing` is the header lines that say how
  // long the body is, `coding` a Content-Encoding line or "".
  std::string RawPost(const std::string& framing, const std::string& body,
                      const std::string& coding = "") {
    RawHttpConnection connection(server_->server().otlp_http_port());
    EXPECT_TRUE(connection.Send(absl::StrCat(
        "POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ", server_->dev_token(),
        "\r\nContent-Type: application/x-protobuf\r\n", coding, framing, "\r\n", body)));
    return connection.ReadResponse();
  }

  // The denial evidence of `tenant`, once there are `count` (the recorder does not wait for it
  // to be durable, so it may trail the refusal by a moment).
  std::vector<v1::AuditRecord> Denials(const std::string& tenant, size_t count) {
    std::vector<v1::AuditRecord> records;
    for (int attempt = 0; attempt < 100 && records.size() < count; ++attempt) {
      if (attempt > 0) absl::SleepFor(absl::Milliseconds(50));
      records = Denials(tenant);
    }
    return records;
  }
  std::vector<v1::AuditRecord> Denials(const std::string& tenant) {
    v1::QueryRequest query;
    query.set_tenant_id(tenant);
    query.set_action(kDeniedAction);
    v1::QueryResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(server_->audit().Query(&context, query, &response).ok());
    std::vector<v1::AuditRecord> records;
    for (const v1::QueryResult& result : response.results()) {
      records.push_back(*ParseStoredRecord(result.data()));
    }
    return records;
  }

  testing::ScratchDir scratch_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(OtlpServerTest, GrpcExportStoresRecordsQueryableByTraceIdWithProofs) {
  ExportLogsServiceResponse response;
  grpc::Status status =
      Export(Request({AuditLog("acme", 1), AuditLog("acme", 2), AuditLog("acme", 3)}), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.has_partial_success());
  std::vector<v1::AuditRecord> records = ByTraceId("acme", TraceId(2));
  ASSERT_EQ(records.size(), 1u);
  const v1::AuditRecord& record = records[0];
  EXPECT_EQ(record.actor().user_id(), "agent-2");
  EXPECT_EQ(record.actor().service(), kDevTokenSubject);  // The caller, not service.name.
  EXPECT_FALSE(record.actor().verified());
  EXPECT_EQ(record.actor().verification_error(), "no token");
  EXPECT_EQ(record.context().source_ip(), "127.0.0.1");
  EXPECT_EQ(record.context().event_time_ns(), 1'700'000'000'000'000'002LL);
  EXPECT_EQ(record.action().name(), "call.barge");
  EXPECT_EQ(record.correlation().span_id(), std::string(8, '\x07'));
  EXPECT_THAT(record.details().attributes(), Contains(Pair("body", "event 2")));
  EXPECT_THAT(record.details().attributes(), Contains(Pair("service.name", "call-control")));
}

TEST_F(OtlpServerTest, GrpcPartialSuccessRejectsUnmappableRecordsAndCommitsTheRest) {
  LogRecord short_trace = AuditLog("acme", 11);
  short_trace.set_trace_id("abc");
  LogRecord no_tenant = AuditLog("", 12);
  ExportLogsServiceResponse response;
  ASSERT_TRUE(Export(Request({AuditLog("acme", 10), short_trace, no_tenant, AuditLog("acme", 13)}),
                     &response)
                  .ok());
  EXPECT_EQ(response.partial_success().rejected_log_records(), 2);
  EXPECT_THAT(response.partial_success().error_message(),
              HasSubstr("log_records[1]: trace_id is 3 bytes"));
  EXPECT_EQ(ByTraceId("acme", TraceId(10)).size(), 1u);
  EXPECT_EQ(ByTraceId("acme", TraceId(13)).size(), 1u);
}

TEST_F(OtlpServerTest, GrpcEveryRecordRejectedIsStillAPartialSuccess) {
  LogRecord no_action = AuditLog("acme", 20);
  no_action.clear_attributes();
  SetString(no_action, "tenant.id", "acme");
  SetString(no_action, "audit.outcome", "SUCCESS");
  ExportLogsServiceResponse response;
  ASSERT_TRUE(Export(Request({no_action}), &response).ok());
  EXPECT_EQ(response.partial_success().rejected_log_records(), 1);
  EXPECT_THAT(response.partial_success().error_message(), HasSubstr("no action"));
}

TEST_F(OtlpServerTest, GrpcCallerMustBeAnAppenderForTheTenantAndRefusalsAreEvidence) {
  ExportLogsServiceResponse response;
  std::string auditor = server_->Token("reader", {"auditor"}, {"acme"});
  EXPECT_EQ(Export(Request({AuditLog("acme", 30)}), &response, auditor).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  std::string other_tenant = server_->Token("billing", {"appender"}, {"globex"});
  EXPECT_EQ(Export(Request({AuditLog("acme", 31)}), &response, other_tenant).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Export(Request({AuditLog("acme", 32)}), &response, "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ByTraceId("acme", TraceId(30)).size(), 0u);
  EXPECT_EQ(ByTraceId("acme", TraceId(31)).size(), 0u);
  std::vector<v1::AuditRecord> denials = Denials("acme", 3);
  ASSERT_EQ(denials.size(), 3u);
  for (const v1::AuditRecord& denial : denials) {
    EXPECT_EQ(denial.action().method(), kOtlpLogsExportMethod);
  }
}

TEST_F(OtlpServerTest, TokenAttributeIsVerifiedAndNeverStored) {
  DevTokenClaims claims;
  claims.subject = "alice";
  claims.role = "supervisor";
  claims.tenant = "acme";
  ASSERT_OK_AND_ASSIGN(std::string token, server_->MintToken(claims));
  LogRecord log = AuditLog("acme", 40);
  SetString(log, "enduser.token", token);
  LogRecord forged = AuditLog("acme", 41);
  SetString(forged, "enduser.token", absl::StrCat(token, "x"));
  ExportLogsServiceResponse response;
  ASSERT_TRUE(Export(Request({log, forged}), &response).ok());
  std::vector<v1::AuditRecord> verified = ByTraceId("acme", TraceId(40));
  ASSERT_EQ(verified.size(), 1u);
  EXPECT_EQ(verified[0].actor().user_id(), "alice");
  EXPECT_EQ(verified[0].actor().role(), "supervisor");
  EXPECT_TRUE(verified[0].actor().verified());
  EXPECT_THAT(verified[0].details().attributes(), Not(Contains(Key("enduser.token"))));
  EXPECT_THAT(verified[0].SerializeAsString(), Not(HasSubstr(token.substr(0, 20))));
  std::vector<v1::AuditRecord> unverified = ByTraceId("acme", TraceId(41));
  ASSERT_EQ(unverified.size(), 1u);
  EXPECT_FALSE(unverified[0].actor().verified());
  EXPECT_EQ(unverified[0].actor().user_id(), "agent-41");
}

TEST_F(OtlpServerTest, HttpProtobufExportIsDurableWhenAnswered) {
  httplib::Result result = PostProto(Request({AuditLog("acme", 50), AuditLog("acme", 51)}));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/x-protobuf");
  ExportLogsServiceResponse response;
  ASSERT_TRUE(response.ParseFromString(result->body));
  EXPECT_FALSE(response.has_partial_success());
  std::vector<v1::AuditRecord> records = ByTraceId("acme", TraceId(51));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].context().source_ip(), "127.0.0.1");
}

TEST_F(OtlpServerTest, HttpJsonUsesHexIdsAndAnswersInJson) {
  std::string trace_hex = absl::BytesToHexString(TraceId(60));
  std::string body = absl::StrCat(R"({"resourceLogs":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"web"}},
      {"key":"tenant.id","value":{"stringValue":"acme"}}]},
    "scopeLogs":[{"scope":{"name":"audit"},"logRecords":[
      {"timeUnixNano":"1700000000000000060","severityNumber":9,"traceId":")",
                                  trace_hex, R"(","spanId":"0102030405060708",
       "body":{"stringValue":"json event"},"futureField":{"x":1},
       "attributes":[{"key":"audit.action","value":{"stringValue":"data.export"}},
                     {"key":"http.response.status_code","value":{"intValue":"403"}}]},
      {"traceId":"0102","attributes":[{"key":"audit.action","value":{"stringValue":"x"}},
                     {"key":"audit.outcome","value":{"stringValue":"SUCCESS"}}]}]}]}]})");
  httplib::Result result = Post(body, "application/json", server_->dev_token());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  ExportLogsServiceResponse response;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(result->body, &response).ok())
      << result->body;
  EXPECT_EQ(response.partial_success().rejected_log_records(), 1);
  EXPECT_THAT(response.partial_success().error_message(),
              HasSubstr("log_records[1]: trace_id is 2 bytes"));
  std::vector<v1::AuditRecord> records = ByTraceId("acme", TraceId(60));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].correlation().span_id(), std::string("\x01\x02\x03\x04\x05\x06\x07\x08"));
  EXPECT_EQ(records[0].outcome().result(), v1::Outcome::DENIED);
  EXPECT_EQ(records[0].outcome().status_code(), 403);
  EXPECT_THAT(records[0].details().attributes(), Contains(Pair("body", "json event")));
  EXPECT_THAT(records[0].details().attributes(), Contains(Pair("severity", "9")));
}

TEST_F(OtlpServerTest, HttpGzipBodiesAreDecompressed) {
  httplib::Headers headers{{"Content-Encoding", "gzip"}};
  httplib::Result result = Post(Gzip(Request({AuditLog("acme", 70)}).SerializeAsString()),
                                "application/x-protobuf", server_->dev_token(), headers);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(ByTraceId("acme", TraceId(70)).size(), 1u);
}

TEST_F(OtlpServerTest, HttpRefusalsAre401And403WithAStatusBody) {
  httplib::Result anonymous =
      Post(Request({AuditLog("acme", 80)}).SerializeAsString(), "application/x-protobuf", "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  google::rpc::Status status;
  ASSERT_TRUE(status.ParseFromString(anonymous->body));
  EXPECT_EQ(status.code(), static_cast<int>(grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_THAT(status.message(), HasSubstr("no credential"));

  std::string other_tenant = server_->Token("billing", {"appender"}, {"globex"});
  httplib::Result wrong_tenant = Post(Request({AuditLog("acme", 81)}).SerializeAsString(),
                                      "application/x-protobuf", other_tenant);
  ASSERT_TRUE(wrong_tenant);
  EXPECT_EQ(wrong_tenant->status, 403);
  EXPECT_FALSE(wrong_tenant->has_header("Retry-After"));
  EXPECT_EQ(ByTraceId("acme", TraceId(81)).size(), 0u);
  std::vector<v1::AuditRecord> denials = Denials("acme", 2);
  ASSERT_EQ(denials.size(), 2u);
  EXPECT_EQ(denials[0].action().method(), "POST /v1/logs");
}

TEST_F(OtlpServerTest, HttpBadContentTypeIs415AndMalformedBodiesAre400) {
  httplib::Result text = Post("hello", "text/plain", server_->dev_token());
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 415);
  httplib::Result garbage = Post("\xff\xff\xff", "application/x-protobuf", server_->dev_token());
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
  httplib::Result bad_json = Post("{\"resourceLogs\": 7", "application/json", server_->dev_token());
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_EQ(bad_json->get_header_value("Content-Type"), "application/json");
  httplib::Result bad_hex =
      Post(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"zz"}]}]}]})",
           "application/json", server_->dev_token());
  ASSERT_TRUE(bad_hex);
  EXPECT_EQ(bad_hex->status, 400);
  EXPECT_THAT(bad_hex->body, HasSubstr("not a hex string"));
}

TEST_F(OtlpServerTest, HttpOversizedBodiesAndZipBombsAre413) {
  Restart(/*max_body_bytes=*/64 * 1024);
  LogRecord big = AuditLog("acme", 90);
  SetString(big, "blob", std::string(100 * 1024, 'b'));
  httplib::Result oversized = PostProto(Request({big}));
  ASSERT_TRUE(oversized);
  EXPECT_EQ(oversized->status, 413);
  // 64 MiB of zeros, a few tens of KiB compressed: refused after 64 KiB decompressed.
  std::string bomb = Gzip(std::string(64u << 20, '\0'));
  ASSERT_LT(bomb.size(), 64u * 1024);
  httplib::Result exploded =
      Post(bomb, "application/x-protobuf", server_->dev_token(), {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(exploded);
  EXPECT_EQ(exploded->status, 413);
  // The server still serves.
  httplib::Result small = PostProto(Request({AuditLog("acme", 91)}));
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200);
}

// The client is still sending when the server refuses a body; the server reads the rest and
// drops it, so the client receives the 413 rather than a connection reset, every time.
TEST_F(OtlpServerTest, RefusedBodyIsDrainedSoTheClientGetsThe413) {
  Restart(/*max_body_bytes=*/64 * 1024);
  LogRecord big = AuditLog("acme", 92);
  SetString(big, "blob", std::string(1024 * 1024, 'b'));
  std::string body = Request({big}).SerializeAsString();
  httplib::Client client("127.0.0.1", server_->server().otlp_http_port());
  client.set_keep_alive(true);
  httplib::Headers headers = {{"Authorization", absl::StrCat("Bearer ", server_->dev_token())}};
  for (int i = 0; i < 20; ++i) {
    httplib::Result refused = client.Post("/v1/logs", headers, body, "application/x-protobuf");
    ASSERT_TRUE(refused) << "attempt " << i << ": " << httplib::to_string(refused.error());
    EXPECT_EQ(refused->status, 413) << "attempt " << i;
  }
  httplib::Result accepted =
      client.Post("/v1/logs", headers, Request({AuditLog("acme", 93)}).SerializeAsString(),
                  "application/x-protobuf");
  ASSERT_TRUE(accepted) << httplib::to_string(accepted.error());
  EXPECT_EQ(accepted->status, 200);
  EXPECT_EQ(ByTraceId("acme", TraceId(93)).size(), 1u);
  EXPECT_TRUE(ByTraceId("acme", TraceId(92)).empty());
}

// Issue 15 item 7: slow-loris and idle connections used to hold all 16 of the old server's
// threads; now they cost a socket each, and an export beside them is answered at once.
TEST_F(OtlpServerTest, SlowAndIdleConnectionsDoNotDelayAnExport) {
  const int port = server_->server().otlp_http_port();
  std::vector<std::unique_ptr<RawHttpConnection>> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<RawHttpConnection>(port));
    ASSERT_TRUE(idle.back()->connected());
  }
  std::vector<std::unique_ptr<RawHttpConnection>> slow;
  for (int i = 0; i < 16; ++i) {
    slow.push_back(std::make_unique<RawHttpConnection>(port));
    ASSERT_TRUE(slow.back()->Send("P"));
  }
  std::thread loris([&slow] {  // Two more header bytes each, 2 s apart.
    for (const char* byte : {"O", "S"}) {
      absl::SleepFor(absl::Seconds(2));
      for (auto& connection : slow) connection->Send(byte);
    }
  });
  absl::Time start = absl::Now();
  httplib::Result result = PostProto(Request({AuditLog("acme", 97)}));
  absl::Duration took = absl::Now() - start;
  loris.join();
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  EXPECT_LT(took, absl::Seconds(2));  // Correctness (it was ~20 s): nobody waits for them.
  EXPECT_EQ(ByTraceId("acme", TraceId(97)).size(), 1u);
}

// Connections past the limit (1,024, or half the descriptor limit) are answered 503 and closed,
// and the server log says so.
TEST_F(OtlpServerTest, ConnectionsOverTheLimitAre503AndLogged) {
  // The clients are in this process too: the server's 1,024 and ours need room.
  rlimit files{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &files), 0);
  if (files.rlim_cur < 4096) {
    if (files.rlim_max < 4096) GTEST_SKIP() << "needs 4096 file descriptors (ulimit -Hn)";
    rlimit raised = files;
    raised.rlim_cur = 4096;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &raised), 0);
    Restart();  // The server's limit follows the descriptor limit at start.
  }
  const size_t limit = 1024;
  const int port = server_->server().otlp_http_port();
  std::vector<std::unique_ptr<RawHttpConnection>> open;
  for (size_t i = 0; i < limit; ++i) {
    open.push_back(std::make_unique<RawHttpConnection>(port));
    ASSERT_TRUE(open.back()->connected());
  }
  RawHttpConnection extra(port);
  std::string refused = extra.ReadResponse();
  EXPECT_EQ(StatusOf(refused), 503) << refused;
  EXPECT_THAT(refused, HasSubstr("Retry-After: 1"));
  bool logged = false;
  for (int i = 0; i < 100 && !logged; ++i) {
    if (i > 0) absl::SleepFor(absl::Milliseconds(10));
    for (const std::string& line : server_->events()) {
      logged = logged || (absl::StrContains(line, "otlp_http_error") &&
                          absl::StrContains(line, absl::StrCat(limit, " connections open")));
    }
  }
  EXPECT_TRUE(logged);
  open.clear();
  std::string response;
  for (int attempt = 0; attempt < 100 && StatusOf(response) != 200; ++attempt) {
    if (attempt > 0) absl::SleepFor(absl::Milliseconds(20));
    std::string body = Request({AuditLog("acme", 94)}).SerializeAsString();
    response = RawPost(absl::StrCat("Content-Length: ", body.size(), "\r\n"), body);
  }
  EXPECT_EQ(StatusOf(response), 200) << response;
}

// Issue 15 item 8: a compressed body is decoded whole or refused with 400, storing nothing.
TEST_F(OtlpServerTest, HttpTruncatedOrMalformedGzipIs400AndStoresNothing) {
  std::vector<LogRecord> logs;
  for (int i = 0; i < 200; ++i) logs.push_back(AuditLog("acme", 100 + i % 50));
  std::string gzip = Gzip(Request(logs).SerializeAsString());
  const std::string coding = "Content-Encoding: gzip\r\n";
  std::string not_gzip = "\x1f\x8b";
  not_gzip.append(100, 'x');
  uint64_t before = LogSizeWithProbe();
  std::vector<std::pair<std::string, std::string>> bodies = {
      {"cut before the last block", gzip.substr(0, gzip.size() * 2 / 3)},
      {"cut in the trailer", gzip.substr(0, gzip.size() - 3)},
      {"not gzip after the magic", not_gzip},
      {"bytes after the end", gzip + "trailing"},
  };
  for (const auto& [name, body] : bodies) {
    std::string response =
        RawPost(absl::StrCat("Content-Length: ", body.size(), "\r\n"), body, coding);
    EXPECT_EQ(StatusOf(response), 400) << name << ": " << response;
    google::rpc::Status status;
    ASSERT_TRUE(status.ParseFromString(BodyOf(response))) << name;
    EXPECT_EQ(status.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT)) << name;
    EXPECT_THAT(status.message(), HasSubstr("the gzip body is malformed")) << name;
  }
  EXPECT_EQ(LogSizeWithProbe(), before + 1);  // Only the probe.
  EXPECT_TRUE(ByTraceId("acme", TraceId(100)).empty());
}

// Issue 15 item 9 (RFC 9112 §6.3): a body whose length is ambiguous is refused, not guessed.
TEST_F(OtlpServerTest, HttpAmbiguousContentLengthIs400AndStoresNothing) {
  std::string body = Request({AuditLog("acme", 98)}).SerializeAsString();
  std::string length = absl::StrCat("Content-Length: ", body.size(), "\r\n");
  uint64_t before = LogSizeWithProbe();
  std::string chunked = absl::StrCat(absl::Hex(body.size()), "\r\n", body, "\r\n0\r\n\r\n");
  std::string not_a_number = RawPost("Content-Length: abc\r\n", body);
  EXPECT_EQ(StatusOf(not_a_number), 400) << not_a_number;
  std::string twice = RawPost(length + length, body);
  EXPECT_EQ(StatusOf(twice), 400) << twice;
  google::rpc::Status status;
  ASSERT_TRUE(status.ParseFromString(BodyOf(twice)));
  EXPECT_THAT(status.message(), HasSubstr("2 Content-Length fields"));
  std::string both = RawPost("Transfer-Encoding: chunked\r\n" + length, chunked);
  EXPECT_EQ(StatusOf(both), 400) << both;
  EXPECT_EQ(LogSizeWithProbe(), before + 1);
  EXPECT_TRUE(ByTraceId("acme", TraceId(98)).empty());
  // The same body, framed once, is accepted.
  EXPECT_EQ(StatusOf(RawPost("Transfer-Encoding: chunked\r\n", chunked)), 200);
  EXPECT_EQ(StatusOf(RawPost(length, body)), 200);
}

// Issue 15 item 2: a second server on the same OTLP/HTTP address refuses to start, naming it.
TEST_F(OtlpServerTest, SecondServerOnTheSameOtlpHttpAddressRefusesToStart) {
  std::string address = absl::StrCat("127.0.0.1:", server_->server().otlp_http_port());
  ServerOptions options;
  options.otlp_http_listen = address;
  absl::StatusOr<std::unique_ptr<TestServer>> second =
      TestServer::Start(scratch_.Sub("second"), options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(),
              HasSubstr(absl::StrCat("cannot listen on ", address, " for OTLP/HTTP")));
  EXPECT_EQ(PostProto(Request({AuditLog("acme", 99)}))->status, 200);  // The first still serves.
}

TEST_F(OtlpServerTest, OversizedRecordIsRejectedAloneOverGrpc) {
  LogRecord big = AuditLog("acme", 95);
  SetString(big, "blob",
            std::string(63 * 1024, 'b'));  // Under the attribute limit, over 64 KiB stored.
  SetString(big, "blob2", std::string(1000, 'c'));
  ExportLogsServiceResponse response;
  ASSERT_TRUE(Export(Request({big, AuditLog("acme", 96)}), &response).ok());
  EXPECT_EQ(response.partial_success().rejected_log_records(), 1);
  EXPECT_EQ(ByTraceId("acme", TraceId(96)).size(), 1u);
}

TEST(OtlpStatusTest, RetryableCodesFollowTheOtlpSpecification) {
  EXPECT_EQ(OtlpHttpStatus(absl::InvalidArgumentError("x")), 400);
  EXPECT_EQ(OtlpHttpStatus(absl::UnauthenticatedError("x")), 401);
  EXPECT_EQ(OtlpHttpStatus(absl::PermissionDeniedError("x")), 403);
  EXPECT_EQ(OtlpHttpStatus(absl::ResourceExhaustedError("x")), 429);
  EXPECT_EQ(OtlpHttpStatus(absl::UnavailableError("x")), 503);
  EXPECT_EQ(OtlpHttpStatus(absl::DeadlineExceededError("x")), 504);
  EXPECT_FALSE(IsOtlpRetryable(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(IsOtlpRetryable(absl::StatusCode::kPermissionDenied));
  EXPECT_TRUE(IsOtlpRetryable(absl::StatusCode::kResourceExhausted));
  EXPECT_TRUE(IsOtlpRetryable(absl::StatusCode::kUnavailable));

  grpc::Status exhausted = OtlpGrpcStatus(absl::ResourceExhaustedError("busy"));
  EXPECT_EQ(exhausted.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(exhausted.error_details()));
  ASSERT_THAT(details.details(), SizeIs(1));
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(details.details(0).UnpackTo(&retry));
  EXPECT_EQ(retry.retry_delay().seconds(), kOtlpRetryAfterSeconds);
  EXPECT_EQ(OtlpGrpcStatus(absl::InvalidArgumentError("bad")).error_details(), "");
}

}  // namespace
}  // namespace sealtrail
