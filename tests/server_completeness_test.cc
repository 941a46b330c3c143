// Completeness proofs end to end: a real server in-process on 127.0.0.1, its QueryStream with
// verify_complete, the CLI's `query --verify-complete` and `export`/`verify-bundle`; a proxy
// that forwards the real answer but drops one record (a lying server) is caught, by the library
// and by the built binary with exit 3, naming the missing sequence numbers.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/bundle_verifier.h"
#include "cli/complete_query.h"
#include "cli/export_command.h"
#include "cli/keys.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"
#include "server/completeness/key_map_line.h"
#include "server_cli_fixture.h"
#include "testing/json_lines.h"
#include "testing/run_process.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {
namespace {

using ::sealtrail::testing::RunProcess;
using ::sealtrail::testing::StatusIs;
using ::testing::HasSubstr;

// Forwards QueryStream to the real server, leaving out the record `drop_seq` (if set).
class DroppingProxy final : public v1::AuditLog::Service {
 public:
  DroppingProxy(const std::string& upstream, const std::string& token, uint64_t drop_seq)
      : drop_seq_(drop_seq), token_(token) {
    stub_ =
        v1::AuditLog::NewStub(grpc::CreateChannel(upstream, grpc::InsecureChannelCredentials()));
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~DroppingProxy() override { server_->Shutdown(); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  grpc::Status QueryStream(grpc::ServerContext*, const v1::QueryRequest* request,
                           grpc::ServerWriter<v1::QueryResponse>* writer) override {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
    std::unique_ptr<grpc::ClientReader<v1::QueryResponse>> reader =
        stub_->QueryStream(&context, *request);
    v1::QueryResponse page;
    while (reader->Read(&page)) {
      v1::QueryResponse forwarded = page;
      forwarded.clear_results();
      for (const v1::QueryResult& result : page.results()) {
        if (result.seq() != drop_seq_) *forwarded.add_results() = result;
      }
      writer->Write(forwarded);
    }
    return reader->Finish();
  }

 private:
  const uint64_t drop_seq_;
  const std::string token_;
  std::unique_ptr<v1::AuditLog::Stub> stub_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

class ServerCompletenessTest : public ServerCliTest {
 protected:
  // Appends MixedRecords in a few requests, so that chains run across batches.
  void AppendMixed() {
    std::vector<v1::AuditRecord> records = MixedRecords();
    for (size_t at = 0; at < records.size(); at += 5) {
      Append(std::vector<v1::AuditRecord>(records.begin() + at,
                                          records.begin() + std::min(records.size(), at + 5)));
    }
  }

  absl::Status Complete(QueryArgs args, std::string* out_text, std::string* err_text,
                        ServerClient* via = nullptr) {
    args.format = "json";
    std::ostringstream out, err;
    CheckpointCheck check{vkey(), ""};
    absl::Status status =
        RunCompleteQuery(Env::Default(), via != nullptr ? *via : client(), args, check, out, err);
    if (out_text != nullptr) *out_text = out.str();
    if (err_text != nullptr) *err_text = err.str();
    return status;
  }
};

TEST_F(ServerCompletenessTest, EveryKeyKindIsProvenAndMatchesThePlainQuery) {
  AppendMixed();
  std::vector<QueryArgs> queries;
  queries.push_back(QueryArgs{.tenant = "acme"});
  queries.push_back(QueryArgs{.tenant = "acme", .actor = "alice"});
  queries.push_back(QueryArgs{.tenant = "acme", .action = "call.barge"});
  queries.push_back(QueryArgs{.tenant = "acme", .trace_id = kTraceHex});
  queries.push_back(QueryArgs{.tenant = "acme", .actor = "bob", .outcome = "DENIED"});
  queries.push_back(QueryArgs{.tenant = "acme", .actor = "carol", .action = "auth.login"});
  queries.push_back(QueryArgs{.tenant = "globex", .oldest_first = true});
  queries.push_back(QueryArgs{.tenant = "acme", .actor = "nobody"});
  queries.push_back(QueryArgs{.tenant = "nobody"});
  // A time range in the middle of the log: its ends are proven by the neighbours.
  const std::vector<JsonLine> all = QueryJson(QueryArgs{.tenant = "acme", .oldest_first = true});
  ASSERT_GE(all.size(), 10u);
  const int64_t from_ns = RecordOf(all[3]).context().commit_time_ns();
  const int64_t to_ns = RecordOf(all[9]).context().commit_time_ns();
  queries.push_back(QueryArgs{.tenant = "acme",
                              .actor = "alice",
                              .from = absl::StrCat(from_ns),
                              .to = absl::StrCat(to_ns)});
  queries.push_back(
      QueryArgs{.tenant = "acme", .from = absl::StrCat(from_ns), .to = absl::StrCat(to_ns)});
  // Sequence ranges, alone and with a time range: both hold.
  QueryArgs by_seq{.tenant = "acme", .actor = "alice"};
  by_seq.from_seq = 4;
  by_seq.to_seq = 17;
  queries.push_back(by_seq);
  QueryArgs tenant_seq{.tenant = "acme", .oldest_first = true};
  tenant_seq.from_seq = 9;
  queries.push_back(tenant_seq);
  QueryArgs both{.tenant = "acme", .from = absl::StrCat(from_ns)};
  both.to_seq = 12;
  queries.push_back(both);
  for (const QueryArgs& args : queries) {
    SCOPED_TRACE(absl::StrCat(args.tenant, " actor=", args.actor, " action=", args.action,
                              " trace=", args.trace_id, " outcome=", args.outcome,
                              " from=", args.from));
    std::string out, err;
    ASSERT_OK(Complete(args, &out, &err));
    EXPECT_THAT(err, HasSubstr("sealtrail: complete: "));
    const std::vector<uint64_t> proven = Seqs(JsonLines(out));
    EXPECT_EQ(proven, Seqs(QueryJson(args)));
    for (uint64_t seq : proven) {
      EXPECT_GE(seq, args.from_seq);
      if (args.to_seq != 0) {
        EXPECT_LT(seq, args.to_seq);
      }
    }
  }
}

TEST_F(ServerCompletenessTest, CheckpointsSignTheKeyMapAndARestartReloadsIt) {
  AppendMixed();
  AwaitCheckpoint(24);
  absl::StatusOr<v1::Checkpoint> before = client().GetCheckpoint(0);
  ASSERT_OK(before.status());
  absl::StatusOr<NoteVerifierKey> key = LoadVerifierKey(Env::Default(), vkey());
  ASSERT_OK(key.status());
  absl::StatusOr<Checkpoint> verified = VerifyCheckpoint(before->signed_note(), *key);
  ASSERT_OK(verified.status());
  absl::StatusOr<KeyMapHead> head = KeyMapHeadOf(*verified);
  ASSERT_OK(head.status());
  EXPECT_EQ(head->from, 0u);

  ASSERT_OK(server_->Stop());
  server_.reset();
  ServerOptions options;
  options.checkpoint_interval_ms = 50;
  absl::StatusOr<std::unique_ptr<testing::TestServer>> again =
      testing::TestServer::Start(scratch_.Sub("data"), options);
  ASSERT_OK(again.status());
  server_ = *std::move(again);
  client_.emplace(ConnectionTo(*server_));
  Append({MakeRecord("acme", "alice", "call.barge")});
  std::string err;
  ASSERT_OK(Complete(QueryArgs{.tenant = "acme", .actor = "alice"}, nullptr, &err));
  EXPECT_THAT(err, HasSubstr("up to tree size 25"));
}

TEST_F(ServerCompletenessTest, ALyingServerThatDropsARecordIsCaughtNamingTheGap) {
  AppendMixed();
  const std::vector<JsonLine> alice =
      QueryJson(QueryArgs{.tenant = "acme", .actor = "alice", .oldest_first = true});
  ASSERT_GE(alice.size(), 4u);
  const uint64_t before = alice[1]["seq"].get<uint64_t>();
  const uint64_t dropped = alice[2]["seq"].get<uint64_t>();
  const uint64_t after = alice[3]["seq"].get<uint64_t>();
  DroppingProxy proxy(server_->address(), server_->dev_token(), dropped);
  ServerConnection connection{proxy.address()};
  connection.credentials.bearer_token = server_->dev_token();
  ServerClient lying(connection);
  std::string out;
  EXPECT_THAT(Complete(QueryArgs{.tenant = "acme", .actor = "alice"}, &out, nullptr, &lying),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr(absl::StrCat("1 record(s) missing between sequence numbers ",
                                              before, " and ", after))));
  // The same through the built binary: exit 3, the gap on standard error.
  ScratchDir scratch("server_completeness_cli");
  testing::ProcessResult result =
      RunProcess(SEALTRAIL_CLI_PATH,
                 {"query", "--server", proxy.address(), "--token", server_->dev_token(), "--tenant",
                  "acme", "--actor", "alice", "--verify-complete", "--vkey", vkey()},
                 "", scratch);
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_THAT(result.err,
              HasSubstr(absl::StrCat("missing between sequence numbers ", before, " and ", after)));
  // Dropping the newest is caught by the key map.
  const uint64_t newest = alice.back()["seq"].get<uint64_t>();
  DroppingProxy tail(server_->address(), server_->dev_token(), newest);
  ServerConnection tail_connection{tail.address()};
  tail_connection.credentials.bearer_token = server_->dev_token();
  ServerClient tail_lying(tail_connection);
  EXPECT_THAT(
      Complete(QueryArgs{.tenant = "acme", .actor = "alice"}, nullptr, nullptr, &tail_lying),
      StatusIs(absl::StatusCode::kDataLoss,
               HasSubstr(absl::StrCat("the newest is record ", newest))));
}

TEST_F(ServerCompletenessTest, UnaryQueryProvesOnePageAndRefusesWhatCannotBeOneAnswer) {
  AppendMixed();
  v1::QueryRequest request;
  request.set_tenant_id("acme");
  request.set_actor("alice");
  request.set_verify_complete(true);
  grpc::ClientContext context;
  v1::QueryResponse response;
  ASSERT_TRUE(server_->audit().Query(&context, request, &response).ok());
  EXPECT_GT(response.results_size(), 0);
  EXPECT_TRUE(response.has_completeness());
  EXPECT_EQ(response.completeness().key_value(), "alice");

  request.set_limit(1);
  grpc::ClientContext small;
  const grpc::Status too_small = server_->audit().Query(&small, request, &response);
  EXPECT_EQ(too_small.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(too_small.error_message(), HasSubstr("whole answer in one page"));

  request.set_limit(0);
  request.set_page_token("x");
  grpc::ClientContext paged;
  const grpc::Status with_token = server_->audit().Query(&paged, request, &response);
  EXPECT_EQ(with_token.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(with_token.error_message(), HasSubstr("page_token"));

  v1::QueryRequest every;
  every.set_all_tenants(true);
  every.set_verify_complete(true);
  grpc::ClientContext all;
  const grpc::Status all_tenants = server_->audit().Query(&all, every, &response);
  EXPECT_EQ(all_tenants.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(all_tenants.error_message(), HasSubstr("all_tenants"));
}

TEST_F(ServerCompletenessTest, ABundleWithARecordRemovedFailsEvenWithItsManifestEdited) {
  AppendMixed();
  const std::string bundle = scratch_.Sub("bundle");
  ExportArgs args;
  args.query.tenant = "acme";
  args.query.actor = "alice";
  args.query.action = "call.barge";  // The chain is alice's: the others go to completeness.pb.
  args.query.from = "2000-01-01T00:00:00Z";
  args.query.to = "2100-01-01T00:00:00Z";
  args.bundle_dir = bundle;
  args.check.vkey = vkey();
  std::ostringstream exported;
  ASSERT_OK(RunExport(Env::Default(), client(), args, exported));
  std::ostringstream verified;
  ASSERT_OK(RunVerifyBundle(Env::Default(), bundle, vkey(), "", verified));
  EXPECT_THAT(verified.str(), HasSubstr("\"complete\":true"));

  // Remove the middle record, and edit the manifest and records.jsonl to match.
  std::vector<uint64_t> seqs;
  for (const auto& entry : std::filesystem::directory_iterator(bundle + "/records")) {
    if (entry.path().extension() == ".pb") seqs.push_back(std::stoull(entry.path().stem()));
  }
  std::sort(seqs.begin(), seqs.end());
  ASSERT_GE(seqs.size(), 3u);
  const uint64_t removed = seqs[1];
  std::filesystem::remove(absl::StrCat(bundle, "/records/", removed, ".pb"));
  std::filesystem::remove(absl::StrCat(bundle, "/records/", removed, ".tlog-proof"));
  std::ifstream manifest_in(bundle + "/manifest.json");
  JsonLine manifest = JsonLine::parse(manifest_in);
  manifest_in.close();
  manifest["records"] = manifest["records"].get<uint64_t>() - 1;
  std::ofstream(bundle + "/manifest.json", std::ios::trunc) << manifest.dump();
  std::ifstream jsonl_in(bundle + "/records.jsonl");
  std::string kept, line;
  while (std::getline(jsonl_in, line)) {
    if (line.find(absl::StrCat("\"seq\":", removed, ",")) == std::string::npos) {
      kept += line + "\n";
    }
  }
  jsonl_in.close();
  std::ofstream(bundle + "/records.jsonl", std::ios::trunc) << kept;

  // The gap is named by the removed record's neighbours on alice's chain (every outcome).
  const std::vector<uint64_t> chain =
      Seqs(QueryJson(QueryArgs{.tenant = "acme", .actor = "alice", .oldest_first = true}));
  const auto at = std::find(chain.begin(), chain.end(), removed);
  ASSERT_NE(at, chain.end());
  ASSERT_NE(at + 1, chain.end());
  std::ostringstream refused;
  EXPECT_THAT(RunVerifyBundle(Env::Default(), bundle, vkey(), "", refused),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr(absl::StrCat("1 record(s) missing between sequence numbers ",
                                              *(at - 1), " and ", *(at + 1)))));
}

// A record that fits the size limit only without its links is refused by the admission check,
// alone, with the limit named, never by the log after it was batched with other requests.
TEST_F(ServerCompletenessTest, TheRecordSizeLimitCountsTheLinks) {
  ServerOptions options;
  options.max_record_bytes = 600;
  absl::StatusOr<std::unique_ptr<testing::TestServer>> small =
      testing::TestServer::Start(scratch_.Sub("small-limit"), options);
  ASSERT_OK(small.status());
  // As the server stores it (service, peer, commit time at its largest), without links.
  v1::AuditRecord record = MakeRecord("acme", "alice", "call.barge");
  record.mutable_details()->set_new_value("");
  v1::AuditRecord stored = testing::AsStored(record);
  stored.mutable_context()->set_commit_time_ns(std::numeric_limits<int64_t>::max());
  const size_t room = 600 - stored.ByteSizeLong() - 8;  // Fits by 8 bytes without links.
  record.mutable_details()->set_new_value(std::string(room - 3, 'x'));
  v1::AppendRequest request;
  *request.add_records() = record;
  grpc::ClientContext context;
  v1::AppendResponse response;
  const grpc::Status refused = (*small)->audit().Append(&context, request, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("over the limit of 600 bytes"));
  // The server goes on appending.
  v1::AppendRequest fine;
  *fine.add_records() = MakeRecord("acme", "alice", "call.barge");
  grpc::ClientContext again;
  EXPECT_TRUE((*small)->audit().Append(&again, fine, &response).ok());
}

}  // namespace
}  // namespace sealtrail::cli
