// The sealtraild binary under load, stopped by signals: SIGKILL mid-load must lose no
// acknowledged record (every one is there after a restart, with the acknowledged sequence number
// and leaf hash, and findable through the index); SIGTERM must finish in-flight appends, sign a
// final checkpoint covering every acknowledged record, and exit 0, so the next start has nothing
// to recover.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sealtrail/checkpoint.h"
#include "sealtrail/hash.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/note.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"
#include "server/record/record.h"
#include "server_testing/daemon_process.h"
#include "server_testing/test_server.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::DaemonProcess;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::ScratchDir;

constexpr char kTenant[] = "crash-tenant";

struct Acknowledged {
  std::string resource_id;  // Unique per record.
  std::string leaf_hash;
};

// Appends from several streams and unary callers until told to stop or a call fails, and keeps
// every acknowledgement. Bounded: at most kMaxRecordsPerCaller records per caller.
class Load {
 public:
  static constexpr int kStreams = 2;
  static constexpr int kUnaryCallers = 4;
  static constexpr int kMaxRecordsPerCaller = 200000;

  // `daemon` must outlive Finish.
  Load(const DaemonProcess& daemon, const std::string& tag) {
    for (int s = 0; s < kStreams; ++s) {
      threads_.emplace_back([this, &daemon, tag, s] { RunStream(daemon, tag, s); });
    }
    for (int u = 0; u < kUnaryCallers; ++u) {
      threads_.emplace_back([this, &daemon, tag, u] { RunUnary(daemon, tag, u); });
    }
  }

  // Stops the callers (they also stop by themselves once the server is gone) and joins them.
  std::map<uint64_t, Acknowledged> Finish() {
    stop_ = true;
    for (std::thread& thread : threads_) thread.join();
    absl::MutexLock lock(&mu_);
    return acknowledged_;
  }

  size_t count() {
    absl::MutexLock lock(&mu_);
    return acknowledged_.size();
  }

 private:
  static std::unique_ptr<v1::AuditLog::Stub> Connect(const DaemonProcess& daemon) {
    return v1::AuditLog::NewStub(daemon.NewChannel());
  }

  v1::AuditRecord Next(const std::string& caller, int i) {
    v1::AuditRecord record = MakeRecord(kTenant, caller, "call.barge");
    record.mutable_action()->set_resource_id(absl::StrCat(caller, "-", i));
    return record;
  }

  void Keep(const v1::AppendRequest& request, const v1::AppendResponse& response) {
    absl::MutexLock lock(&mu_);
    for (int i = 0; i < response.results_size(); ++i) {
      acknowledged_[response.results(i).seq()] = {request.records(i).action().resource_id(),
                                                  response.results(i).leaf_hash()};
    }
  }

  void RunStream(const DaemonProcess& daemon, const std::string& tag, int s) {
    auto stub = Connect(daemon);
    grpc::ClientContext context;
    auto stream = stub->AppendStream(&context);
    std::string caller = absl::StrCat(tag, "-stream", s);
    std::vector<v1::AppendRequest> in_flight;  // Replies come in request order.
    size_t next_reply = 0;
    int sent = 0;
    while (!stop_ && sent < kMaxRecordsPerCaller) {
      v1::AppendRequest request;
      for (int i = 0; i < 32; ++i) *request.add_records() = Next(caller, sent++);
      if (!stream->Write(request)) break;
      in_flight.push_back(std::move(request));
      if (in_flight.size() - next_reply >= 4) {
        v1::AppendResponse response;
        if (!stream->Read(&response)) break;
        Keep(in_flight[next_reply++], response);
      }
    }
    context.TryCancel();
    (void)stream->Finish();
  }

  void RunUnary(const DaemonProcess& daemon, const std::string& tag, int u) {
    auto stub = Connect(daemon);
    std::string caller = absl::StrCat(tag, "-unary", u);
    for (int i = 0; !stop_ && i < kMaxRecordsPerCaller; ++i) {
      v1::AppendRequest request;
      *request.add_records() = Next(caller, i);
      v1::AppendResponse response;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      if (!stub->Append(&context, request, &response).ok()) break;
      Keep(request, response);
    }
  }

  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::map<uint64_t, Acknowledged> acknowledged_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

// Every acknowledged record is in the log at its sequence number with its leaf hash, and the
// index finds it. Query results carry the bytes the log holds at each sequence number, so one
// pass over the tenant checks both; a sample is also proven and verified one by one.
void ExpectAllPresent(const DaemonProcess& daemon, const std::map<uint64_t, Acknowledged>& acked) {
  auto channel = daemon.NewChannel();
  auto prover = v1::Prover::NewStub(channel);
  auto audit = v1::AuditLog::NewStub(channel);
  std::map<uint64_t, std::string> found;  // seq -> stored bytes
  v1::QueryRequest query;
  query.set_tenant_id(kTenant);
  query.set_order(v1::QueryRequest::OLDEST_FIRST);
  query.set_limit(10000);
  for (int page = 0; page < 1000; ++page) {
    v1::QueryResponse response;
    grpc::ClientContext context;
    grpc::Status status = audit->Query(&context, query, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const v1::QueryResult& result : response.results()) found[result.seq()] = result.data();
    if (response.next_page_token().empty()) break;
    query.set_page_token(response.next_page_token());
  }
  size_t checked = 0;
  for (const auto& [seq, ack] : acked) {
    auto it = found.find(seq);
    ASSERT_NE(it, found.end()) << "acknowledged seq " << seq << " is not in the index";
    EXPECT_EQ(std::string(AsStringView(HashLeaf(it->second))), ack.leaf_hash) << "seq " << seq;
    ASSERT_OK_AND_ASSIGN(v1::AuditRecord stored, ParseStoredRecord(it->second));
    EXPECT_EQ(stored.action().resource_id(), ack.resource_id) << "seq " << seq;
    if (checked++ % 97 != 0) continue;
    v1::ProveInclusionRequest request;
    request.set_seq(seq);
    v1::ProveInclusionResponse response;
    grpc::ClientContext context;
    grpc::Status status = prover->ProveInclusion(&context, request, &response);
    ASSERT_TRUE(status.ok()) << "seq " << seq << ": " << status.error_message();
    EXPECT_EQ(response.data(), it->second);
    std::vector<Hash> path;
    for (const std::string& node : response.proof().path()) {
      Hash hash{};
      std::copy_n(node.begin(), std::min(node.size(), kHashSize), hash.begin());
      path.push_back(hash);
    }
    Hash root{};
    std::copy_n(response.proof().root().begin(), kHashSize, root.begin());
    EXPECT_OK(
        VerifyInclusion(HashLeaf(response.data()), seq, response.proof().tree_size(), path, root));
  }
}

class ServerCrashTest : public ::testing::Test {
 protected:
  // Each start gets its own work directory (port file, stderr) named `name`.
  absl::StatusOr<std::unique_ptr<DaemonProcess>> StartDaemon(const std::string& name) {
    std::filesystem::create_directories(scratch_.Sub(name));
    return DaemonProcess::Start(SEALTRAILD_PATH, scratch_.Sub("data"), scratch_.Sub(name),
                                {"--checkpoint-interval-ms", "20"});
  }
  ScratchDir scratch_{"server_crash_test"};
};

TEST_F(ServerCrashTest, SigkillUnderLoadLosesNoAcknowledgedRecord) {
  std::mt19937 random(20261123);
  std::map<uint64_t, Acknowledged> all_acked;
  constexpr int kRounds = 5;
  int productive_rounds = 0;
  for (int round = 0; round < kRounds; ++round) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<DaemonProcess> daemon,
                         StartDaemon(absl::StrCat("round", round)));
    // Everything acknowledged in earlier rounds survived the earlier kills.
    ExpectAllPresent(*daemon, all_acked);
    Load load(*daemon, absl::StrCat("round", round));
    // Kill once the load is under way, at a random moment.
    absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (load.count() < 200 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
    absl::SleepFor(absl::Milliseconds(50 + random() % 400));
    daemon->Signal(SIGKILL);
    ASSERT_OK_AND_ASSIGN(int status, daemon->Wait(absl::Seconds(30)));
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
    std::map<uint64_t, Acknowledged> acked = load.Finish();
    if (!acked.empty()) ++productive_rounds;
    for (const auto& [seq, ack] : acked) {
      ASSERT_FALSE(all_acked.count(seq)) << "seq " << seq << " acknowledged twice";
      all_acked[seq] = ack;
    }
  }
  EXPECT_EQ(productive_rounds, kRounds) << "a round acknowledged nothing before the kill";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DaemonProcess> daemon, StartDaemon("final"));
  ExpectAllPresent(*daemon, all_acked);
  // Restarting after a kill is a recovery the operator is told about, or a clean open.
  EXPECT_THAT(daemon->Stderr(), ::testing::HasSubstr("\"event\":\"log_opened\""));
}

TEST_F(ServerCrashTest, SigtermFinishesInFlightAppendsAndSignsAFinalCheckpoint) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DaemonProcess> daemon, StartDaemon("first"));
  Load load(*daemon, "term");
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (load.count() < 500 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  daemon->Signal(SIGTERM);
  ASSERT_OK_AND_ASSIGN(int status, daemon->Wait(absl::Seconds(60)));
  std::map<uint64_t, Acknowledged> acked = load.Finish();
  ASSERT_FALSE(acked.empty());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status << "\n"
                                                             << daemon->Stderr();

  // Every line of the event log is one JSON object with ts, level and event.
  std::string events = daemon->Stderr();
  uint64_t final_size = 0;
  bool saw_signal = false;
  size_t lines = 0;
  for (size_t start = 0; start < events.size();) {
    size_t end = events.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "an unterminated event line";
    nlohmann::json line = nlohmann::json::parse(events.substr(start, end - start), nullptr, false);
    ASSERT_FALSE(line.is_discarded()) << events.substr(start, end - start);
    ASSERT_TRUE(line.contains("ts") && line.contains("level") && line.contains("event"));
    if (line["event"] == "final_checkpoint") final_size = line["tree_size"].get<uint64_t>();
    if (line["event"] == "signal") saw_signal = true;
    ++lines;
    start = end + 1;
  }
  EXPECT_GT(lines, 3u);
  EXPECT_TRUE(saw_signal);
  // The final checkpoint covers every acknowledged record.
  EXPECT_GE(final_size, acked.rbegin()->first + 1);

  // A clean shutdown leaves nothing to recover, and the latest checkpoint is the final one.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DaemonProcess> restarted, StartDaemon("second"));
  EXPECT_THAT(restarted->Stderr(), ::testing::Not(::testing::HasSubstr("log_recovery")));
  auto channel = restarted->NewChannel();
  auto prover = v1::Prover::NewStub(channel);
  v1::GetCheckpointRequest request;
  v1::GetCheckpointResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(prover->GetCheckpoint(&context, request, &response).ok());
  EXPECT_EQ(response.checkpoint().tree_size(), final_size);
  ExpectAllPresent(*restarted, acked);
}

}  // namespace
}  // namespace sealtrail
