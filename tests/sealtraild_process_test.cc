// The sealtraild binary's start-up refusals, as an operator meets them: a listen address another
// server holds, and a config file with a key sealtraild does not know. Each must stop the start
// with a message naming what is wrong, and leave anything already running alone.
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"
#include "server_testing/daemon_process.h"
#include "server_testing/test_server.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::DaemonProcess;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::ScratchDir;
using ::testing::HasSubstr;

class SealtraildProcessTest : public ::testing::Test {
 protected:
  std::string WorkDir(const std::string& name) {
    std::filesystem::create_directories(scratch_.Sub(name));
    return scratch_.Sub(name);
  }
  ScratchDir scratch_{"sealtraild_process_test"};
};

// One append through `daemon`'s own connection; returns the sequence number, or -1.
int64_t AppendOne(const DaemonProcess& daemon, const std::string& resource_id) {
  auto stub = v1::AuditLog::NewStub(daemon.NewChannel());
  v1::AppendRequest request;
  v1::AuditRecord* record = request.add_records();
  *record = MakeRecord("port-tenant", "alice", "doc.read");
  record->mutable_action()->set_resource_id(resource_id);
  v1::AppendResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub->Append(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return status.ok() && response.results_size() == 1
             ? static_cast<int64_t>(response.results(0).seq())
             : -1;
}

// The number of records of port-tenant that `daemon` holds.
int CountRecords(const DaemonProcess& daemon) {
  auto stub = v1::AuditLog::NewStub(daemon.NewChannel());
  v1::QueryRequest request;
  request.set_tenant_id("port-tenant");
  request.set_limit(1000);
  v1::QueryResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub->Query(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.results_size();
}

// gRPC sets SO_REUSEPORT by default; with it a second server on the same address started, and
// connections (with their acknowledged appends) were split between the two logs.
TEST_F(SealtraildProcessTest, ASecondServerOnATakenAddressRefusesToStartNamingIt) {
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<DaemonProcess> first,
      DaemonProcess::Start(SEALTRAILD_PATH, scratch_.Sub("data1"), WorkDir("first"), {}));
  const std::string address = first->address();
  absl::StatusOr<std::unique_ptr<DaemonProcess>> second = DaemonProcess::Start(
      SEALTRAILD_PATH, scratch_.Sub("data2"), WorkDir("second"), {"--listen", address});
  ASSERT_FALSE(second.ok()) << "a second sealtraild started on " << address;
  // Exit status 1 (wait status 256), not a crash, with the reason in its event log.
  EXPECT_THAT(second.status().message(), HasSubstr("exited during start-up (status 256)"));
  EXPECT_THAT(second.status().message(), HasSubstr("start_failed"));
  EXPECT_THAT(second.status().message(), HasSubstr(absl::StrCat("cannot listen on ", address)));

  // The first still serves on that address, and every append lands in its log.
  constexpr int kAppends = 20;
  for (int i = 0; i < kAppends; ++i) {
    ASSERT_EQ(AppendOne(*first, absl::StrCat("r", i)), i);
  }
  EXPECT_EQ(CountRecords(*first), kAppends);
}

TEST_F(SealtraildProcessTest, AConfigFileWithAnUnknownKeyIsRefusedNamingTheKey) {
  const std::string config = WorkDir("config") + "/sealtraild.toml";
  {
    std::ofstream out(config);
    out << "lisen = \"127.0.0.1:7799\"\n";
  }
  absl::StatusOr<std::unique_ptr<DaemonProcess>> daemon = DaemonProcess::Start(
      SEALTRAILD_PATH, scratch_.Sub("data"), WorkDir("run"), {"--config", config});
  ASSERT_FALSE(daemon.ok()) << "sealtraild started with an unknown config key";
  EXPECT_THAT(daemon.status().message(), HasSubstr("exited during start-up"));
  EXPECT_THAT(daemon.status().message(),
              HasSubstr(absl::StrCat("unknown key \"lisen\" in the config file ", config)));
  // Nothing was created: the refusal comes before the data directory is touched.
  EXPECT_FALSE(std::filesystem::exists(scratch_.Sub("data")));
}

TEST_F(SealtraildProcessTest, AConfigFileOfKnownKeysIsUsed) {
  const std::string config = WorkDir("config") + "/sealtraild.toml";
  {
    std::ofstream out(config);
    out << "checkpoint-interval-ms = 50\nsync = \"durable\"\n";
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DaemonProcess> daemon,
                       DaemonProcess::Start(SEALTRAILD_PATH, scratch_.Sub("data"), WorkDir("run"),
                                            {"--config", config}));
  EXPECT_EQ(AppendOne(*daemon, "r0"), 0);
}

}  // namespace
}  // namespace sealtrail
