// The OpenTelemetry JS SDK's real OTLP log exporters (gRPC, HTTP JSON with gzip, HTTP protobuf)
// against a real server in-process: export_logs.mjs sends audit events, and every one must be
// stored with its trace and span ids, be found by trace id, and come with an inclusion proof that
// verifies. Needs node and the npm packages of package-lock.json, which the otlp_js_npm_ci test
// installs into the build directory (tests/CMakeLists.txt); skipped without them.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/record/record.h"
#include "server_testing/inclusion_checks.h"
#include "server_testing/test_server.h"
#include "testing/run_process.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

#ifndef SEALTRAIL_NODE
#error "SEALTRAIL_NODE must name the node binary"
#endif
#ifndef SEALTRAIL_OTLP_JS_DIR
#error "SEALTRAIL_OTLP_JS_DIR must name the directory npm ci installed into"
#endif

namespace sealtrail {
namespace {

using ::sealtrail::testing::ExpectInclusionVerifies;
using ::sealtrail::testing::TestServer;
using ::testing::Contains;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(OtlpJsTest, SdkExportersRecordsArriveWithTraceIdsAndVerifiableProofs) {
  const std::string script = absl::StrCat(SEALTRAIL_OTLP_JS_DIR, "/export_logs.mjs");
  if (!std::filesystem::exists(absl::StrCat(SEALTRAIL_OTLP_JS_DIR, "/node_modules"))) {
    GTEST_SKIP() << "no node_modules in " << SEALTRAIL_OTLP_JS_DIR
                 << " (run the otlp_js_npm_ci test)";
  }
  testing::ScratchDir scratch;
  ServerOptions options;
  options.checkpoint_interval_ms = 50;
  options.otlp_http_listen = "127.0.0.1:0";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestServer> server,
                       TestServer::Start(scratch.Sub("data"), options));
  std::string http = absl::StrCat("http://127.0.0.1:", server->server().otlp_http_port());
  testing::ProcessResult run =
      testing::RunProcess(SEALTRAIL_NODE,
                          {script, "--grpc", server->address(), "--http", http, "--token-file",
                           server->dev_token_file(), "--tenant", "acme", "--records", "3"},
                          "", scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;

  std::vector<std::string> exporters;
  for (absl::string_view line : absl::StrSplit(run.out, '\n', absl::SkipEmpty())) {
    nlohmann::json sent = nlohmann::json::parse(line);
    std::string exporter = sent["exporter"];
    exporters.push_back(exporter);
    std::string trace_id = absl::HexStringToBytes(sent["traceId"].get<std::string>());
    v1::QueryRequest query;
    query.set_tenant_id("acme");
    query.set_trace_id(trace_id);
    query.set_with_proofs(true);
    v1::QueryResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(server->audit().Query(&context, query, &response).ok());
    ASSERT_EQ(response.results_size(), 1) << exporter << " " << line;
    const v1::QueryResult& result = response.results(0);
    ExpectInclusionVerifies(result.data(), result.inclusion());
    ASSERT_OK_AND_ASSIGN(v1::AuditRecord record, ParseStoredRecord(result.data()));
    EXPECT_EQ(record.correlation().trace_id(), trace_id);
    EXPECT_EQ(record.correlation().span_id(),
              absl::HexStringToBytes(sent["spanId"].get<std::string>()));
    EXPECT_EQ(record.action().name(), "call.barge");
    EXPECT_EQ(record.outcome().result(), v1::Outcome::SUCCESS);
    EXPECT_EQ(record.outcome().status_code(), 200);
    EXPECT_EQ(record.action().route(), "/v2/calls/{id}/barge");
    EXPECT_EQ(record.context().source_ip(), "127.0.0.1");
    EXPECT_GT(record.context().event_time_ns(), 0);
    EXPECT_THAT(record.details().attributes(), Contains(Pair("service.name", "otlp-js-test")));
    EXPECT_THAT(record.details().attributes(),
                Contains(Pair("otel.scope.name", "sealtrail-otlp-js-test")));
  }
  EXPECT_THAT(exporters,
              UnorderedElementsAre("grpc", "grpc", "grpc", "http-json-gzip", "http-json-gzip",
                                   "http-json-gzip", "http-proto", "http-proto", "http-proto"));
}

}  // namespace
}  // namespace sealtrail
