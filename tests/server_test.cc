// Integration tests of the server: a real AuditServer on 127.0.0.1 with a temporary data
// directory, driven through real gRPC channels. Query results are checked against a brute-force
// scan of what was appended; every proof is checked by the client verifier library and by the
// naive RFC 9162 reference in tests/testing/, never by the code that built it.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/note.h"
#include "server/record/record.h"
#include "server_testing/inclusion_checks.h"
#include "server_testing/test_server.h"
#include "testing/data_dir_layout.h"
#include "testing/fault_env.h"
#include "testing/file_util.h"
#include "testing/reference_merkle.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::ExpectInclusionVerifies;
using ::sealtrail::testing::HasSubstrIgnoringCase;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::TestServer;
using ::sealtrail::testing::ToHash;
using ::sealtrail::testing::ToHashes;
using ::testing::ElementsAreArray;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Restart(); }

  void Restart(ServerOptions options = {}) {
    server_.reset();
    options.checkpoint_interval_ms = 50;
    auto started = TestServer::Start(scratch_.Sub("data"), options);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
  }

  std::string Data() const { return scratch_.Sub("data"); }

  grpc::Status Append(const std::vector<v1::AuditRecord>& records, v1::AppendResponse* response) {
    v1::AppendRequest request;
    for (const v1::AuditRecord& record : records) *request.add_records() = record;
    grpc::ClientContext context;
    return server_->audit().Append(&context, request, response);
  }

  std::vector<v1::AppendResult> AppendOk(const std::vector<v1::AuditRecord>& records) {
    v1::AppendResponse response;
    grpc::Status status = Append(records, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.results().begin(), response.results().end()};
  }

  // Every page of `request`, following next_page_token, at most 100 pages.
  std::vector<v1::QueryResult> QueryAll(v1::QueryRequest request) {
    std::vector<v1::QueryResult> all;
    for (int page = 0; page < 100; ++page) {
      v1::QueryResponse response;
      grpc::ClientContext context;
      grpc::Status status = server_->audit().Query(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      all.insert(all.end(), response.results().begin(), response.results().end());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return all;
  }

  // The log's size, read from the data directory beside the running server (read-only opens
  // take no lock and change nothing).
  uint64_t LogSize() {
    LogOptions options;
    options.read_only = true;
    auto log = Log::Open(options, Data());
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? (*log)->Size() : 0;
  }

  ScratchDir scratch_{"server_test"};
  std::unique_ptr<TestServer> server_;
};

TEST_F(ServerTest, AppendReturnsDurableSequenceNumbersAndLeafHashes) {
  std::vector<v1::AppendResult> first = AppendOk(
      {MakeRecord("acme", "alice", "call.barge"), MakeRecord("acme", "bob", "auth.login")});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].seq(), 0u);
  EXPECT_EQ(first[1].seq(), 1u);
  std::vector<v1::AppendResult> second = AppendOk({MakeRecord("acme", "carol", "data.export")});
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].seq(), 2u);
  EXPECT_GE(second[0].tree_size(), 3u);

  // The stored bytes hash to the leaf hash, and carry a server-assigned commit time.
  v1::ProveInclusionRequest request;
  request.set_seq(2);
  v1::ProveInclusionResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(server_->prover().ProveInclusion(&context, request, &response).ok());
  EXPECT_EQ(std::string(AsStringView(HashLeaf(response.data()))), second[0].leaf_hash());
  ASSERT_OK_AND_ASSIGN(v1::AuditRecord stored, ParseStoredRecord(response.data()));
  EXPECT_EQ(stored.actor().user_id(), "carol");
  EXPECT_GT(stored.context().commit_time_ns(), 0);
  ExpectInclusionVerifies(response.data(), response.proof());
}

TEST_F(ServerTest, CommitTimesNeverDecreaseAndClientEventTimeIsKept) {
  std::vector<v1::AuditRecord> records;
  for (int i = 0; i < 50; ++i) {
    v1::AuditRecord record = MakeRecord("acme", "alice", "config.update");
    record.mutable_context()->set_event_time_ns(1'000'000'000 + i);  // The client's own clock.
    records.push_back(record);
  }
  AppendOk(records);
  AppendOk(records);
  v1::QueryRequest query;
  query.set_tenant_id("acme");
  query.set_order(v1::QueryRequest::OLDEST_FIRST);
  query.set_limit(1000);
  std::vector<v1::QueryResult> results = QueryAll(query);
  ASSERT_EQ(results.size(), 100u);
  int64_t previous = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(v1::AuditRecord record, ParseStoredRecord(results[i].data()));
    EXPECT_GE(record.context().commit_time_ns(), previous);
    EXPECT_EQ(record.context().event_time_ns(), 1'000'000'000 + static_cast<int64_t>(i % 50));
    previous = record.context().commit_time_ns();
  }
}

// Commit times come from the server's clock but never go backwards, even when the clock steps
// back while running or between runs.
TEST_F(ServerTest, CommitTimesStayOrderedWhenTheClockStepsBack) {
  testing::FaultInjectionEnv env;
  ServerOptions options;
  options.env = &env;
  // Tokens are checked against the same clock: the dev token, issued by the real one, would be
  // "not valid before" its issue time while the clock is behind.
  options.jwt.leeway = absl::Hours(3);
  Restart(options);
  AppendOk({MakeRecord("acme", "alice", "call.barge")});
  env.SetClockOffsetNanos(-3'600'000'000'000);  // An hour back.
  AppendOk({MakeRecord("acme", "alice", "call.barge")});
  Restart(options);
  env.SetClockOffsetNanos(-7'200'000'000'000);  // Two hours back, across a restart.
  AppendOk({MakeRecord("acme", "alice", "call.barge")});
  env.SetClockOffsetNanos(0);
  AppendOk({MakeRecord("acme", "alice", "call.barge")});

  v1::QueryRequest query;
  query.set_tenant_id("acme");
  query.set_order(v1::QueryRequest::OLDEST_FIRST);
  std::vector<int64_t> times;
  for (const v1::QueryResult& result : QueryAll(query)) {
    ASSERT_OK_AND_ASSIGN(v1::AuditRecord record, ParseStoredRecord(result.data()));
    times.push_back(record.context().commit_time_ns());
  }
  ASSERT_EQ(times.size(), 4u);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
  EXPECT_EQ(times[1], times[0]);  // Held at the last time while the clock was behind.
  EXPECT_EQ(times[2], times[0]);
  EXPECT_GT(times[3], times[0]);  // Moving again once it caught up.
  server_.reset();                // Before `env` goes.
}

TEST_F(ServerTest, BadInputIsInvalidArgumentAndWritesNothing) {
  AppendOk({MakeRecord("acme", "alice", "call.barge")});
  uint64_t size_before = LogSize();

  struct Case {
    std::string name;
    v1::AuditRecord record;
    std::string expected;
  };
  std::vector<Case> cases;
  {
    v1::AuditRecord r = MakeRecord("", "alice", "call.barge");
    cases.push_back({"missing tenant", r, "tenant_id"});
  }
  {
    v1::AuditRecord r = MakeRecord("acme", "alice", "call.barge");
    r.mutable_correlation()->set_trace_id(std::string(15, 'x'));
    cases.push_back({"short trace id", r, "trace_id"});
  }
  {
    v1::AuditRecord r = MakeRecord("acme", "alice", "call.barge");
    r.mutable_details()->set_new_value(std::string(60 * 1024, 'v'));
    r.mutable_details()->set_old_value(std::string(10 * 1024, 'v'));
    cases.push_back({"oversized record", r, "limit"});
  }
  {
    v1::AuditRecord r = MakeRecord("acme", "alice", "call.barge");
    r.mutable_outcome()->set_result(static_cast<v1::Outcome::Result>(42));
    cases.push_back({"unknown outcome", r, "outcome"});
  }
  {
    v1::AuditRecord r = MakeRecord("acme", "alice", "call.barge");
    r.mutable_context()->set_commit_time_ns(12345);
    cases.push_back({"client-set commit time", r, "commit_time_ns"});
  }
  for (const Case& c : cases) {
    // The bad record rides in a batch with a good one: the whole batch is refused.
    v1::AppendResponse response;
    grpc::Status status = Append({MakeRecord("acme", "bob", "auth.login"), c.record}, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_THAT(status.error_message(), HasSubstrIgnoringCase(c.expected)) << c.name;
    EXPECT_THAT(status.error_message(), HasSubstrIgnoringCase("records[1]")) << c.name;
  }
  v1::AppendResponse response;
  EXPECT_EQ(Append({}, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // Bad queries.
  auto query_error = [&](const v1::QueryRequest& request) {
    v1::QueryResponse query_response;
    grpc::ClientContext context;
    return server_->audit().Query(&context, request, &query_response);
  };
  v1::QueryRequest no_tenant;
  EXPECT_EQ(query_error(no_tenant).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::QueryRequest reversed;
  reversed.set_tenant_id("acme");
  reversed.set_from_ns(200);
  reversed.set_to_ns(100);
  grpc::Status reversed_status = query_error(reversed);
  EXPECT_EQ(reversed_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(reversed_status.error_message(), HasSubstrIgnoringCase("from_ns"));
  v1::QueryRequest bad_trace;
  bad_trace.set_tenant_id("acme");
  bad_trace.set_trace_id("short");
  EXPECT_EQ(query_error(bad_trace).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::QueryRequest bad_outcome;
  bad_outcome.set_tenant_id("acme");
  bad_outcome.set_outcome(static_cast<v1::Outcome::Result>(9));
  EXPECT_EQ(query_error(bad_outcome).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // A page token of another query.
  AppendOk({MakeRecord("acme", "alice", "call.barge"), MakeRecord("acme", "alice", "call.barge")});
  v1::QueryRequest first_page;
  first_page.set_tenant_id("acme");
  first_page.set_limit(1);
  v1::QueryResponse page;
  grpc::ClientContext context;
  ASSERT_TRUE(server_->audit().Query(&context, first_page, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  v1::QueryRequest other = first_page;
  other.set_actor("bob");
  other.set_page_token(page.next_page_token());
  grpc::Status token_status = query_error(other);
  EXPECT_EQ(token_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(token_status.error_message(), HasSubstrIgnoringCase("token"));

  // Only the three good records of the last step were added.
  EXPECT_EQ(LogSize(), size_before + 2);
}

// The records a filter should match, from a brute-force scan of everything appended.
struct Appended {
  uint64_t seq;
  v1::AuditRecord record;  // As stored (with its commit time).
  std::string data;        // The stored bytes.
};

std::vector<uint64_t> BruteForce(const std::vector<Appended>& all, const v1::QueryRequest& q) {
  std::vector<uint64_t> seqs;
  for (const Appended& a : all) {
    const v1::AuditRecord& r = a.record;
    if (r.context().tenant_id() != q.tenant_id()) continue;
    std::string actor = r.actor().user_id().empty() ? r.actor().service() : r.actor().user_id();
    if (!q.actor().empty() && actor != q.actor()) continue;
    if (!q.action().empty() && r.action().name() != q.action()) continue;
    if (q.outcome() != v1::Outcome::RESULT_UNSPECIFIED && r.outcome().result() != q.outcome()) {
      continue;
    }
    if (!q.trace_id().empty() && r.correlation().trace_id() != q.trace_id()) continue;
    if (q.from_ns() != 0 && r.context().commit_time_ns() < q.from_ns()) continue;
    if (q.to_ns() != 0 && r.context().commit_time_ns() >= q.to_ns()) continue;
    seqs.push_back(a.seq);
  }
  if (q.order() == v1::QueryRequest::NEWEST_FIRST) std::reverse(seqs.begin(), seqs.end());
  return seqs;
}

TEST_F(ServerTest, EveryFilterCombinationMatchesABruteForceScanAcrossRestarts) {
  const std::vector<std::string> tenants = {"acme", "acme2", "globex"};
  const std::vector<std::string> actors = {"alice", "bob", "carol", "dave"};
  const std::vector<std::string> actions = {"call.barge", "call.whisper", "data.export"};
  const std::vector<v1::Outcome::Result> outcomes = {v1::Outcome::SUCCESS, v1::Outcome::FAILURE,
                                                     v1::Outcome::DENIED};
  std::vector<std::string> traces;
  for (int i = 0; i < 5; ++i) traces.push_back(std::string(16, static_cast<char>('a' + i)));

  std::mt19937 random(7);
  auto pick = [&random](const auto& values) { return values[random() % values.size()]; };
  std::vector<v1::AuditRecord> sent;
  for (int batch = 0; batch < 12; ++batch) {
    std::vector<v1::AuditRecord> records;
    for (int i = 0; i < 40; ++i) {
      v1::AuditRecord record =
          MakeRecord(pick(tenants), pick(actors), pick(actions), pick(outcomes));
      if (random() % 3 != 0) record.mutable_correlation()->set_trace_id(pick(traces));
      if (random() % 10 == 0) {  // A service acting on its own: the actor is the service.
        record.mutable_actor()->clear_user_id();
        record.mutable_actor()->set_service("dave");
      }
      records.push_back(record);
    }
    AppendOk(records);
    sent.insert(sent.end(), records.begin(), records.end());
  }
  // What was stored, with commit times, read back by sequence number.
  std::vector<Appended> all;
  for (uint64_t seq = 0; seq < sent.size(); ++seq) {
    v1::ProveInclusionRequest request;
    request.set_seq(seq);
    v1::ProveInclusionResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(server_->prover().ProveInclusion(&context, request, &response).ok());
    ASSERT_OK_AND_ASSIGN(v1::AuditRecord stored, ParseStoredRecord(response.data()));
    v1::AuditRecord expected = testing::AsStored(sent[seq]);
    expected.mutable_context()->set_commit_time_ns(stored.context().commit_time_ns());
    *expected.mutable_links() = stored.links();  // The server's; the completeness tests check them.
    ASSERT_EQ(stored.SerializeAsString(), expected.SerializeAsString()) << "seq " << seq;
    all.push_back({seq, stored, response.data()});
  }
  int64_t t_first = all.front().record.context().commit_time_ns();
  int64_t t_last = all.back().record.context().commit_time_ns();
  int64_t t_mid = all[all.size() / 2].record.context().commit_time_ns();

  auto check_all_combinations = [&](const std::string& label) {
    int checked = 0;
    for (int mask = 0; mask < 32; ++mask) {
      for (const std::string& tenant : {std::string("acme"), std::string("globex")}) {
        v1::QueryRequest q;
        q.set_tenant_id(tenant);
        q.set_limit(7);  // Small pages, so paging is exercised.
        if (mask & 1) q.set_actor(pick(actors));
        if (mask & 2) q.set_action(pick(actions));
        if (mask & 4) q.set_outcome(pick(outcomes));
        if (mask & 8) q.set_trace_id(pick(traces));
        if (mask & 16) {
          q.set_from_ns(t_first + (t_mid - t_first) / 3);
          q.set_to_ns(t_mid + (t_last - t_mid) / 2);
        }
        for (auto order : {v1::QueryRequest::NEWEST_FIRST, v1::QueryRequest::OLDEST_FIRST}) {
          q.set_order(order);
          std::vector<uint64_t> got;
          for (const v1::QueryResult& result : QueryAll(q)) {
            got.push_back(result.seq());
            ASSERT_LT(result.seq(), all.size());
            EXPECT_EQ(result.data(), all[result.seq()].data);
            EXPECT_EQ(std::string(AsStringView(HashLeaf(result.data()))), result.leaf_hash());
          }
          EXPECT_THAT(got, ElementsAreArray(BruteForce(all, q)))
              << label << ": " << q.ShortDebugString();
          ++checked;
        }
      }
    }
    EXPECT_EQ(checked, 128);
  };
  check_all_combinations("first start");

  Restart();
  check_all_combinations("after a restart");

  server_.reset();
  std::filesystem::remove_all(std::filesystem::path(Data()) / "index");
  Restart();
  check_all_combinations("after the index was deleted");
  bool rebuilt = false;
  for (const std::string& line : server_->events()) {
    if (line.find("index rebuilt") != std::string::npos) rebuilt = true;
  }
  EXPECT_TRUE(rebuilt) << "the server should log that it rebuilt the index";
}

TEST_F(ServerTest, QueryWithProofsAndEveryProofVerifiesAgainstASignedCheckpoint) {
  for (int i = 0; i < 30; ++i) {
    AppendOk({MakeRecord("acme", i % 2 ? "alice" : "bob", "call.barge"),
              MakeRecord("globex", "carol", "auth.login")});
  }
  v1::QueryRequest query;
  query.set_tenant_id("acme");
  query.set_actor("alice");
  query.set_with_proofs(true);
  query.set_limit(4);
  std::vector<v1::QueryResult> results = QueryAll(query);
  ASSERT_EQ(results.size(), 15u);
  uint64_t proof_size = results.front().inclusion().tree_size();
  EXPECT_GE(proof_size, 60u);  // The latest checkpoint covers every acknowledged record.
  for (const v1::QueryResult& result : results) {
    EXPECT_EQ(result.inclusion().leaf_index(), result.seq());
    EXPECT_EQ(result.inclusion().tree_size(), proof_size);
    ExpectInclusionVerifies(result.data(), result.inclusion());
  }

  // The proofs' root is the root of a checkpoint signed with the server's key.
  v1::GetCheckpointRequest checkpoint_request;
  checkpoint_request.set_tree_size(proof_size);
  v1::GetCheckpointResponse checkpoint_response;
  grpc::ClientContext context;
  ASSERT_TRUE(
      server_->prover().GetCheckpoint(&context, checkpoint_request, &checkpoint_response).ok());
  ASSERT_OK_AND_ASSIGN(NoteVerifierKey key, ParseNoteVerifierKey(server_->server().verifier_key()));
  ASSERT_OK_AND_ASSIGN(Checkpoint checkpoint,
                       VerifyCheckpoint(checkpoint_response.checkpoint().signed_note(), key));
  EXPECT_EQ(checkpoint.size, proof_size);
  EXPECT_EQ(std::string(AsStringView(checkpoint.root)), results.front().inclusion().root());

  // Proofs against a size the caller names leave out newer records.
  query.set_proof_tree_size(20);
  query.set_limit(100);
  for (const v1::QueryResult& result : QueryAll(query)) {
    EXPECT_LT(result.seq(), 20u);
    EXPECT_EQ(result.inclusion().tree_size(), 20u);
    ExpectInclusionVerifies(result.data(), result.inclusion());
  }
}

TEST_F(ServerTest, ProveByLeafHashAndConsistencyBetweenAnySizes) {
  std::vector<v1::AppendResult> appended;
  for (int i = 0; i < 20; ++i) {
    std::vector<v1::AppendResult> results =
        AppendOk({MakeRecord("acme", absl::StrCat("u", i), "call.barge")});
    appended.insert(appended.end(), results.begin(), results.end());
  }
  for (const v1::AppendResult& result : appended) {
    v1::ProveInclusionRequest request;
    request.set_leaf_hash(result.leaf_hash());
    v1::ProveInclusionResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(server_->prover().ProveInclusion(&context, request, &response).ok());
    EXPECT_EQ(response.proof().leaf_index(), result.seq());
    ExpectInclusionVerifies(response.data(), response.proof());
  }
  {  // An unknown leaf hash.
    v1::ProveInclusionRequest request;
    request.set_leaf_hash(std::string(32, '\x07'));
    v1::ProveInclusionResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(server_->prover().ProveInclusion(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  for (uint64_t old_size = 1; old_size <= 20; ++old_size) {
    for (uint64_t new_size = old_size; new_size <= 20; new_size += 3) {
      v1::ProveConsistencyRequest request;
      request.set_old_size(old_size);
      request.set_new_size(new_size);
      v1::ProveConsistencyResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(server_->prover().ProveConsistency(&context, request, &response).ok());
      const v1::ConsistencyProof& proof = response.proof();
      std::vector<Hash> path = ToHashes(proof.path());
      EXPECT_OK(VerifyConsistency(old_size, new_size, ToHash(proof.old_root()),
                                  ToHash(proof.new_root()), path));
      EXPECT_TRUE(testing::RefVerifyConsistency(old_size, new_size, ToHash(proof.old_root()),
                                                ToHash(proof.new_root()), path));
    }
  }
  {  // Sizes beyond the log, and old > new.
    v1::ProveConsistencyRequest request;
    request.set_old_size(5);
    request.set_new_size(21);
    v1::ProveConsistencyResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(server_->prover().ProveConsistency(&context, request, &response).error_code(),
              grpc::StatusCode::OUT_OF_RANGE);
    request.set_old_size(9);
    request.set_new_size(4);
    grpc::ClientContext context2;
    EXPECT_EQ(server_->prover().ProveConsistency(&context2, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST_F(ServerTest, ConcurrentStreamsAndCallersGetDistinctConsecutiveSequenceNumbers) {
  constexpr int kStreams = 4;
  constexpr int kRequestsPerStream = 25;
  constexpr int kRecordsPerRequest = 16;
  constexpr int kUnaryThreads = 4;
  constexpr int kUnaryCalls = 25;
  std::vector<std::vector<uint64_t>> seqs(kStreams + kUnaryThreads);
  std::vector<std::thread> threads;
  for (int s = 0; s < kStreams; ++s) {
    threads.emplace_back([&, s] {
      auto channel = server_->NewChannel();
      auto stub = v1::AuditLog::NewStub(channel);
      grpc::ClientContext context;
      auto stream = stub->AppendStream(&context);
      // Write everything first (the server reads ahead a window), then read the replies.
      std::thread writer([&] {
        for (int r = 0; r < kRequestsPerStream; ++r) {
          v1::AppendRequest request;
          for (int i = 0; i < kRecordsPerRequest; ++i) {
            *request.add_records() = MakeRecord("acme", absl::StrCat("stream", s), "call.barge");
          }
          if (!stream->Write(request)) break;
        }
        stream->WritesDone();
      });
      v1::AppendResponse response;
      int replies = 0;
      while (stream->Read(&response)) {
        ++replies;
        ASSERT_EQ(response.results_size(), kRecordsPerRequest);
        for (int i = 0; i < response.results_size(); ++i) {
          // A request's records are consecutive.
          EXPECT_EQ(response.results(i).seq(), response.results(0).seq() + i);
          seqs[s].push_back(response.results(i).seq());
        }
      }
      writer.join();
      EXPECT_TRUE(stream->Finish().ok());
      EXPECT_EQ(replies, kRequestsPerStream);
    });
  }
  for (int t = 0; t < kUnaryThreads; ++t) {
    threads.emplace_back([&, t] {
      auto stub = v1::AuditLog::NewStub(server_->NewChannel());
      for (int c = 0; c < kUnaryCalls; ++c) {
        v1::AppendRequest request;
        *request.add_records() = MakeRecord("acme", absl::StrCat("unary", t), "auth.login");
        v1::AppendResponse response;
        grpc::ClientContext context;
        ASSERT_TRUE(stub->Append(&context, request, &response).ok());
        seqs[kStreams + t].push_back(response.results(0).seq());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<uint64_t> every;
  for (const auto& per_caller : seqs) {
    EXPECT_TRUE(std::is_sorted(per_caller.begin(), per_caller.end()));  // In submission order.
    every.insert(every.end(), per_caller.begin(), per_caller.end());
  }
  std::sort(every.begin(), every.end());
  uint64_t expected_total =
      kStreams * kRequestsPerStream * kRecordsPerRequest + kUnaryThreads * kUnaryCalls;
  ASSERT_EQ(every.size(), expected_total);
  for (uint64_t i = 0; i < every.size(); ++i) ASSERT_EQ(every[i], i);

  // And the index has every one of them.
  v1::QueryRequest query;
  query.set_tenant_id("acme");
  query.set_limit(10000);
  EXPECT_EQ(QueryAll(query).size(), expected_total);
}

// Group commit joins requests into one Log::Append, but never across a segment boundary (so a
// crash's unacknowledged tail is in one segment and recovery unseals nothing). With
// one-record requests no request crosses on its own, so every sealed segment must end with a
// frame that closes its batch (docs/format/README.md, "Write order").
TEST_F(ServerTest, GroupCommitNeverJoinsRequestsAcrossASegmentBoundary) {
  constexpr uint32_t kLog2 = 3;
  constexpr int kThreads = 8;
  constexpr int kCalls = 40;
  const std::string dir = scratch_.Sub("small_segments");
  ServerOptions options;
  options.leaves_per_segment_log2 = kLog2;
  auto started = TestServer::Start(dir, options);
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<TestServer> small = *std::move(started);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto stub = v1::AuditLog::NewStub(small->NewChannel());
      for (int c = 0; c < kCalls; ++c) {
        v1::AppendRequest request;
        *request.add_records() = MakeRecord("acme", absl::StrCat("caller", t), "auth.login");
        v1::AppendResponse response;
        grpc::ClientContext context;
        ASSERT_TRUE(stub->Append(&context, request, &response).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(small->Stop().ok());
  small.reset();
  int sealed = 0;
  std::vector<int> crossing;
  for (uint64_t segment = 0;; ++segment) {
    absl::StatusOr<std::string> file = testing::ReadWholeFile(testing::SegmentPath(dir, segment));
    if (!file.ok()) break;
    absl::StatusOr<testing::SegmentLayout> layout = testing::ParseSegmentLayout(*file, kLog2);
    ASSERT_TRUE(layout.ok()) << layout.status();
    if (!layout->sealed) continue;
    ++sealed;
    if (layout->frames.back().flags != 0) crossing.push_back(static_cast<int>(segment));
  }
  EXPECT_GE(sealed, kThreads * kCalls / (1 << kLog2) - 1);
  EXPECT_THAT(crossing, ::testing::IsEmpty()) << "sealed segments whose last batch continues";
}

// Appends are acknowledged once durable, before they are indexed; a query or a proof by leaf
// hash made after the acknowledgement must still find the record, also while a busy indexer is
// behind (here: batches of 2,000 records from other callers).
TEST_F(ServerTest, AnAcknowledgedAppendIsFoundAtOnceWhileTheIndexerIsBusy) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> loaders;
  for (int t = 0; t < 2; ++t) {
    loaders.emplace_back([&, t] {
      std::vector<v1::AuditRecord> batch;
      for (int i = 0; i < 2000; ++i) {
        batch.push_back(MakeRecord("busy", absl::StrCat("loader", t, "-", i % 50), "bulk"));
      }
      for (int round = 0; round < 20 && !stop.load(); ++round) AppendOk(batch);
    });
  }
  for (int i = 0; i < 20; ++i) {
    std::vector<v1::AppendResult> appended =
        AppendOk({MakeRecord("acme", absl::StrCat("probe", i), "call.barge")});
    ASSERT_EQ(appended.size(), 1u);
    v1::QueryRequest query;
    query.set_tenant_id("acme");
    query.set_actor(absl::StrCat("probe", i));
    std::vector<v1::QueryResult> found = QueryAll(query);
    ASSERT_EQ(found.size(), 1u) << "probe " << i;
    EXPECT_EQ(found[0].seq(), appended[0].seq());

    v1::ProveInclusionRequest prove;
    prove.set_leaf_hash(appended[0].leaf_hash());
    v1::ProveInclusionResponse proof;
    grpc::ClientContext context;
    grpc::Status status = server_->prover().ProveInclusion(&context, prove, &proof);
    ASSERT_TRUE(status.ok()) << "probe " << i << ": " << status.error_message();
    EXPECT_EQ(proof.proof().leaf_index(), appended[0].seq());
  }
  stop = true;
  for (std::thread& loader : loaders) loader.join();
}

TEST_F(ServerTest, AStreamWithABadRequestKeepsTheRepliesBeforeIt) {
  grpc::ClientContext context;
  auto stream = server_->audit().AppendStream(&context);
  v1::AppendRequest good;
  *good.add_records() = MakeRecord("acme", "alice", "call.barge");
  v1::AppendRequest bad;
  *bad.add_records() = MakeRecord("", "alice", "call.barge");
  ASSERT_TRUE(stream->Write(good));
  ASSERT_TRUE(stream->Write(good));
  stream->Write(bad);
  stream->Write(good);  // After the bad one: never appended.
  stream->WritesDone();
  v1::AppendResponse response;
  int replies = 0;
  while (stream->Read(&response)) ++replies;
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstrIgnoringCase("tenant_id"));
  EXPECT_EQ(replies, 2);
  EXPECT_EQ(LogSize(), 2u);
}

TEST_F(ServerTest, QueryStreamReturnsEveryMatchInPages) {
  std::vector<v1::AuditRecord> records(300, MakeRecord("acme", "alice", "data.export"));
  AppendOk(records);
  AppendOk(records);
  for (uint32_t limit : {0u, 450u}) {
    v1::QueryRequest query;
    query.set_tenant_id("acme");
    query.set_order(v1::QueryRequest::OLDEST_FIRST);
    query.set_limit(limit);
    grpc::ClientContext context;
    auto reader = server_->audit().QueryStream(&context, query);
    std::vector<uint64_t> seqs;
    v1::QueryResponse page;
    while (reader->Read(&page)) {
      for (const v1::QueryResult& result : page.results()) seqs.push_back(result.seq());
    }
    ASSERT_TRUE(reader->Finish().ok());
    ASSERT_EQ(seqs.size(), limit == 0 ? 600u : 450u);
    for (uint64_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i);
  }
}

// gRPC's standard health service and server reflection answer, so probes and grpcurl work.
// The messages are built by hand (no generated stubs for them in Debian's packages).
TEST_F(ServerTest, HealthCheckingAndReflectionAreOn) {
  grpc::GenericStub generic(server_->NewChannel());
  auto call = [&](const std::string& method, const std::string& request_bytes) {
    grpc::Slice slice(request_bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext context;
    grpc::Status status;
    absl::Mutex mu;
    bool done = false;
    generic.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                      [&](grpc::Status s) {
                        absl::MutexLock lock(&mu);
                        status = s;
                        done = true;
                      });
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&done));
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(status.ok()) << method << ": " << status.error_message();
    (void)response.Dump(&slices);
    std::string out;
    for (const grpc::Slice& s : slices)
      out.append(reinterpret_cast<const char*>(s.begin()), s.size());
    return out;
  };
  // HealthCheckRequest{service: ""} is empty; HealthCheckResponse{status: SERVING} is 08 01.
  EXPECT_EQ(call("/grpc.health.v1.Health/Check", ""), std::string("\x08\x01", 2));

  // ServerReflectionRequest{list_services: "*"} (field 7) on the bidi reflection method; the
  // reply lists the services by name.
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  auto stream = generic.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &queue);
  auto await = [&queue](intptr_t tag) {
    void* got = nullptr;
    bool ok = false;
    EXPECT_TRUE(queue.Next(&got, &ok));
    EXPECT_EQ(reinterpret_cast<intptr_t>(got), tag);
    return ok;
  };
  stream->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(await(1));
  grpc::Slice slice(std::string("\x3a\x01*", 3));
  grpc::ByteBuffer request(&slice, 1);
  stream->Write(request, reinterpret_cast<void*>(2));
  ASSERT_TRUE(await(2));
  grpc::ByteBuffer response;
  stream->Read(&response, reinterpret_cast<void*>(3));
  ASSERT_TRUE(await(3));
  stream->WritesDone(reinterpret_cast<void*>(4));
  ASSERT_TRUE(await(4));
  grpc::Status status;
  stream->Finish(&status, reinterpret_cast<void*>(5));
  ASSERT_TRUE(await(5));
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string listed;
  for (const grpc::Slice& s : slices) {
    listed.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  EXPECT_THAT(listed, ::testing::HasSubstr("sealtrail.v1.AuditLog"));
  EXPECT_THAT(listed, ::testing::HasSubstr("sealtrail.v1.Prover"));
  EXPECT_THAT(listed, ::testing::HasSubstr("grpc.health.v1.Health"));
}

}  // namespace
}  // namespace sealtrail
