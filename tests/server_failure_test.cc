// Failures of the server's background stages through a real server: a real AuditServer on
// 127.0.0.1 driven over gRPC, with the failure made real (a full tmpfs under the index, or a
// fault injected into the engine's Env). Each one must be heard: gRPC health NOT_SERVING for
// the server and the stage, an error event naming the cause, and the RPCs that depend on the
// stage answering with that cause instead of a wrong answer.
#include <sys/wait.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "sealtrail/env.h"
#include "sealtrail/log.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"
#include "server/service/server_health.h"
#include "server_testing/daemon_process.h"
#include "server_testing/health_check.h"
#include "server_testing/test_server.h"
#include "testing/fault_env.h"
#include "testing/scratch_dir.h"
#include "testing/small_filesystem.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::AwaitHealthStatus;
using ::sealtrail::testing::DaemonProcess;
using ::sealtrail::testing::FaultInjectionEnv;
using ::sealtrail::testing::FaultMode;
using ::sealtrail::testing::HealthStatus;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::kNotServing;
using ::sealtrail::testing::kServing;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::OpKind;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::SmallFilesystem;
using ::sealtrail::testing::TestServer;
using ::testing::HasSubstr;

constexpr absl::Duration kHealthTimeout = absl::Seconds(20);

grpc::Status Append(TestServer& server, const std::vector<v1::AuditRecord>& records,
                    v1::AppendResponse* response) {
  v1::AppendRequest request;
  for (const v1::AuditRecord& record : records) *request.add_records() = record;
  grpc::ClientContext context;
  return server.audit().Append(&context, request, response);
}

bool HasEvent(const TestServer& server, const std::string& event, const std::string& detail) {
  for (const std::string& line : server.events()) {
    if (line.find(absl::StrCat("\"event\":\"", event, "\"")) != std::string::npos &&
        line.find(detail) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string Events(const TestServer& server) {
  std::string all;
  for (const std::string& line : server.events()) all += line;
  return all;
}

// The index lives on a 2 MiB tmpfs that fills up while the log (elsewhere) keeps taking
// appends. The indexer retries, then stops: health says so, queries and proofs by leaf hash
// answer UNAVAILABLE naming the full disk (never OK with records missing), appends still work,
// and a restart with room rebuilds an index that finds every acknowledged record.
TEST(ServerFailureTest, IndexWriteFailureStopsTheIndexerVisiblyAndQueriesSayWhy) {
  ScratchDir scratch("server_failure_test");
  absl::StatusOr<std::unique_ptr<SmallFilesystem>> fs =
      SmallFilesystem::Mount(scratch.Sub("index_fs"), 2 << 20);
  if (!fs.ok()) GTEST_SKIP() << fs.status();
  ServerOptions options;
  options.index_dir = (*fs)->dir() + "/index";
  options.index.write_buffer_bytes = 256 << 10;
  options.checkpoint_interval_ms = 50;
  absl::StatusOr<std::unique_ptr<TestServer>> started =
      TestServer::Start(scratch.Sub("data"), options);
  ASSERT_TRUE(started.ok()) << started.status();
  TestServer& server = **started;
  ASSERT_OK_AND_ASSIGN(int health, HealthStatus(server.NewChannel(), "sealtrail.indexer"));
  ASSERT_EQ(health, kServing);

  std::vector<v1::AuditRecord> batch;
  for (int i = 0; i < 500; ++i) {
    batch.push_back(MakeRecord("acme", absl::StrCat("agent", i % 40), "call.barge"));
  }
  uint64_t acknowledged = 0;
  std::string last_leaf_hash;
  bool stopped = false;
  for (int round = 0; round < 400 && !stopped; ++round) {
    v1::AppendResponse response;
    grpc::Status status = Append(server, batch, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    acknowledged += static_cast<uint64_t>(response.results_size());
    last_leaf_hash = response.results(response.results_size() - 1).leaf_hash();
    absl::StatusOr<int> indexer = HealthStatus(server.NewChannel(), "sealtrail.indexer");
    ASSERT_TRUE(indexer.ok()) << indexer.status();
    stopped = *indexer == kNotServing;
  }
  if (!stopped) {
    ASSERT_OK_AND_ASSIGN(health, AwaitHealthStatus(server.NewChannel(), "sealtrail.indexer",
                                                   kNotServing, kHealthTimeout));
    ASSERT_EQ(health, kNotServing) << "the index never failed on a full 2 MiB file system after "
                                   << acknowledged << " records";
  }
  EXPECT_THAT(HealthStatus(server.NewChannel(), ""), IsOkAndHolds(kNotServing));
  EXPECT_THAT(HealthStatus(server.NewChannel(), "sealtrail.committer"), IsOkAndHolds(kServing));
  EXPECT_TRUE(HasEvent(server, "stage_failed", "\"stage\":\"indexer\"")) << Events(server);
  EXPECT_TRUE(HasEvent(server, "index_write_retry", "")) << Events(server);
  EXPECT_TRUE(HasEvent(server, "index_background_error", "the disk is full")) << Events(server);

  v1::QueryRequest query;
  query.set_tenant_id("acme");
  v1::QueryResponse page;
  grpc::ClientContext query_context;
  grpc::Status queried = server.audit().Query(&query_context, query, &page);
  EXPECT_EQ(queried.error_code(), grpc::StatusCode::UNAVAILABLE) << queried.error_message();
  EXPECT_THAT(queried.error_message(), HasSubstr("index stopped"));
  EXPECT_THAT(queried.error_message(), HasSubstr("No space left on device"));

  v1::ProveInclusionRequest prove;
  prove.set_leaf_hash(last_leaf_hash);
  v1::ProveInclusionResponse proof;
  grpc::ClientContext prove_context;
  grpc::Status proved = server.prover().ProveInclusion(&prove_context, prove, &proof);
  EXPECT_EQ(proved.error_code(), grpc::StatusCode::UNAVAILABLE) << proved.error_message();
  EXPECT_THAT(proved.error_message(), HasSubstr("index stopped"));

  // The records are durable whatever the index does: appends go on.
  v1::AppendResponse more;
  ASSERT_TRUE(Append(server, batch, &more).ok());
  acknowledged += static_cast<uint64_t>(more.results_size());
  (void)server.Stop();  // The index cannot flush onto a full disk; that is reported, not fatal.
  started->reset();

  // Restarted with the index where there is room, every acknowledged record is found.
  options.index_dir.clear();
  started = TestServer::Start(scratch.Sub("data"), options);
  ASSERT_TRUE(started.ok()) << started.status();
  uint64_t found = 0;
  query.set_limit(1000);
  for (int pages = 0; pages < 1000; ++pages) {
    v1::QueryResponse response;
    grpc::ClientContext context;
    grpc::Status status = (*started)->audit().Query(&context, query, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    found += static_cast<uint64_t>(response.results_size());
    if (response.next_page_token().empty()) break;
    query.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(found, acknowledged);
}

// A checkpoint that cannot be stored stops the background checkpointer: health says so and the
// event log names the cause (it used to stop silently with health SERVING).
TEST(ServerFailureTest, CheckpointStoreFailureTurnsHealthNotServing) {
  ScratchDir scratch("server_failure_test");
  FaultInjectionEnv env;
  ServerOptions options;
  options.env = &env;
  options.checkpoint_interval_ms = 20;
  absl::StatusOr<std::unique_ptr<TestServer>> started =
      TestServer::Start(scratch.Sub("data"), options);
  ASSERT_TRUE(started.ok()) << started.status();
  TestServer& server = **started;
  ASSERT_THAT(HealthStatus(server.NewChannel(), ""), IsOkAndHolds(kServing));
  env.FailNextOnPath(OpKind::kAppend, "/checkpoints", FaultMode::kWithoutEffect);
  v1::AppendResponse response;
  ASSERT_TRUE(Append(server, {MakeRecord("acme", "alice", "call.barge")}, &response).ok());

  EXPECT_THAT(
      AwaitHealthStatus(server.NewChannel(), "sealtrail.checkpointer", kNotServing, kHealthTimeout),
      IsOkAndHolds(kNotServing));
  EXPECT_THAT(HealthStatus(server.NewChannel(), ""), IsOkAndHolds(kNotServing));
  EXPECT_THAT(HealthStatus(server.NewChannel(), "sealtrail.indexer"), IsOkAndHolds(kServing));
  EXPECT_TRUE(HasEvent(server, "stage_failed", "\"stage\":\"checkpointer\"")) << Events(server);
  EXPECT_TRUE(HasEvent(server, "stage_failed", "injected fault")) << Events(server);
}

// A log write that fails stops the committer: appends are refused naming the cause, and health
// says the committer stopped.
TEST(ServerFailureTest, LogSyncFailureStopsTheCommitterVisibly) {
  ScratchDir scratch("server_failure_test");
  FaultInjectionEnv env;
  ServerOptions options;
  options.env = &env;
  absl::StatusOr<std::unique_ptr<TestServer>> started =
      TestServer::Start(scratch.Sub("data"), options);
  ASSERT_TRUE(started.ok()) << started.status();
  TestServer& server = **started;
  env.FailNextOnPath(OpKind::kSync, ".seg", FaultMode::kWithoutEffect);
  v1::AppendResponse response;
  grpc::Status status = Append(server, {MakeRecord("acme", "alice", "call.barge")}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("injected fault"));

  EXPECT_THAT(HealthStatus(server.NewChannel(), "sealtrail.committer"), IsOkAndHolds(kNotServing));
  EXPECT_THAT(HealthStatus(server.NewChannel(), ""), IsOkAndHolds(kNotServing));
  EXPECT_TRUE(HasEvent(server, "stage_failed", "\"stage\":\"committer\"")) << Events(server);
}

// Another process holds the data directory: a second server refuses to start with the one
// lock-held error (UNAVAILABLE, marked), naming the directory; the running one is untouched.
TEST(ServerFailureTest, ASecondServerOnTheSameDataDirIsRefusedWithTheLockHeldError) {
  ScratchDir scratch("server_failure_test");
  std::filesystem::create_directories(scratch.Sub("work1"));
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<DaemonProcess> running,
      DaemonProcess::Start(SEALTRAILD_PATH, scratch.Sub("data"), scratch.Sub("work1"), {}));
  absl::StatusOr<std::unique_ptr<TestServer>> second = TestServer::Start(scratch.Sub("data"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
  EXPECT_TRUE(IsLockHeldError(second.status())) << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr(scratch.Sub("data")));
  EXPECT_THAT(second.status().message(), HasSubstr("locked by another process"));
  EXPECT_THAT(HealthStatus(running->NewChannel(), ""), IsOkAndHolds(kServing));
}

// An index another server has open is never rebuilt (it is not damaged, only busy): the
// server that wants it refuses to start with the lock-held error, and the other keeps its index.
TEST(ServerFailureTest, AnIndexHeldByAnotherServerIsRefusedNotRebuilt) {
  ScratchDir scratch("server_failure_test");
  std::filesystem::create_directories(scratch.Sub("work1"));
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<DaemonProcess> running,
      DaemonProcess::Start(SEALTRAILD_PATH, scratch.Sub("data1"), scratch.Sub("work1"), {}));
  ServerOptions options;
  options.index_dir = scratch.Sub("data1") + "/index";
  absl::StatusOr<std::unique_ptr<TestServer>> second =
      TestServer::Start(scratch.Sub("data2"), options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
  EXPECT_TRUE(IsLockHeldError(second.status())) << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr("in use"));
  EXPECT_THAT(HealthStatus(running->NewChannel(), ""), IsOkAndHolds(kServing));
}

// An unknown on-disk format version is FAILED_PRECONDITION naming it, and the data directory is
// left as it was.
TEST(ServerFailureTest, AnUnknownDataFormatVersionIsFailedPrecondition) {
  ScratchDir scratch("server_failure_test");
  const std::string data = scratch.Sub("data");
  {
    absl::StatusOr<std::unique_ptr<TestServer>> first = TestServer::Start(data);
    ASSERT_TRUE(first.ok()) << first.status();
  }
  const std::string format_file = data + "/FORMAT";
  std::string format;
  {
    std::ifstream in(format_file);
    format.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const size_t at = format.find("format 2");
  ASSERT_NE(at, std::string::npos) << format;
  format.replace(at, 8, "format 9");
  std::ofstream(format_file, std::ios::trunc) << format;
  absl::StatusOr<std::unique_ptr<TestServer>> second = TestServer::Start(data);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr("format"));
  EXPECT_FALSE(IsLockHeldError(second.status()));
}

// An index directory that cannot be read (here: a file where the directory should be) is an I/O
// error: the server refuses to start and rebuilds nothing, deletes nothing.
TEST(ServerFailureTest, AnIndexThatCannotBeReadIsAnErrorNotARebuild) {
  ScratchDir scratch("server_failure_test");
  const std::string not_a_dir = scratch.Sub("index-file");
  std::ofstream(not_a_dir) << "precious";
  ServerOptions options;
  options.index_dir = not_a_dir;
  absl::StatusOr<std::unique_ptr<TestServer>> server =
      TestServer::Start(scratch.Sub("data"), options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInternal) << server.status();
  EXPECT_THAT(server.status().message(), HasSubstr(not_a_dir));
  std::ifstream in(not_a_dir);
  std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(kept, "precious");
}

grpc::Status AppendOver(const std::shared_ptr<grpc::Channel>& channel,
                        const std::vector<v1::AuditRecord>& records, v1::AppendResponse* response) {
  v1::AppendRequest request;
  for (const v1::AuditRecord& record : records) *request.add_records() = record;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return v1::AuditLog::NewStub(channel)->Append(&context, request, response);
}

// Ten records of ~3 KB each: a request a nearly full disk cannot take whole.
std::vector<v1::AuditRecord> BulkyRequest(int round) {
  std::vector<v1::AuditRecord> records;
  for (int i = 0; i < 10; ++i) {
    v1::AuditRecord record = MakeRecord("acme", absl::StrCat("bulk", round, "-", i), "data.export");
    record.mutable_details()->set_old_value(std::string(3000, 'v'));
    records.push_back(std::move(record));
  }
  return records;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return absl::StrCat("exit ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return absl::StrCat("killed by signal ", WTERMSIG(status));
  return absl::StrCat("wait status ", status);
}

// A real sealtraild on a real full disk (a 4 MiB tmpfs holding the data directory, index
// included). Appends are refused RESOURCE_EXHAUSTED saying the disk is full; SIGTERM then stops
// the server with an exit status (never an abort: RocksDB's info log used to trip an assertion,
// exit 134) and events saying what it could not do; restarts on the still-full disk either come
// up or refuse cleanly, naming the full disk; once there is room again, the log holds exactly
// the acknowledged records: nothing of a refused request.
TEST(ServerFailureTest, AFullDiskStopsAndRestartsCleanlyAndRefusedAppendsLeaveNothing) {
  ScratchDir scratch("server_failure_test");
  absl::StatusOr<std::unique_ptr<SmallFilesystem>> fs =
      SmallFilesystem::Mount(scratch.Sub("fs"), 4 << 20);
  if (!fs.ok()) GTEST_SKIP() << fs.status();
  const std::string data = (*fs)->dir() + "/data";
  const std::vector<std::string> args = {"--index-write-buffer-mb", "1"};
  std::filesystem::create_directories(scratch.Sub("work0"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DaemonProcess> daemon,
                       DaemonProcess::Start(SEALTRAILD_PATH, data, scratch.Sub("work0"), args));
  v1::AppendResponse response;
  ASSERT_TRUE(
      AppendOver(daemon->NewChannel(), {MakeRecord("acme", "alice", "call.barge")}, &response)
          .ok());
  uint64_t acknowledged = 1;
  ASSERT_OK((*fs)->Fill("filler").status());

  bool refused = false;
  for (int round = 0; round < 20 && !refused; ++round) {
    grpc::Status status = AppendOver(daemon->NewChannel(), BulkyRequest(round), &response);
    if (status.ok()) {
      acknowledged += static_cast<uint64_t>(response.results_size());
      continue;
    }
    refused = true;
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("the disk is full"));
  }
  ASSERT_TRUE(refused) << "a full disk took every append";
  // Later requests are refused the same way, whole.
  grpc::Status again = AppendOver(daemon->NewChannel(), BulkyRequest(99), &response);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << again.error_message();

  daemon->Signal(SIGTERM);
  ASSERT_OK_AND_ASSIGN(int status, daemon->Wait(absl::Seconds(60)));
  // It says what it could not do: the index could not be flushed (its memtable holds the
  // first record), so the exit status is 1; the log and everything else were closed.
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << DescribeWaitStatus(status) << "\n"
                                                             << daemon->Stderr();
  EXPECT_THAT(daemon->Stderr(), HasSubstr("\"event\":\"index_close_failed\""));
  EXPECT_THAT(daemon->Stderr(), HasSubstr("the disk is full"));
  EXPECT_THAT(daemon->Stderr(), HasSubstr("\"event\":\"stopped\""));
  daemon.reset();

  // Restarts on the still-full disk: each one comes up (and stops on SIGTERM) or refuses to
  // start, naming the full disk; none crashes.
  for (int restart = 1; restart <= 4; ++restart) {
    const std::string work = scratch.Sub(absl::StrCat("work", restart));
    std::filesystem::create_directories(work);
    absl::StatusOr<std::unique_ptr<DaemonProcess>> again_daemon =
        DaemonProcess::Start(SEALTRAILD_PATH, data, work, args);
    if (!again_daemon.ok()) {
      EXPECT_THAT(again_daemon.status().message(), HasSubstr("the disk is full"))
          << "restart " << restart;
      EXPECT_THAT(again_daemon.status().message(), HasSubstr("start_failed"))
          << "restart " << restart;
      EXPECT_THAT(again_daemon.status().message(), ::testing::Not(HasSubstr("signal")))
          << "restart " << restart;
      continue;
    }
    (*again_daemon)->Signal(SIGTERM);
    ASSERT_OK_AND_ASSIGN(status, (*again_daemon)->Wait(absl::Seconds(60)));
    EXPECT_TRUE(WIFEXITED(status))
        << "restart " << restart << ": " << DescribeWaitStatus(status) << "\n"
        << (*again_daemon)->Stderr();
  }

  // With room again, the log holds every acknowledged record and nothing of a refused request.
  std::filesystem::remove((*fs)->dir() + "/filler");
  std::filesystem::create_directories(scratch.Sub("work_room"));
  ASSERT_OK_AND_ASSIGN(daemon,
                       DaemonProcess::Start(SEALTRAILD_PATH, data, scratch.Sub("work_room"), args));
  daemon->Signal(SIGTERM);
  ASSERT_OK_AND_ASSIGN(status, daemon->Wait(absl::Seconds(60)));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << DescribeWaitStatus(status);
  LogOptions read_only;
  read_only.read_only = true;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(read_only, data));
  EXPECT_EQ(log->Size(), acknowledged);
}

}  // namespace
}  // namespace sealtrail
