// Tests of end users' actor tokens in `sealtrail append` (tools/cli/server_commands.h): the JSON
// lines {"record":...,"actor_token":"..."} beside plain records, and AppendRequest.actor_tokens as
// a tiny real gRPC server on 127.0.0.1 port 0 receives them, from the library and the binary.
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/server_channel.h"
#include "cli/server_commands.h"
#include "gmock/gmock.h"
#include "grpcpp/security/server_credentials.h"
#include "gtest/gtest.h"
#include "recording_server.h"
#include "server/record/record.h"
#include "testing/run_process.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {
namespace {

using ::sealtrail::testing::ProcessResult;
using ::sealtrail::testing::RunProcess;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kRecord[] = R"({"context":{"tenantId":"acme"},"actor":{"userId":"a-1"},)"
                           R"("action":{"name":"auth.login"},"outcome":{"result":"SUCCESS"}})";

std::string WithToken(const std::string& token) {
  return absl::StrCat(R"({"record":)", kRecord, R"(,"actor_token":")", token, R"("})");
}

absl::StatusOr<AppendInput> Read(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) absl::StrAppend(&text, line, "\n");
  std::istringstream in(text);
  return ReadJsonRecords(in);
}

TEST(ReadJsonRecordsTest, PlainRecordsHaveNoActorTokens) {
  ASSERT_OK_AND_ASSIGN(AppendInput input, Read({kRecord, kRecord}));
  EXPECT_EQ(input.records.size(), 2u);
  EXPECT_THAT(input.actor_tokens, IsEmpty());
}

TEST(ReadJsonRecordsTest, EnvelopesAndPlainRecordsMixOneTokenPerRecord) {
  ASSERT_OK_AND_ASSIGN(AppendInput input,
                       Read({kRecord, WithToken("t1"), absl::StrCat(R"({"record":)", kRecord, "}"),
                             kRecord, WithToken("t2")}));
  ASSERT_EQ(input.records.size(), 5u);
  EXPECT_THAT(input.actor_tokens, ElementsAre("", "t1", "", "", "t2"));
  EXPECT_EQ(input.records[1].actor().user_id(), "a-1");
  EXPECT_EQ(input.records[1].context().tenant_id(), "acme");
}

// A regression test: a token on the first line only was dropped.
TEST(ReadJsonRecordsTest, TokenOnTheFirstLineOnly) {
  ASSERT_OK_AND_ASSIGN(AppendInput input, Read({WithToken("t0"), kRecord}));
  EXPECT_THAT(input.actor_tokens, ElementsAre("t0", ""));
  ASSERT_OK_AND_ASSIGN(AppendInput single, Read({WithToken("t0")}));
  EXPECT_THAT(single.actor_tokens, ElementsAre("t0"));
}

TEST(ReadJsonRecordsTest, BadEnvelopesNameTheLineAndNeverTheToken) {
  EXPECT_THAT(Read({kRecord, absl::StrCat(R"({"record":)", kRecord, R"(,"actor":"x"})")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 2 of the input: a line with \"record\" may hold only")));
  EXPECT_THAT(Read({absl::StrCat(R"({"record":)", kRecord, R"(,"actor_token":7})")}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be a string")));
  const absl::StatusOr<AppendInput> invalid =
      Read({R"({"record":{"context":{"tenantId":""}},"actor_token":"secret-jwt"})"});
  EXPECT_THAT(invalid, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1")));
  EXPECT_THAT(invalid.status().message(), Not(HasSubstr("secret-jwt")));
  EXPECT_THAT(Read({R"({"record":"not an object"})"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 1")));
}

class ActorTokenAppendTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.started()); }

  ServerClient Client() { return ServerClient(ServerConnection{server_.address()}); }

  RecordingServer server_{grpc::InsecureServerCredentials()};
};

// Every request of the stream carries exactly its records' tokens, across request boundaries.
TEST_F(ActorTokenAppendTest, StreamRequestsCarryOneTokenPerRecord) {
  std::string text;
  const size_t records = kAppendRequestRecords + 10;
  for (size_t i = 0; i < records; ++i) {
    absl::StrAppend(&text, i % 3 == 1 ? WithToken(absl::StrCat("t", i)) : kRecord, "\n");
  }
  std::istringstream in(text);
  std::ostringstream out;
  ServerClient client = Client();
  ASSERT_OK(RunServerAppend(client, in, out));

  const std::vector<v1::AppendRequest> requests = server_.appends();
  ASSERT_EQ(requests.size(), 2u);
  size_t seen = 0;
  for (const v1::AppendRequest& request : requests) {
    ASSERT_EQ(request.actor_tokens_size(), request.records_size());
    for (const std::string& token : request.actor_tokens()) {
      EXPECT_EQ(token, seen % 3 == 1 ? absl::StrCat("t", seen) : "") << seen;
      ++seen;
    }
  }
  EXPECT_EQ(seen, records);
}

// Requests are bounded in bytes as well as records, so that large records never make one request
// of many megabytes (256 records of 60 KiB would be 15 MiB).
TEST_F(ActorTokenAppendTest, LargeRecordsAreSplitIntoRequestsBoundedInBytes) {
  const std::string value(60 << 10, 'x');
  std::string text;
  constexpr size_t kRecords = 40;
  for (size_t i = 0; i < kRecords; ++i) {
    absl::StrAppend(&text, R"({"context":{"tenantId":"acme"},"actor":{"userId":"a-1"},)",
                    R"("action":{"name":"auth.login"},"outcome":{"result":"SUCCESS"},)",
                    R"("details":{"newValue":")", value, R"("}})", "\n");
  }
  std::istringstream in(text);
  std::ostringstream out;
  ServerClient client = Client();
  ASSERT_OK(RunServerAppend(client, in, out));
  const std::vector<v1::AppendRequest> requests = server_.appends();
  ASSERT_GT(requests.size(), 1u);
  size_t records = 0;
  for (const v1::AppendRequest& request : requests) {
    EXPECT_LE(request.ByteSizeLong(), kAppendRequestBytes + value.size() + 1024);
    records += static_cast<size_t>(request.records_size());
  }
  EXPECT_EQ(records, kRecords);
}

TEST_F(ActorTokenAppendTest, PlainInputSendsNoTokens) {
  std::istringstream in(absl::StrCat(kRecord, "\n", kRecord, "\n"));
  std::ostringstream out;
  ServerClient client = Client();
  ASSERT_OK(RunServerAppend(client, in, out));
  ASSERT_EQ(server_.appends().size(), 1u);
  EXPECT_EQ(server_.appends()[0].actor_tokens_size(), 0);
}

TEST_F(ActorTokenAppendTest, RecordFlagsSendTheActorToken) {
  std::ostringstream out;
  ServerClient client = Client();
  const RecordFlags flags{
      .tenant = "acme", .actor = "a-1", .action = "call.barge", .outcome = "SUCCESS"};
  ASSERT_OK(RunServerAppendRecord(client, flags, out, "user-jwt"));
  ASSERT_OK(RunServerAppendRecord(client, flags, out));
  const std::vector<v1::AppendRequest> requests = server_.appends();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_THAT(requests[0].actor_tokens(), ElementsAre("user-jwt"));
  EXPECT_THAT(requests[1].actor_tokens(), IsEmpty());
}

TEST_F(ActorTokenAppendTest, BinaryTakesActorTokenWithRecordFlagsOnly) {
  ScratchDir scratch("actor_token_cli");
  const ProcessResult appended =
      RunProcess(SEALTRAIL_CLI_PATH,
                 {"append", "--server", server_.address(), "--tenant", "acme", "--actor", "a-1",
                  "--action", "call.barge", "--outcome", "SUCCESS", "--actor-token", "user-jwt"},
                 "", scratch);
  EXPECT_EQ(appended.exit_code, 0) << appended.err;
  ASSERT_EQ(server_.appends().size(), 1u);
  EXPECT_THAT(server_.appends()[0].actor_tokens(), ElementsAre("user-jwt"));

  const ProcessResult stdin_mode = RunProcess(
      SEALTRAIL_CLI_PATH, {"append", "--server", server_.address(), "--actor-token", "user-jwt"},
      absl::StrCat(kRecord, "\n"), scratch);
  EXPECT_EQ(stdin_mode.exit_code, 1);
  EXPECT_THAT(stdin_mode.err, HasSubstr("--actor-token"));

  const ProcessResult envelope =
      RunProcess(SEALTRAIL_CLI_PATH, {"append", "--server", server_.address()},
                 absl::StrCat(WithToken("line-jwt"), "\n"), scratch);
  EXPECT_EQ(envelope.exit_code, 0) << envelope.err;
  ASSERT_EQ(server_.appends().size(), 2u);
  EXPECT_THAT(server_.appends()[1].actor_tokens(), ElementsAre("line-jwt"));
}

}  // namespace
}  // namespace sealtrail::cli
