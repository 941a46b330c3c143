// What the CLI's server commands do with a server that lies: a canned gRPC server on 127.0.0.1
// answers with real responses of a real AuditServer, altered by the test. Every alteration that
// matters must be refused with DATA_LOSS (exit 3) and nothing printed; an append stream that
// breaks says how much was durable, and one that stalls times out.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/exit_codes.h"
#include "cli/server_channel.h"
#include "cli/server_commands.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "sealtrail/env.h"
#include "server/record/record.h"
#include "server_cli_fixture.h"
#include "server_testing/test_server.h"
#include "testing/json_lines.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {
namespace {

using ::sealtrail::testing::JsonLines;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::sealtrail::testing::TestServer;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The answers the canned server gives; set by the test before the call.
struct Answers {
  v1::QueryResponse query;
  v1::ProveInclusionResponse inclusion;
  v1::ProveConsistencyResponse consistency;
  std::map<uint64_t, v1::Checkpoint> checkpoints;  // By tree size; 0 is "latest".
  // AppendStream: how many requests to answer before ending the stream with `stream_end`, and
  // whether to answer at all (a stalled server).
  size_t replies_before_end = 0;
  grpc::Status stream_end = grpc::Status::OK;
  bool stall = false;
};

class CannedAuditLog final : public v1::AuditLog::Service {
 public:
  explicit CannedAuditLog(const Answers& answers) : answers_(answers) {}

  grpc::Status Query(grpc::ServerContext*, const v1::QueryRequest*,
                     v1::QueryResponse* response) override {
    *response = answers_.query;
    return grpc::Status::OK;
  }

  grpc::Status AppendStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::AppendResponse, v1::AppendRequest>* stream) override {
    v1::AppendRequest request;
    uint64_t seq = 0;
    for (size_t replies = 0; replies < answers_.replies_before_end && stream->Read(&request);
         ++replies) {
      if (answers_.stall) {
        // Bounded: the client cancels after its timeout.
        const absl::Time give_up = absl::Now() + absl::Seconds(20);
        while (!context->IsCancelled() && absl::Now() < give_up) {
          absl::SleepFor(absl::Milliseconds(10));
        }
        return grpc::Status(grpc::StatusCode::CANCELLED, "stalled");
      }
      v1::AppendResponse response;
      for (int i = 0; i < request.records_size(); ++i) {
        v1::AppendResult* result = response.add_results();
        result->set_seq(seq++);
        result->set_leaf_hash(std::string(kHashSize, 'h'));
        result->set_tree_size(seq);
      }
      if (!stream->Write(response)) break;
    }
    return answers_.stream_end;
  }

 private:
  const Answers& answers_;
};

class CannedProver final : public v1::Prover::Service {
 public:
  explicit CannedProver(const Answers& answers) : answers_(answers) {}

  grpc::Status ProveInclusion(grpc::ServerContext*, const v1::ProveInclusionRequest*,
                              v1::ProveInclusionResponse* response) override {
    *response = answers_.inclusion;
    return grpc::Status::OK;
  }
  grpc::Status ProveConsistency(grpc::ServerContext*, const v1::ProveConsistencyRequest*,
                                v1::ProveConsistencyResponse* response) override {
    *response = answers_.consistency;
    return grpc::Status::OK;
  }
  grpc::Status GetCheckpoint(grpc::ServerContext*, const v1::GetCheckpointRequest* request,
                             v1::GetCheckpointResponse* response) override {
    auto it = answers_.checkpoints.find(request->tree_size());
    if (it == answers_.checkpoints.end()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such checkpoint");
    }
    *response->mutable_checkpoint() = it->second;
    return grpc::Status::OK;
  }

 private:
  const Answers& answers_;
};

class LyingServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    real_ = StartReal("real");
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&audit_log_);
    builder.RegisterService(&prover_);
    canned_ = builder.BuildAndStart();
    ASSERT_NE(canned_, nullptr);
    ASSERT_GT(port, 0);
    client_.emplace(ServerConnection{absl::StrCat("127.0.0.1:", port)});
  }

  void TearDown() override {
    if (canned_ != nullptr) canned_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  }

  // A real server holding four records of `tenant`.
  std::unique_ptr<TestServer> StartReal(const std::string& name) {
    absl::StatusOr<std::unique_ptr<TestServer>> server = TestServer::Start(scratch_.Sub(name));
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return nullptr;
    v1::AppendRequest request;
    for (int i = 0; i < 4; ++i) {
      *request.add_records() = MakeRecord("acme", absl::StrCat(name, "-", i), "call.barge");
    }
    grpc::ClientContext context;
    v1::AppendResponse response;
    EXPECT_TRUE((*server)->audit().Append(&context, request, &response).ok());
    return *std::move(server);
  }

  // The real server's answers, fetched with the CLI's own (pass-through) client.
  static v1::QueryResponse RealQuery(TestServer& server, bool with_proofs) {
    v1::QueryRequest request;
    request.set_tenant_id("acme");
    request.set_order(v1::QueryRequest::OLDEST_FIRST);
    request.set_with_proofs(with_proofs);
    absl::StatusOr<v1::QueryResponse> response = RealClient(server).Query(request);
    EXPECT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->results_size(), 4);
    return response.value_or(v1::QueryResponse());
  }

  static v1::ProveInclusionResponse RealInclusion(TestServer& server, uint64_t seq) {
    v1::ProveInclusionRequest request;
    request.set_seq(seq);
    absl::StatusOr<v1::ProveInclusionResponse> response =
        RealClient(server).ProveInclusion(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.value_or(v1::ProveInclusionResponse());
  }

  static v1::Checkpoint RealCheckpoint(TestServer& server, uint64_t tree_size) {
    absl::StatusOr<v1::Checkpoint> checkpoint = RealClient(server).GetCheckpoint(tree_size);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status();
    return checkpoint.value_or(v1::Checkpoint());
  }

  static ServerClient RealClient(TestServer& server) { return ServerClient(ConnectionTo(server)); }

  // Runs `query --format json` against the canned server; checks nothing was printed.
  absl::Status Query(bool with_proofs) {
    std::ostringstream out;
    absl::Status status =
        RunQuery(client(), {.tenant = "acme", .with_proofs = with_proofs, .format = "json"}, out);
    if (!status.ok()) {
      EXPECT_THAT(out.str(), IsEmpty());
    }
    return status;
  }

  absl::Status Prove(uint64_t seq, const std::string& vkey) {
    std::ostringstream out;
    absl::Status status =
        RunServerProveInclusion(Env::Default(), client(), {.seq = seq}, {.vkey = vkey}, out);
    if (!status.ok()) {
      EXPECT_THAT(out.str(), IsEmpty());
    }
    return status;
  }

  ServerClient& client() { return *client_; }

  ScratchDir scratch_{"server_cli_verify_test"};
  std::unique_ptr<TestServer> real_;
  Answers answers_;
  CannedAuditLog audit_log_{answers_};
  CannedProver prover_{answers_};
  std::unique_ptr<grpc::Server> canned_;
  std::optional<ServerClient> client_;
};

TEST_F(LyingServerTest, TheRealAnswersPass) {
  answers_.query = RealQuery(*real_, /*with_proofs=*/true);
  EXPECT_OK(Query(/*with_proofs=*/true));
  answers_.inclusion = RealInclusion(*real_, 2);
  const uint64_t size = answers_.inclusion.proof().tree_size();
  answers_.checkpoints[size] = RealCheckpoint(*real_, size);
  EXPECT_OK(Prove(2, real_->server().verifier_key()));
}

TEST_F(LyingServerTest, RecordBytesThatDoNotMatchTheirLeafHashAreDataLoss) {
  answers_.query = RealQuery(*real_, /*with_proofs=*/false);
  std::string& data = *answers_.query.mutable_results(2)->mutable_data();
  data[data.size() / 2] ^= 0x01;
  EXPECT_THAT(Query(false), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("seq 2")));
}

TEST_F(LyingServerTest, AProofThatDoesNotVerifyIsDataLoss) {
  answers_.query = RealQuery(*real_, /*with_proofs=*/true);
  std::string& node = *answers_.query.mutable_results(1)->mutable_inclusion()->mutable_path(0);
  node[0] ^= 0x01;
  EXPECT_THAT(Query(true), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("does not verify")));
}

TEST_F(LyingServerTest, AProofOfAnotherRecordIsDataLoss) {
  answers_.query = RealQuery(*real_, /*with_proofs=*/true);
  answers_.query.mutable_results(1)->mutable_inclusion()->CopyFrom(
      answers_.query.results(2).inclusion());
  EXPECT_THAT(Query(true), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("another leaf")));
}

TEST_F(LyingServerTest, TwoRootsForOneTreeSizeAreDataLoss) {
  // Each proof verifies on its own, but the second is from another log of the same size.
  std::unique_ptr<TestServer> other = StartReal("other");
  ASSERT_NE(other, nullptr);
  answers_.query = RealQuery(*real_, /*with_proofs=*/true);
  const v1::QueryResponse forked = RealQuery(*other, /*with_proofs=*/true);
  ASSERT_EQ(forked.results(1).inclusion().tree_size(),
            answers_.query.results(1).inclusion().tree_size());
  *answers_.query.mutable_results(1) = forked.results(1);
  EXPECT_THAT(Query(true), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("two roots")));
}

TEST_F(LyingServerTest, AMalformedHashIsDataLoss) {
  answers_.query = RealQuery(*real_, /*with_proofs=*/false);
  answers_.query.mutable_results(0)->mutable_leaf_hash()->pop_back();
  EXPECT_THAT(Query(false), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("31 bytes")));
}

TEST_F(LyingServerTest, AProofAgainstAnotherRootThanTheSignedCheckpointsIsDataLoss) {
  std::unique_ptr<TestServer> other = StartReal("other");
  ASSERT_NE(other, nullptr);
  // The other log's proof is fine in itself, but its root is not the one the real key signed.
  const uint64_t size = RealInclusion(*real_, 2).proof().tree_size();
  answers_.inclusion = RealInclusion(*other, 2);
  ASSERT_EQ(answers_.inclusion.proof().tree_size(), size);
  answers_.checkpoints[size] = RealCheckpoint(*real_, size);
  const absl::Status status = Prove(2, real_->server().verifier_key());
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("is not the root")));
  EXPECT_EQ(ExitCodeForStatus(status), kExitDataLoss);
}

TEST_F(LyingServerTest, ACheckpointWhoseFieldsDisagreeWithItsNoteIsDataLoss) {
  answers_.inclusion = RealInclusion(*real_, 1);
  const uint64_t size = answers_.inclusion.proof().tree_size();
  v1::Checkpoint checkpoint = RealCheckpoint(*real_, size);
  checkpoint.mutable_root()->at(0) ^= 0x01;
  answers_.checkpoints[size] = checkpoint;
  EXPECT_THAT(Prove(1, real_->server().verifier_key()),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("its signed note says")));
}

TEST_F(LyingServerTest, ATamperedConsistencyProofIsDataLoss) {
  v1::ProveConsistencyRequest request;
  request.set_old_size(1);
  request.set_new_size(4);
  absl::StatusOr<v1::ProveConsistencyResponse> real = RealClient(*real_).ProveConsistency(request);
  ASSERT_TRUE(real.ok()) << real.status();
  answers_.consistency = *real;
  answers_.consistency.mutable_proof()->mutable_new_root()->at(5) ^= 0x40;
  std::ostringstream out;
  EXPECT_THAT(RunServerProveConsistency(Env::Default(), client(), 1, 4, {}, out),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("does not verify")));
  EXPECT_THAT(out.str(), IsEmpty());
}

std::string ManyRecordLines(size_t n) {
  std::string lines;
  for (size_t i = 0; i < n; ++i) {
    absl::StrAppend(&lines, *RecordToJson(MakeRecord("acme", "alice", "call.barge")), "\n");
  }
  return lines;
}

TEST_F(LyingServerTest, ABrokenAppendStreamSaysWhatWasAppended) {
  answers_.replies_before_end = 1;
  answers_.stream_end = grpc::Status(grpc::StatusCode::UNAVAILABLE, "disk on fire");
  std::istringstream in(ManyRecordLines(kAppendRequestRecords + 10));
  std::ostringstream out;
  const absl::Status status = RunServerAppend(client(), in, out);
  // Which lines are appended, and so where to resume.
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr(absl::StrCat("appended ", kAppendRequestRecords,
                                              " records (lines 1 to ", kAppendRequestRecords))));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr(absl::StrCat("nothing from line ", kAppendRequestRecords + 1,
                                     " on is acknowledged")));
  EXPECT_THAT(std::string(status.message()), HasSubstr("disk on fire"));
  EXPECT_EQ(JsonLines(out.str()).size(), kAppendRequestRecords);
}

TEST_F(LyingServerTest, AStalledAppendStreamTimesOut) {
  answers_.replies_before_end = 1;
  answers_.stall = true;
  ServerClient impatient(ServerConnection{client().connection().address, absl::Milliseconds(300)});
  std::istringstream in(ManyRecordLines(3));
  std::ostringstream out;
  const absl::Time start = absl::Now();
  EXPECT_THAT(RunServerAppend(impatient, in, out),
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("sent no reply")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_THAT(out.str(), IsEmpty());
}

}  // namespace
}  // namespace sealtrail::cli
