// Alerts leave the server (docs/detection.md): a real sealtraild delivers each alert to a real
// HTTPS receiver on 127.0.0.1 (certificate from a CA made in the test) that checks every
// signature on its own; the body's inclusion proofs verify against the checkpoint it carries,
// signed by the log's key; deliveries pending when the server is SIGKILLed arrive after the
// restart, duplicates only under the same webhook-id; a segment changed under the running server
// raises integrity.violation, delivered the same way, while reads go on.
#include <sys/stat.h>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/server_commands.h"
#include "cli/webhook_commands.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sealtrail/audit.h"
#include "sealtrail/hash.h"
#include "sealtrail/note.h"
#include "server/record/record.h"
#include "server/service/defaults.h"
#include "server_testing/daemon_process.h"
#include "server_testing/test_certs.h"
#include "server_testing/test_server.h"
#include "testing/data_dir_layout.h"
#include "testing/file_util.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"
#include "webhook_testing/webhook_receiver.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::ReceivedWebhook;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::TestServer;
using ::sealtrail::testing::WebhookReceiver;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kRules[] = R"(rules:
  - id: big-export
    severity: high
    description: One export of more than 1,000 rows
    match:
      action: data.export
    threshold:
      field: row_count
      above: 1000
)";

v1::AuditRecord Export(const std::string& actor, int64_t rows) {
  v1::AuditRecord record = MakeRecord("acme", actor, "data.export");
  record.mutable_details()->set_row_count(rows);
  return record;
}

uint64_t AppendOne(v1::AuditLog::Stub& stub, const v1::AuditRecord& record) {
  v1::AppendRequest request;
  *request.add_records() = record;
  v1::AppendResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub.Append(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.results_size() == 1 ? response.results(0).seq() : 0;
}

std::string Unbase64(const Json& text) {
  std::string bytes;
  EXPECT_TRUE(absl::Base64Unescape(text.get<std::string>(), &bytes));
  return bytes;
}

Hash ToHash(const std::string& bytes) {
  Hash hash{};
  EXPECT_EQ(bytes.size(), hash.size());
  std::copy_n(bytes.begin(), std::min(bytes.size(), hash.size()), hash.begin());
  return hash;
}

// Checks one body entry as a receiver holding only the verifier key would: the stored bytes hash
// to the leaf hash, and the inclusion proof leads to the root of the signed checkpoint.
void ExpectEntryProven(const Json& entry, const std::string& note, const NoteVerifierKey& key) {
  const std::string bytes = Unbase64(entry["record_bytes"]);
  const Hash leaf = HashLeaf(bytes);
  EXPECT_EQ(leaf, ToHash(Unbase64(entry["leaf_hash"])));
  InclusionProof proof;
  proof.leaf_index = entry["inclusion_proof"]["leaf_index"].get<uint64_t>();
  proof.tree_size = entry["inclusion_proof"]["tree_size"].get<uint64_t>();
  for (const Json& hash : entry["inclusion_proof"]["path"]) {
    proof.path.push_back(ToHash(Unbase64(hash)));
  }
  EXPECT_EQ(proof.leaf_index, entry["seq"].get<uint64_t>());
  EXPECT_OK(VerifyInclusionInCheckpoint(note, key, leaf, proof).status());
}

class ServerWebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(testing::WriteWholeFile(scratch_.Sub("ca.pem"), ca_.cert_pem()));
    ASSERT_OK(testing::WriteWholeFile(rules_path_, kRules));
    // The log's key exists before the receiver does, so the receiver checks v1a with it.
    {
      // 4 records per segment, so that a few appends seal segments the integrity test can damage.
      ServerOptions first_options;
      first_options.leaves_per_segment_log2 = 2;
      absl::StatusOr<std::unique_ptr<TestServer>> first =
          TestServer::Start(data_dir_, first_options);
      ASSERT_OK(first.status());
      absl::StatusOr<NoteVerifierKey> key = ParseNoteVerifierKey((*first)->server().verifier_key());
      ASSERT_OK(key.status());
      key_ = *key;
      ASSERT_OK((*first)->Stop());
    }
    const testing::PemPair server_cert = ca_.IssueServer("receiver");
    receiver_ = std::make_unique<WebhookReceiver>(
        scratch_.Sub(""), server_cert.cert, server_cert.key, testing::HmacKeyOfSecret(secret_),
        std::string(key_.public_key.begin(), key_.public_key.end()));
    receiver_->Start();
  }

  void TearDown() override {
    if (receiver_ != nullptr) receiver_->Stop();
  }

  void WriteWebhooks(const std::string& extra = "") {
    const std::string path = webhooks_path_;
    ASSERT_OK(testing::WriteWholeFile(
        path, absl::StrCat("endpoints:\n  - id: soc\n    url: ", receiver_->Url(),
                           "\n    secret: ", secret_, "\n    ca_file: ", scratch_.Sub("ca.pem"),
                           "\n    ed25519: true\n    initial_backoff: 100ms\n"
                           "    max_backoff: 200ms\n    timeout: 5s\n",
                           extra)));
    ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  }

  std::string WorkDir(const std::string& name) {
    std::filesystem::create_directories(scratch_.Sub(name));
    return scratch_.Sub(name);
  }

  ServerOptions Options() {
    ServerOptions options;
    options.checkpoint_interval_ms = 50;
    options.rules_path = rules_path_;
    options.webhooks_file = webhooks_path_;
    return options;
  }

  ScratchDir scratch_{"server_webhook"};
  std::string data_dir_ = scratch_.Sub("data");
  std::string rules_path_ = scratch_.Sub("rules.yaml");
  std::string webhooks_path_ = scratch_.Sub("webhooks.yaml");
  testing::TestCa ca_{"webhook test CA"};
  std::string secret_ = testing::NewWebhookSecret();
  NoteVerifierKey key_;
  std::unique_ptr<WebhookReceiver> receiver_;
};

TEST_F(ServerWebhookTest, AnAlertArrivesSignedWithProofsThatVerifyAgainstTheSignedCheckpoint) {
  WriteWebhooks();
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(data_dir_, Options());
  ASSERT_OK(server.status());
  AppendOne((*server)->audit(), Export("alice", 10));
  const uint64_t big = AppendOne((*server)->audit(), Export("bob", 5000));

  ASSERT_TRUE(receiver_->WaitFor(
      [](const std::vector<ReceivedWebhook>& received) { return !received.empty(); },
      absl::Seconds(20)));
  const ReceivedWebhook delivery = receiver_->Received().front();
  EXPECT_TRUE(delivery.v1_valid) << delivery.signature;
  EXPECT_TRUE(delivery.v1a_valid) << delivery.signature;
  EXPECT_TRUE(delivery.fresh);
  EXPECT_EQ(delivery.content_type, "application/json");

  const Json body = Json::parse(delivery.body);
  EXPECT_EQ(body["type"], kAlertAction);
  const uint64_t alert_seq = body["alert"]["seq"].get<uint64_t>();
  EXPECT_GT(alert_seq, big);
  EXPECT_THAT(delivery.webhook_id, ::testing::EndsWith(absl::StrCat("_", alert_seq)));
  EXPECT_EQ(body["alert"]["record"]["details"]["attributes"]["rule"], "big-export");
  ASSERT_EQ(body["triggers"].size(), 1u);
  EXPECT_EQ(body["triggers"][0]["seq"].get<uint64_t>(), big);
  EXPECT_EQ(body["triggers"][0]["record"]["details"]["rowCount"], "5000");

  // What a receiver with only the verifier key can check: the checkpoint's signature, and that
  // the alert and its trigger are in the tree it signs.
  const std::string note = body["checkpoint"]["signed_note"].get<std::string>();
  EXPECT_EQ(body["checkpoint"]["tree_size"].get<uint64_t>(),
            body["alert"]["inclusion_proof"]["tree_size"].get<uint64_t>());
  ExpectEntryProven(body["alert"], note, key_);
  ExpectEntryProven(body["triggers"][0], note, key_);
  // A body whose record was altered no longer hashes to its proven leaf.
  Json forged = body["triggers"][0];
  std::string bytes = Unbase64(forged["record_bytes"]);
  bytes.back() ^= 1;
  EXPECT_NE(HashLeaf(bytes), ToHash(Unbase64(forged["leaf_hash"])));
  ASSERT_OK((*server)->Stop());
}

TEST_F(ServerWebhookTest, DeliveriesPendingAtASigkillArriveAfterTheRestartUnderTheSameIds) {
  WriteWebhooks();
  // The receiver is failing: every alert stays pending.
  receiver_->SetBehaviour([](const ReceivedWebhook&, int) { return 500; });
  const std::string binary = SEALTRAILD_PATH;
  const std::vector<std::string> args = {
      "--rules", rules_path_, "--webhooks", webhooks_path_, "--checkpoint-interval-ms", "50"};
  constexpr int kAlerts = 5;
  {
    absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> daemon =
        testing::DaemonProcess::Start(binary, data_dir_, WorkDir("work1"), args);
    ASSERT_OK(daemon.status());
    auto stub = v1::AuditLog::NewStub((*daemon)->NewChannel());
    for (int i = 0; i < kAlerts; ++i) AppendOne(*stub, Export("bob", 5000 + i));
    // Every alert was tried at least once (and failed), then the server dies mid-retry.
    ASSERT_TRUE(receiver_->WaitFor(
        [](const std::vector<ReceivedWebhook>& received) {
          std::set<std::string> ids;
          for (const ReceivedWebhook& r : received) ids.insert(r.webhook_id);
          return ids.size() >= 1;
        },
        absl::Seconds(20)));
    (*daemon)->Signal(SIGKILL);
    ASSERT_OK((*daemon)->Wait(absl::Seconds(10)).status());
  }
  receiver_->SetBehaviour([](const ReceivedWebhook&, int) { return 204; });
  absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> daemon =
      testing::DaemonProcess::Start(binary, data_dir_, WorkDir("work2"), args);
  ASSERT_OK(daemon.status());
  std::set<std::string> accepted;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline && accepted.size() < kAlerts) {
    const std::vector<std::string> ids = receiver_->AcceptedIds();
    accepted = std::set<std::string>(ids.begin(), ids.end());
    absl::SleepFor(absl::Milliseconds(50));
  }
  // Every alert arrived; an id seen twice is the same alert (the ids of the failed attempts
  // before the kill are among the accepted ones).
  EXPECT_EQ(accepted.size(), static_cast<size_t>(kAlerts)) << (*daemon)->Stderr();
  std::set<std::string> tried;
  for (const ReceivedWebhook& r : receiver_->Received()) tried.insert(r.webhook_id);
  EXPECT_EQ(tried, accepted);
  for (const ReceivedWebhook& r : receiver_->Received()) {
    EXPECT_TRUE(r.v1_valid && r.v1a_valid) << r.webhook_id;
    if (r.status == 204) {
      EXPECT_EQ(Json::parse(r.body)["triggers"].size(), 1u);
    }
  }
  (*daemon)->Signal(SIGTERM);
  ASSERT_OK((*daemon)->Wait(absl::Seconds(30)).status());
}

TEST_F(ServerWebhookTest, ASegmentChangedUnderTheRunningServerRaisesAnIntegrityAlarm) {
  WriteWebhooks("    min_severity: critical\n");
  ServerOptions options = Options();
  options.integrity_scan_period_ms = 200;
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(data_dir_, options);
  ASSERT_OK(server.status());
  for (int i = 0; i < 10; ++i) AppendOne((*server)->audit(), MakeRecord("acme", "a", "doc.read"));

  // Flip one byte inside record 1's payload, in sealed segment 0.
  const std::string segment = testing::SegmentPath(data_dir_, 0);
  absl::StatusOr<std::string> file = testing::ReadWholeFile(segment);
  ASSERT_OK(file.status());
  absl::StatusOr<testing::SegmentLayout> layout = testing::ParseSegmentLayout(*file, 2);
  ASSERT_OK(layout.status());
  ASSERT_TRUE(layout->sealed);
  const uint64_t offset = layout->frames[1].payload_offset() + 3;
  ASSERT_OK(testing::MakeOwnerWritable(segment));
  ASSERT_OK(testing::FlipByteAt(segment, offset));

  ASSERT_TRUE(receiver_->WaitFor(
      [](const std::vector<ReceivedWebhook>& received) {
        for (const ReceivedWebhook& r : received) {
          if (r.body.find(kIntegrityViolationAction) != std::string::npos) return true;
        }
        return false;
      },
      absl::Seconds(20)))
      << "no integrity.violation delivered";
  Json violation;
  for (const ReceivedWebhook& r : receiver_->Received()) {
    if (r.body.find(kIntegrityViolationAction) != std::string::npos) {
      violation = Json::parse(r.body);
      EXPECT_TRUE(r.v1_valid && r.v1a_valid);
    }
  }
  EXPECT_EQ(violation["type"], kIntegrityViolationAction);
  const Json& record = violation["alert"]["record"];
  EXPECT_EQ(record["context"]["tenantId"], kPlatformTenant);
  EXPECT_EQ(record["details"]["attributes"]["severity"], "critical");
  EXPECT_THAT(record["details"]["attributes"]["file"].get<std::string>(),
              HasSubstr(testing::SegmentFileName(0)));
  EXPECT_EQ(record["details"]["attributes"]["seq"], "1");
  EXPECT_EQ(record["details"]["attributes"]["offset"], absl::StrCat(layout->frames[1].offset));
  EXPECT_THAT(record["outcome"]["reason"].get<std::string>(),
              ::testing::AllOf(HasSubstr("record 1 "), HasSubstr("checksum mismatch")));

  // Reads go on: the other records, and the alert, are served.
  v1::QueryRequest query;
  query.set_tenant_id(kPlatformTenant);
  query.set_action(kIntegrityViolationAction);
  v1::QueryResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE((*server)->audit().Query(&context, query, &response).ok());
  EXPECT_GE(response.results_size(), 1);
  ASSERT_OK((*server)->Stop());
}

TEST_F(ServerWebhookTest, ADeadLetterIsListedRetriedByAnAdminAndTheRetryIsEvidence) {
  WriteWebhooks("    dead_letter_after: 300ms\n");
  receiver_->SetBehaviour([](const ReceivedWebhook&, int) { return 503; });
  absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(data_dir_, Options());
  ASSERT_OK(server.status());
  AppendOne((*server)->audit(), Export("bob", 5000));

  cli::ServerConnection admin{(*server)->address()};
  admin.credentials.bearer_token = (*server)->Token("ops", {"admin"}, {"*"});
  cli::ServerClient client(admin);
  // The receiver keeps failing: after dead_letter_after the alert is a dead letter.
  std::string listed;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    std::ostringstream out;
    ASSERT_OK(cli::RunWebhooksList(client, "", "json", out));
    listed = out.str();
    if (listed.find("\"state\":\"dead\"") != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_THAT(listed, HasSubstr("\"state\":\"dead\""));
  EXPECT_THAT(listed, HasSubstr("\"rule\":\"big-export\""));
  EXPECT_THAT(listed, HasSubstr("503"));  // The last error names what the receiver answered.
  const Json dead = [&] {
    for (const std::string& line : std::vector<std::string>(absl::StrSplit(listed, '\n'))) {
      if (line.find("\"delivery\"") != std::string::npos) return Json::parse(line)["delivery"];
    }
    return Json();
  }();
  const uint64_t alert_seq = dead["alert_seq"].get<uint64_t>();

  // Only an admin may list or retry; the refusal says which role is needed.
  cli::ServerConnection auditor{(*server)->address()};
  auditor.credentials.bearer_token = (*server)->Token("eve", {"auditor"}, {"*"});
  cli::ServerClient not_admin(auditor);
  std::ostringstream ignored;
  absl::Status refused = cli::RunWebhooksRetry(not_admin, "soc", alert_seq, ignored);
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("admin"));
  // A seq that is not a dead letter, an endpoint that does not exist: named.
  absl::Status unknown = cli::RunWebhooksRetry(client, "soc", alert_seq + 100, ignored);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound) << unknown;
  absl::Status no_endpoint = cli::RunWebhooksRetry(client, "nope", alert_seq, ignored);
  EXPECT_EQ(no_endpoint.code(), absl::StatusCode::kNotFound) << no_endpoint;
  EXPECT_THAT(no_endpoint.message(), HasSubstr("nope"));

  // The receiver recovers; the retry delivers the dead letter under its webhook-id.
  receiver_->SetBehaviour([](const ReceivedWebhook&, int) { return 200; });
  std::ostringstream retried;
  ASSERT_OK(cli::RunWebhooksRetry(client, "soc", alert_seq, retried));
  EXPECT_THAT(retried.str(), HasSubstr("\"retried\":1"));
  ASSERT_TRUE(receiver_->WaitFor(
      [](const std::vector<ReceivedWebhook>& received) {
        return !received.empty() && received.back().status == 200;
      },
      absl::Seconds(20)));
  EXPECT_EQ(receiver_->Received().back().webhook_id, dead["webhook_id"].get<std::string>());

  // Who retried what is in the log.
  v1::QueryRequest query;
  query.set_tenant_id(kPlatformTenant);
  query.set_action("sealtrail.webhook.retry");
  v1::QueryResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE((*server)->audit().Query(&context, query, &response).ok());
  ASSERT_EQ(response.results_size(), 1);
  absl::StatusOr<v1::AuditRecord> record = ParseStoredRecord(response.results(0).data());
  ASSERT_OK(record.status());
  EXPECT_EQ(record->actor().service(), "ops");
  EXPECT_EQ(record->action().resource_id(), "soc");
  EXPECT_EQ(record->details().attributes().at("retried"), "1");

  // `sealtrail alerts` lists the alert with its rule and severity.
  cli::QueryArgs args;
  args.tenant = "acme";
  args.action = kAlertAction;
  args.alert_columns = true;
  std::ostringstream table;
  ASSERT_OK(cli::RunQuery(not_admin, args, table));  // An auditor's read.
  EXPECT_THAT(table.str(), HasSubstr("severity"));
  EXPECT_THAT(table.str(), HasSubstr("big-export"));
  EXPECT_THAT(table.str(), HasSubstr("high"));
  ASSERT_OK((*server)->Stop());
}

}  // namespace
}  // namespace sealtrail
