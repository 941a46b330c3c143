// Denial evidence that cannot mislead: it is filed under exactly the tenant a request named (one
// tenant limit everywhere, never cut), and nobody but the server writes the reserved tenants and
// actions that hold it, on any ingestion path (Append, AppendStream, OTLP/gRPC, OTLP/HTTP). A
// real AuditServer on 127.0.0.1 with tokens signed by its dev key.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "server/record/record.h"
#include "server/service/denial_recorder.h"
#include "server_testing/test_client.h"
#include "server_testing/test_server.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;
using opentelemetry::proto::collector::logs::v1::LogsService;
using ::sealtrail::testing::Client;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::Parse;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::TenantQuery;
using ::sealtrail::testing::TestServer;
using ::testing::HasSubstr;

// An OTLP export of one log record of `tenant` whose action is `action`.
ExportLogsServiceRequest OtlpExport(const std::string& tenant, const std::string& action) {
  ExportLogsServiceRequest request;
  auto* log = request.add_resource_logs()->add_scope_logs()->add_log_records();
  log->set_time_unix_nano(1'700'000'000'000'000'000ULL);
  log->mutable_body()->set_string_value("forged");
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"tenant.id", tenant},
                                                        {"enduser.id", "mallory"},
                                                        {"audit.action", action},
                                                        {"audit.outcome", "DENIED"}}) {
    auto* attribute = log->add_attributes();
    attribute->set_key(key);
    attribute->mutable_value()->set_string_value(value);
  }
  return request;
}

class ServerEvidenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.checkpoint_interval_ms = 50;
    options.otlp_http_listen = "127.0.0.1:0";
    ASSERT_OK_AND_ASSIGN(server_, TestServer::Start(scratch_.Sub("data"), options));
  }

  // Every record of `tenant` (read with the dev token), once `done` holds for them or after
  // about two seconds: denial evidence is recorded just after the refusal is answered.
  std::vector<v1::AuditRecord> RecordsOf(
      const std::string& tenant,
      const std::function<bool(const std::vector<v1::AuditRecord>&)>& done) {
    Client admin(*server_, server_->dev_token());
    std::vector<v1::AuditRecord> records;
    for (int attempt = 0; attempt < 100; ++attempt) {
      v1::QueryResponse response;
      grpc::Status status = admin.Query(TenantQuery(tenant), &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      records.clear();
      for (const v1::QueryResult& result : response.results()) records.push_back(Parse(result));
      if (done(records)) break;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return records;
  }
  std::vector<v1::AuditRecord> AtLeast(const std::string& tenant, size_t count) {
    return RecordsOf(tenant, [count](const auto& records) { return records.size() >= count; });
  }

  grpc::Status ExportGrpc(const ExportLogsServiceRequest& request, const std::string& token) {
    auto stub = LogsService::NewStub(server_->NewChannel(token));
    grpc::ClientContext context;
    ExportLogsServiceResponse response;
    return stub->Export(&context, request, &response);
  }
  httplib::Result ExportHttp(const ExportLogsServiceRequest& request, const std::string& token) {
    httplib::Client client("127.0.0.1", server_->server().otlp_http_port());
    httplib::Headers headers = {{"Authorization", absl::StrCat("Bearer ", token)}};
    return client.Post("/v1/logs", headers, request.SerializeAsString(), "application/x-protobuf");
  }

  ScratchDir scratch_{"server_evidence_test"};
  std::unique_ptr<TestServer> server_;
};

// A denial's tenant was cut to 256 bytes while tenants of 1024 were accepted: evidence about
// "aaa...a" (1024) was filed under "aaa...a" (256), another tenant.
TEST_F(ServerEvidenceTest, DenialsAreFiledUnderExactlyTheTenantNamed) {
  const std::string longest(kMaxRecordIdBytes, 'a');
  const std::string prefix(256, 'a');
  Client dev(*server_, server_->dev_token());
  ASSERT_TRUE(dev.Append({MakeRecord(longest, "alice", "doc.read")}).ok());
  grpc::Status too_long = dev.Append({MakeRecord(longest + "a", "alice", "doc.read")});
  EXPECT_EQ(too_long.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(too_long.error_message(),
              HasSubstr("context.tenant_id is 1025 bytes; the limit is 1024"));

  Client outsider(*server_, server_->Token("mallory", {"appender"}, {"acme"}));
  ASSERT_EQ(outsider.Append({MakeRecord(longest, "x", "y")}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  std::vector<v1::AuditRecord> evidence = AtLeast(longest, 2);
  ASSERT_EQ(evidence.size(), 2u);
  EXPECT_EQ(evidence[1].action().name(), kDeniedAction);
  EXPECT_EQ(evidence[1].context().tenant_id(), longest);
  EXPECT_EQ(evidence[1].actor().user_id(), "mallory");
  EXPECT_TRUE(AtLeast(prefix, 1).empty()) << "evidence filed under a prefix of the tenant";

  // A tenant no record can have: the refusal is evidence of the platform, with the name's length.
  Client anonymous(*server_, "");
  const std::string huge(3000, 'b');
  ASSERT_EQ(anonymous.Append({MakeRecord(huge, "x", "y")}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  std::vector<v1::AuditRecord> platform =
      RecordsOf(kPlatformTenant, [](const std::vector<v1::AuditRecord>& records) {
        for (const v1::AuditRecord& record : records) {
          if (record.details().attributes().count("requested_tenant_bytes")) return true;
        }
        return false;
      });
  ASSERT_FALSE(platform.empty());
  EXPECT_EQ(platform.back().details().attributes().at("requested_tenant_bytes"), "3000");
  EXPECT_TRUE(AtLeast(std::string(kMaxRecordIdBytes, 'b'), 1).empty());

  // Queries have the same limit.
  v1::QueryResponse response;
  grpc::Status query = dev.Query(TenantQuery(longest + "a"), &response);
  EXPECT_EQ(query.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(query.error_message(), HasSubstr("tenant_id is 1025 bytes; the limit is 1024"));
}

// Long subjects and reasons are still cut to fit a record, but never silently.
TEST(DenialRecordTest, CutFieldsAreMarkedAndTheTenantIsNeverCut) {
  Denial denial;
  denial.subject = std::string(5000, 's');
  denial.verified = true;
  denial.method = "/sealtrail.v1.AuditLog/Append";
  denial.tenant = std::string(kMaxRecordIdBytes, 't');
  denial.refusal = absl::PermissionDeniedError(std::string(10000, 'r'));
  v1::AuditRecord record = DenialRecord(denial);
  EXPECT_OK(ValidateRecord(record));
  EXPECT_EQ(record.context().tenant_id(), denial.tenant);
  EXPECT_EQ(record.actor().user_id().size(), kMaxRecordIdBytes);
  EXPECT_EQ(record.details().attributes().at("cut.actor.user_id"), "5000");
  EXPECT_EQ(record.outcome().reason().size(), kMaxRecordTextBytes);
  EXPECT_EQ(record.details().attributes().at("cut.outcome.reason"), "10000");
  EXPECT_EQ(record.details().attributes().count("cut.action.method"), 0u);

  denial.tenant += "t";
  record = DenialRecord(denial);
  EXPECT_OK(ValidateRecord(record));
  EXPECT_EQ(record.context().tenant_id(), kPlatformTenant);
  EXPECT_EQ(record.details().attributes().at("requested_tenant_bytes"), "1025");
}

// An appender allowed for "*" could append ordinary records to _platform and so forge auth.denied
// entries. Reserved tenants and actions are refused on every path, and each refusal is evidence.
TEST_F(ServerEvidenceTest, ReservedTenantsAndActionsAreWrittenByTheServerAlone) {
  Client star(*server_, server_->Token("star-appender", {"appender"}, {"*"}));
  struct Case {
    std::string tenant;
    std::string action;
    std::string message;
  };
  const std::vector<Case> cases = {
      {kPlatformTenant, "doc.read", "context.tenant_id \"_platform\" is reserved"},
      {"_billing", "doc.read", "context.tenant_id \"_billing\" is reserved"},
      {"acme", kDeniedAction, "action.name \"auth.denied\" is reserved"},
      {"acme", "sealtrail.alert.denials", "action.name \"sealtrail.alert.denials\" is reserved"},
      // A forged alert would be evidence of what the server never knew.
      {"acme", kAlertAction, "action.name \"alert.raised\" is reserved"},
      {"acme", kIntegrityViolationAction, "action.name \"integrity.violation\" is reserved"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tenant + " " + c.action);
    grpc::Status unary = star.Append({MakeRecord(c.tenant, "mallory", c.action)});
    EXPECT_EQ(unary.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(unary.error_message(), HasSubstr(c.message));
    // In a batch after a good record: nothing of the batch is written.
    grpc::Status streamed = star.AppendStream(
        {MakeRecord("acme", "mallory", "doc.read"), MakeRecord(c.tenant, "mallory", c.action)});
    EXPECT_EQ(streamed.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(streamed.error_message(), HasSubstr(absl::StrCat("records[1]: ", c.message)));
    grpc::Status otlp = ExportGrpc(OtlpExport(c.tenant, c.action), star.token);
    EXPECT_EQ(otlp.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(otlp.error_message(), HasSubstr(c.message));
    httplib::Result http = ExportHttp(OtlpExport(c.tenant, c.action), star.token);
    ASSERT_TRUE(http);
    EXPECT_EQ(http->status, 403);
    EXPECT_THAT(http->body, HasSubstr(c.message));
  }
  // The server's own denial records are there, one per refusal (4 paths x 1 case for each
  // reserved tenant, 4 paths x 4 reserved actions for acme), and nothing the client sent: no record
  // carries the client's route or resource.
  auto refusals_of = [&](const std::string& tenant, size_t expected) {
    std::vector<v1::AuditRecord> records = AtLeast(tenant, expected);
    EXPECT_EQ(records.size(), expected) << tenant;
    for (const v1::AuditRecord& record : records) {
      EXPECT_EQ(record.action().name(), kDeniedAction);
      EXPECT_EQ(record.actor().user_id(), "star-appender");
      EXPECT_TRUE(record.action().route().empty());
      EXPECT_TRUE(record.action().resource_id().empty());
      EXPECT_EQ(record.outcome().status_code(),
                static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
      EXPECT_THAT(record.outcome().reason(), HasSubstr("is reserved"));
    }
    return records;
  };
  refusals_of(kPlatformTenant, 4);
  refusals_of("_billing", 4);
  refusals_of("acme", 16);

  // The server itself still writes its evidence there, and ordinary records are accepted.
  EXPECT_TRUE(star.Append({MakeRecord("acme", "alice", "doc.read")}).ok());
}

}  // namespace
}  // namespace sealtrail
