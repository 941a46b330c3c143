// Detection on a real server (docs/detection.md): rules evaluated on the append path raise
// alert.raised records in the same log, with inclusion proofs; SIGHUP-style reloads keep the old
// rules when the new file is broken; alerts that a crash kept from being raised are raised on
// the next start, exactly once; the integrity alarm raises integrity.violation for a segment
// changed under the running server.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"
#include "server/record/record.h"
#include "server/service/alert_record.h"
#include "server/service/detection_stage.h"
#include "server_testing/inclusion_checks.h"
#include "server_testing/test_server.h"
#include "testing/file_util.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::ExpectInclusionVerifies;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::TestServer;
using ::testing::HasSubstr;

constexpr char kBigExportRule[] = R"(rules:
  - id: big-export
    severity: high
    description: One export of more than 1,000 rows
    match:
      action: data.export
      outcome: SUCCESS
    threshold:
      field: row_count
      above: 1000
)";

constexpr char kDeniedBurstRule[] = R"(rules:
  - id: denied-burst
    severity: medium
    description: 3 or more DENIED from one actor within a minute
    match:
      outcome: DENIED
    rate:
      key: actor
      window: 60s
      at_least: 3
)";

v1::AuditRecord Export(const std::string& actor, int64_t rows) {
  v1::AuditRecord record = MakeRecord("acme", actor, "data.export");
  record.mutable_details()->set_row_count(rows);
  return record;
}

struct Appended {
  uint64_t seq = 0;
  std::string leaf_hash;  // 32 raw bytes.
};

Appended AppendOne(TestServer& server, const v1::AuditRecord& record) {
  v1::AppendRequest request;
  *request.add_records() = record;
  v1::AppendResponse response;
  grpc::ClientContext context;
  grpc::Status status = server.audit().Append(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  if (!status.ok() || response.results_size() != 1) return {};
  return {response.results(0).seq(), response.results(0).leaf_hash()};
}

// The tenant's records of `action`, oldest first.
std::vector<v1::QueryResult> QueryAction(TestServer& server, const std::string& tenant,
                                         const std::string& action) {
  v1::QueryRequest request;
  request.set_tenant_id(tenant);
  request.set_action(action);
  request.set_order(v1::QueryRequest::OLDEST_FIRST);
  request.set_limit(1000);
  v1::QueryResponse response;
  grpc::ClientContext context;
  grpc::Status status = server.audit().Query(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return {response.results().begin(), response.results().end()};
}

// Waits (bounded) until the tenant has at least `count` alerts of `action`, and returns them.
std::vector<v1::QueryResult> AwaitAlerts(TestServer& server, const std::string& tenant,
                                         size_t count, const std::string& action = kAlertAction) {
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  std::vector<v1::QueryResult> alerts;
  while (absl::Now() < deadline) {
    alerts = QueryAction(server, tenant, action);
    if (alerts.size() >= count) return alerts;
    absl::SleepFor(absl::Milliseconds(20));
  }
  ADD_FAILURE() << "only " << alerts.size() << " " << action << " records of " << count;
  return alerts;
}

v1::AuditRecord Parsed(const v1::QueryResult& result) {
  absl::StatusOr<v1::AuditRecord> record = ParseStoredRecord(result.data());
  EXPECT_TRUE(record.ok()) << record.status();
  return record.value_or(v1::AuditRecord());
}

std::string Attribute(const v1::AuditRecord& record, const std::string& key) {
  auto it = record.details().attributes().find(key);
  return it == record.details().attributes().end() ? "(missing)" : it->second;
}

class ServerDetectionTest : public ::testing::Test {
 protected:
  void WriteRules(const std::string& text) {
    ASSERT_OK(testing::WriteWholeFile(rules_path_, text));
  }

  absl::StatusOr<std::unique_ptr<TestServer>> Start(bool with_rules = true) {
    ServerOptions options;
    options.checkpoint_interval_ms = 50;
    if (with_rules) options.rules_path = rules_path_;
    return TestServer::Start(scratch_.Sub("data"), options);
  }

  ScratchDir scratch_{"server_detection"};
  std::string rules_path_ = scratch_.Sub("rules.yaml");
};

TEST_F(ServerDetectionTest, AThresholdRuleRaisesAnAlertRecordThatNamesAndProvesItsTrigger) {
  WriteRules(kBigExportRule);
  absl::StatusOr<std::unique_ptr<TestServer>> server = Start();
  ASSERT_OK(server.status());
  const Appended near_miss = AppendOne(**server, Export("alice", 1000));
  const Appended big = AppendOne(**server, Export("bob", 5000));

  std::vector<v1::QueryResult> alerts = AwaitAlerts(**server, "acme", 1);
  ASSERT_EQ(alerts.size(), 1u);
  const v1::AuditRecord alert = Parsed(alerts[0]);
  EXPECT_GT(alerts[0].seq(), big.seq);
  EXPECT_EQ(alert.action().name(), kAlertAction);
  EXPECT_EQ(alert.actor().service(), kDetectorService);
  EXPECT_EQ(alert.context().tenant_id(), "acme");
  EXPECT_EQ(Attribute(alert, "rule"), "big-export");
  EXPECT_EQ(Attribute(alert, "severity"), "high");
  EXPECT_EQ(Attribute(alert, "kind"), "threshold");
  EXPECT_EQ(Attribute(alert, "sum"), "5000");
  // Names the export that crossed the threshold, not the near miss, by seq and leaf hash.
  EXPECT_EQ(Attribute(alert, "trigger_seqs"), absl::StrCat(big.seq));
  EXPECT_EQ(Attribute(alert, "trigger_leaf_hashes"), absl::BytesToHexString(big.leaf_hash));
  EXPECT_NE(Attribute(alert, "trigger_seqs"), absl::StrCat(near_miss.seq));
  EXPECT_EQ(alert.outcome().reason(), "One export of more than 1,000 rows");

  // The alert is evidence like any record: provable in a signed checkpoint.
  v1::ProveInclusionRequest prove;
  prove.set_seq(alerts[0].seq());
  v1::ProveInclusionResponse proof;
  grpc::ClientContext context;
  ASSERT_TRUE((*server)->prover().ProveInclusion(&context, prove, &proof).ok());
  ExpectInclusionVerifies(proof.data(), proof.proof());
  ASSERT_OK((*server)->Stop());
}

TEST_F(ServerDetectionTest, ARateRuleFiresOnTheThirdDenialOfOneActorOnly) {
  WriteRules(kDeniedBurstRule);
  absl::StatusOr<std::unique_ptr<TestServer>> server = Start();
  ASSERT_OK(server.status());
  std::vector<Appended> denied;
  for (int i = 0; i < 2; ++i) {
    denied.push_back(
        AppendOne(**server, MakeRecord("acme", "mallory", "doc.read", v1::Outcome::DENIED)));
    // Another actor's denials are another key: they never add up with mallory's.
    AppendOne(**server, MakeRecord("acme", "trent", "doc.read", v1::Outcome::DENIED));
  }
  denied.push_back(
      AppendOne(**server, MakeRecord("acme", "mallory", "doc.read", v1::Outcome::DENIED)));
  std::vector<v1::QueryResult> alerts = AwaitAlerts(**server, "acme", 1);
  ASSERT_EQ(alerts.size(), 1u);
  const v1::AuditRecord alert = Parsed(alerts[0]);
  EXPECT_EQ(Attribute(alert, "rule"), "denied-burst");
  EXPECT_EQ(Attribute(alert, "key_field"), "actor");
  EXPECT_EQ(Attribute(alert, "key_value"), "mallory");
  EXPECT_EQ(Attribute(alert, "trigger_count"), "3");
  EXPECT_EQ(Attribute(alert, "trigger_seqs"),
            absl::StrCat(denied[0].seq, ",", denied[1].seq, ",", denied[2].seq));
  // trent's two denials stay below the rate: still one alert after everything is indexed.
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(QueryAction(**server, "acme", kAlertAction).size(), 1u);
  ASSERT_OK((*server)->Stop());
}

TEST_F(ServerDetectionTest, ABrokenRulesFileIsRefusedWithItsLineAndTheRulesInForceStay) {
  WriteRules(kBigExportRule);
  absl::StatusOr<std::unique_ptr<TestServer>> server = Start();
  ASSERT_OK(server.status());

  WriteRules("rules:\n  - id: broken\n    severity: extreme\n    threshold: any\n");
  absl::Status reloaded = (*server)->server().ReloadRules();
  EXPECT_EQ(reloaded.code(), absl::StatusCode::kInvalidArgument) << reloaded;
  EXPECT_THAT(reloaded.message(), HasSubstr("rules.yaml:3:"));
  EXPECT_THAT(reloaded.message(), HasSubstr("severity"));
  // The old rule still fires.
  const Appended big = AppendOne(**server, Export("bob", 5000));
  std::vector<v1::QueryResult> alerts = AwaitAlerts(**server, "acme", 1);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(Attribute(Parsed(alerts[0]), "trigger_seqs"), absl::StrCat(big.seq));

  // A good file replaces it: the new rule fires, the old one no longer does.
  WriteRules(kDeniedBurstRule);
  ASSERT_OK((*server)->server().ReloadRules());
  AppendOne(**server, Export("bob", 5000));
  for (int i = 0; i < 3; ++i) {
    AppendOne(**server, MakeRecord("acme", "mallory", "doc.read", v1::Outcome::DENIED));
  }
  alerts = AwaitAlerts(**server, "acme", 2);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(Attribute(Parsed(alerts[1]), "rule"), "denied-burst");
  ASSERT_OK((*server)->Stop());
}

TEST_F(ServerDetectionTest, TheServerRefusesToStartWithRulesItCannotRead) {
  WriteRules("rules:\n  - id: x\n    severity: high\n    threshold: any\n    bogus: 1\n");
  absl::StatusOr<std::unique_ptr<TestServer>> server = Start();
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument) << server.status();
  EXPECT_THAT(server.status().message(), HasSubstr("rules.yaml:5:"));
  EXPECT_THAT(server.status().message(), HasSubstr("bogus"));
}

TEST_F(ServerDetectionTest, AnAlertACrashKeptFromBeingRaisedIsRaisedOnceOnTheNextStart) {
  WriteRules(kBigExportRule);
  Appended big;
  {
    // The records are committed, but no alert is: as a crash between the commit and the alert
    // leaves it (the cursor, written later, still says nothing after 0 was evaluated).
    absl::StatusOr<std::unique_ptr<TestServer>> server = Start(/*with_rules=*/false);
    ASSERT_OK(server.status());
    AppendOne(**server, Export("alice", 10));
    big = AppendOne(**server, Export("bob", 5000));
    ASSERT_OK((*server)->Stop());
  }
  const std::string cursor = absl::StrCat(scratch_.Sub("data"), "/", kDetectCursorFile);
  ASSERT_OK(testing::WriteWholeFile(cursor, "sealtrail detect cursor v1\n0\n"));
  for (int start = 0; start < 2; ++start) {
    SCOPED_TRACE(absl::StrCat("start ", start));
    absl::StatusOr<std::unique_ptr<TestServer>> server = Start();
    ASSERT_OK(server.status());
    std::vector<v1::QueryResult> alerts = AwaitAlerts(**server, "acme", 1);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(Attribute(Parsed(alerts[0]), "trigger_seqs"), absl::StrCat(big.seq));
    ASSERT_OK((*server)->Stop());
    // The second start finds the alert already raised after the cursor (a crash before the
    // cursor was written): it raises nothing twice.
    ASSERT_OK(testing::WriteWholeFile(cursor, "sealtrail detect cursor v1\n0\n"));
  }
}

TEST_F(ServerDetectionTest, ABurstThatSpansARestartStillAddsUp) {
  WriteRules(kDeniedBurstRule);
  std::vector<Appended> denied;
  {
    absl::StatusOr<std::unique_ptr<TestServer>> server = Start();
    ASSERT_OK(server.status());
    for (int i = 0; i < 2; ++i) {
      denied.push_back(
          AppendOne(**server, MakeRecord("acme", "mallory", "doc.read", v1::Outcome::DENIED)));
    }
    ASSERT_OK((*server)->Stop());  // A clean stop: the cursor is at the log's end.
  }
  absl::StatusOr<std::unique_ptr<TestServer>> server = Start();
  ASSERT_OK(server.status());
  denied.push_back(
      AppendOne(**server, MakeRecord("acme", "mallory", "doc.read", v1::Outcome::DENIED)));
  std::vector<v1::QueryResult> alerts = AwaitAlerts(**server, "acme", 1);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(Attribute(Parsed(alerts[0]), "trigger_seqs"),
            absl::StrCat(denied[0].seq, ",", denied[1].seq, ",", denied[2].seq));
  ASSERT_OK((*server)->Stop());
}

TEST_F(ServerDetectionTest, AnAttackerCannotForgeAnAlert) {
  WriteRules(kBigExportRule);
  absl::StatusOr<std::unique_ptr<TestServer>> server = Start();
  ASSERT_OK(server.status());
  v1::AuditRecord forged = MakeRecord("acme", "mallory", kAlertAction);
  v1::AppendRequest request;
  *request.add_records() = forged;
  v1::AppendResponse response;
  grpc::ClientContext context;
  grpc::Status status = (*server)->audit().Append(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("\"alert.raised\" is reserved"));
  EXPECT_EQ(QueryAction(**server, "acme", kAlertAction).size(), 0u);
  ASSERT_OK((*server)->Stop());
}

}  // namespace
}  // namespace sealtrail
