// Authentication, authorization, TLS and denial evidence of the server, end to end: a real
// AuditServer on 127.0.0.1, real TLS with certificates made here with OpenSSL, and tokens signed
// with the data directory's dev key.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"
#include "server/record/record.h"
#include "server/service/denial_recorder.h"
#include "server_testing/test_certs.h"
#include "server_testing/test_client.h"
#include "server_testing/test_server.h"
#include "testing/file_util.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::Client;
using ::sealtrail::testing::HasSubstrIgnoringCase;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::Parse;
using ::sealtrail::testing::PemPair;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::TenantQuery;
using ::sealtrail::testing::TestCa;
using ::sealtrail::testing::TestServer;
using ::testing::HasSubstr;

class ServerAuthTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {},
             std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr) {
    server_.reset();
    options.checkpoint_interval_ms = 50;
    auto started = TestServer::Start(scratch_.Sub("data"), options, std::move(credentials));
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
  }

  // Every record of `tenant`, read with the dev token (every role, every tenant).
  std::vector<v1::AuditRecord> All(const std::string& tenant) {
    Client admin(*server_, server_->dev_token());
    v1::QueryResponse response;
    grpc::Status status = admin.Query(TenantQuery(tenant), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<v1::AuditRecord> records;
    for (const v1::QueryResult& result : response.results()) records.push_back(Parse(result));
    return records;
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = scratch_.Sub(name);
    EXPECT_OK(testing::WriteWholeFile(path, text));
    return path;
  }

  ScratchDir scratch_{"server_auth_test"};
  std::unique_ptr<TestServer> server_;
};

TEST_F(ServerAuthTest, FirstStartWritesAPrivateDevTokenWithEveryRole) {
  Start();
  ASSERT_FALSE(server_->dev_token().empty());
  ASSERT_OK_AND_ASSIGN(mode_t mode, testing::FileModeOf(server_->dev_token_file()));
  EXPECT_EQ(mode & 0777, 0600u);
  Client dev(*server_, server_->dev_token());
  EXPECT_TRUE(dev.Append({MakeRecord("acme", "alice", "call.barge")}).ok());
  v1::QueryResponse response;
  EXPECT_TRUE(dev.Query(TenantQuery("globex"), &response).ok());
  bool logged = false;
  for (const std::string& line : server_->events()) {
    if (line.find("\"event\":\"dev_token\"") != std::string::npos) {
      logged = true;
      EXPECT_THAT(line, HasSubstr("--token-file"));
      EXPECT_THAT(line, ::testing::Not(HasSubstr(server_->dev_token())));
    }
    if (line.find("plaintext_loopback") != std::string::npos) {
      EXPECT_THAT(line, HasSubstr("warning"));
    }
  }
  EXPECT_TRUE(logged);
  // A restart keeps a token that is still good for long.
  std::string token = server_->dev_token();
  Start();
  EXPECT_EQ(server_->dev_token(), token);
}

TEST_F(ServerAuthTest, PlaintextOnANonLoopbackAddressIsRefused) {
  EventLog events([](std::string_view) {});
  ServerOptions options;
  options.listen = "0.0.0.0:0";
  options.data_dir = scratch_.Sub("data");
  absl::StatusOr<std::unique_ptr<AuditServer>> server = AuditServer::Start(options, &events);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(server.status().message(),
              HasSubstr("listening on 0.0.0.0:0 requires TLS (--tls-cert/--tls-key)"));
}

TEST_F(ServerAuthTest, RefusalsNameTheProblem) {
  ServerOptions options;
  options.jwt.leeway = absl::ZeroDuration();
  Start(options);
  struct Case {
    std::string name;
    std::string token;
    std::string tenant;
    grpc::StatusCode code;
    std::string message;
  };
  DevTokenClaims short_lived;
  short_lived.subject = "brief";
  short_lived.roles = {"appender"};
  short_lived.tenants = {"acme"};
  short_lived.ttl = absl::Seconds(1);
  ASSERT_OK_AND_ASSIGN(std::string expiring, server_->MintToken(short_lived));
  absl::SleepFor(absl::Milliseconds(2100));
  std::vector<Case> cases = {
      {"no token", "", "acme", grpc::StatusCode::UNAUTHENTICATED, "no credential"},
      {"garbage", "not.a.jwt", "acme", grpc::StatusCode::UNAUTHENTICATED, ""},
      {"expired", expiring, "acme", grpc::StatusCode::UNAUTHENTICATED, "expired"},
      {"wrong role", server_->Token("ann", {"auditor"}, {"acme"}), "acme",
       grpc::StatusCode::PERMISSION_DENIED, "needs role appender"},
      {"wrong tenant", server_->Token("ann", {"appender"}, {"acme"}), "globex",
       grpc::StatusCode::PERMISSION_DENIED, "may not append to tenant \"globex\""},
  };
  for (const Case& c : cases) {
    Client client(*server_, c.token);
    grpc::Status status = client.Append({MakeRecord(c.tenant, "alice", "call.barge")});
    EXPECT_EQ(status.error_code(), c.code) << c.name << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstrIgnoringCase(c.message)) << c.name;
    EXPECT_THAT(status.error_message(),
                ::testing::Not(HasSubstr(c.token.empty() ? "@@" : c.token)));
    // Streams are refused the same way.
    grpc::Status streamed = client.AppendStream({MakeRecord(c.tenant, "alice", "call.barge")});
    EXPECT_EQ(streamed.error_code(), c.code) << c.name << ": " << streamed.error_message();
  }
  // Nothing was appended but the evidence of the refusals.
  for (const v1::AuditRecord& record : All("acme")) {
    EXPECT_EQ(record.action().name(), kDeniedAction);
  }
  Client right(*server_, server_->Token("ann", {"appender"}, {"acme"}));
  EXPECT_TRUE(right.Append({MakeRecord("acme", "alice", "call.barge")}).ok());
}

TEST_F(ServerAuthTest, EveryRoleGetsExactlyItsMethods) {
  Start();
  Client dev(*server_, server_->dev_token());
  ASSERT_TRUE(dev.Append({MakeRecord("acme", "alice", "call.barge")}).ok());
  v1::GetCheckpointResponse signed_one;
  for (int i = 0; i < 500 && signed_one.checkpoint().tree_size() == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    ASSERT_TRUE(dev.GetCheckpoint(&signed_one).ok());
  }
  struct Expect {
    bool append, query, prove, checkpoint;
  };
  std::map<std::string, Expect> roles = {
      {"appender", {true, false, false, false}},
      {"auditor", {false, true, true, true}},
      {"platform-auditor", {false, true, true, true}},
      {"admin", {false, false, false, true}},
  };
  for (const auto& [role, expect] : roles) {
    Client client(*server_, server_->Token("who", {role}, {"acme"}));
    EXPECT_EQ(client.Append({MakeRecord("acme", "alice", "call.barge")}).ok(), expect.append)
        << role;
    v1::QueryResponse query;
    EXPECT_EQ(client.Query(TenantQuery("acme"), &query).ok(), expect.query) << role;
    v1::ProveInclusionResponse proof;
    EXPECT_EQ(client.ProveSeq(0, &proof).ok(), expect.prove) << role;
    v1::GetCheckpointResponse checkpoint;
    EXPECT_EQ(client.GetCheckpoint(&checkpoint).ok(), expect.checkpoint) << role;
    v1::ProveConsistencyResponse consistency;
    grpc::Status consistent = client.ProveConsistency(1, &consistency);
    EXPECT_EQ(consistent.ok(), expect.checkpoint) << role << ": " << consistent.error_message();
  }
}

// With tenant A's auditor token, every method of every service, against tenant B's data: nothing
// of B comes back, and a proof of B's record is refused exactly as one of no record at all.
TEST_F(ServerAuthTest, TenantIsolationAcrossEveryMethod) {
  Start();
  Client dev(*server_, server_->dev_token());
  v1::AppendResponse a_appended;
  v1::AppendResponse b_appended;
  ASSERT_TRUE(dev.Append({MakeRecord("tenant-a", "alice", "call.barge")}, &a_appended).ok());
  ASSERT_TRUE(dev.Append({MakeRecord("tenant-b", "bob", "call.barge"),
                          MakeRecord("tenant-b", "bob", "data.export")},
                         &b_appended)
                  .ok());
  const uint64_t b_seq = b_appended.results(0).seq();
  const std::string b_hash = b_appended.results(0).leaf_hash();
  const uint64_t missing_seq = 1'000'000;
  const std::string missing_hash(kHashSize, '\x5a');

  Client a(*server_, server_->Token("a-auditor", {"auditor"}, {"tenant-a"}));
  // AuditLog.Append and AppendStream: not an appender at all, and never for B.
  EXPECT_EQ(a.Append({MakeRecord("tenant-b", "x", "y")}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(a.AppendStream({MakeRecord("tenant-b", "x", "y")}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  Client a_appender(*server_, server_->Token("a-app", {"appender"}, {"tenant-a"}));
  EXPECT_EQ(a_appender.Append({MakeRecord("tenant-a", "x", "y"), MakeRecord("tenant-b", "x", "y")})
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // AuditLog.Query and QueryStream: B is refused, and A's results hold only A's records.
  v1::QueryResponse response;
  grpc::Status refused = a.Query(TenantQuery("tenant-b"), &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(response.results_size(), 0);
  std::vector<v1::QueryResult> streamed;
  EXPECT_EQ(a.QueryStream(TenantQuery("tenant-b"), &streamed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(streamed.empty());
  v1::QueryResponse own;
  ASSERT_TRUE(a.Query(TenantQuery("tenant-a"), &own).ok());
  ASSERT_EQ(own.results_size(), 1);
  EXPECT_EQ(Parse(own.results(0)).context().tenant_id(), "tenant-a");
  v1::QueryRequest with_proofs = TenantQuery("tenant-a");
  with_proofs.set_with_proofs(true);
  ASSERT_TRUE(a.QueryStream(with_proofs, &streamed).ok());
  for (const v1::QueryResult& result : streamed) {
    EXPECT_EQ(Parse(result).context().tenant_id(), "tenant-a");
  }
  // Prover.ProveInclusion: B's record and no record get the same refusal, by seq and by hash.
  v1::ProveInclusionResponse proof;
  grpc::Status by_b_seq = a.ProveSeq(b_seq, &proof);
  grpc::Status by_missing_seq = a.ProveSeq(missing_seq, &proof);
  EXPECT_EQ(by_b_seq.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(by_missing_seq.error_code(), by_b_seq.error_code());
  EXPECT_EQ(by_missing_seq.error_message(), by_b_seq.error_message());
  grpc::Status by_b_hash = a.ProveLeafHash(b_hash, &proof);
  grpc::Status by_missing_hash = a.ProveLeafHash(missing_hash, &proof);
  EXPECT_EQ(by_b_hash.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(by_missing_hash.error_code(), by_b_hash.error_code());
  EXPECT_EQ(by_missing_hash.error_message(), by_b_hash.error_message());
  EXPECT_FALSE(proof.has_proof());
  EXPECT_TRUE(proof.data().empty());
  // Its own record it may prove.
  ASSERT_TRUE(a.ProveSeq(a_appended.results(0).seq(), &proof).ok());
  EXPECT_EQ(proof.data(), own.results(0).data());
  // Prover.GetCheckpoint and ProveConsistency cover the whole log (docs/server.md, "What proofs
  // reveal"): sizes and hashes, no record.
  v1::GetCheckpointResponse checkpoint;
  EXPECT_TRUE(a.GetCheckpoint(&checkpoint).ok());
  v1::ProveConsistencyResponse consistency;
  EXPECT_TRUE(a.ProveConsistency(1, &consistency).ok());
  // A platform auditor sees B, and is told plainly that a seq does not exist.
  Client platform(*server_, server_->Token("p", {"platform-auditor"}, {}));
  EXPECT_TRUE(platform.ProveSeq(b_seq, &proof).ok());
  EXPECT_EQ(platform.ProveSeq(missing_seq, &proof).error_code(), grpc::StatusCode::NOT_FOUND);
}

uint64_t CountOf(const v1::AuditRecord& record) {
  auto count = record.details().attributes().find("count");
  uint64_t value = 0;
  if (count != record.details().attributes().end()) {
    EXPECT_TRUE(absl::SimpleAtoi(count->second, &value));
  }
  return value;
}

TEST_F(ServerAuthTest, DeniedRequestsAreQueryableEvidenceAndRepeatsAreCounted) {
  ServerOptions options;
  options.denial_window_ms = 300;
  Start(options);
  Client anonymous(*server_, "");
  v1::QueryResponse response;
  ASSERT_EQ(anonymous.Query(TenantQuery("globex"), &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  Client wrong(*server_, server_->Token("mallory", {"appender"}, {"acme"}));
  ASSERT_EQ(wrong.Append({MakeRecord("globex", "x", "y")}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The denial's reply does not wait for its record; the record follows shortly.
  Client platform(*server_, server_->Token("auditor-1", {"platform-auditor"}, {}));
  v1::QueryRequest denied = TenantQuery("globex");
  denied.set_action(kDeniedAction);
  denied.set_outcome(v1::Outcome::DENIED);
  std::vector<v1::AuditRecord> found;
  for (int attempt = 0; attempt < 100 && found.size() < 2; ++attempt) {
    absl::SleepFor(absl::Milliseconds(20));
    ASSERT_TRUE(platform.Query(denied, &response).ok());
    found.clear();
    for (const v1::QueryResult& result : response.results()) found.push_back(Parse(result));
  }
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].actor().user_id(), "anonymous");
  EXPECT_FALSE(found[0].actor().verified());
  EXPECT_EQ(found[0].action().method(), "/sealtrail.v1.AuditLog/Query");
  EXPECT_EQ(found[0].context().source_ip(), "127.0.0.1");
  EXPECT_EQ(found[0].outcome().result(), v1::Outcome::DENIED);
  EXPECT_EQ(found[0].outcome().status_code(), static_cast<int>(grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_THAT(found[0].outcome().reason(), HasSubstr("no credential"));
  EXPECT_EQ(found[1].actor().user_id(), "mallory");
  EXPECT_TRUE(found[1].actor().verified());
  EXPECT_EQ(found[1].action().method(), "/sealtrail.v1.AuditLog/Append");
  EXPECT_EQ(found[1].outcome().status_code(),
            static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));

  // 100 identical denials become a few events whose counts add up to 100.
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(anonymous.Query(TenantQuery("initech"), &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  absl::SleepFor(absl::Milliseconds(600));  // The window closes; the flush records the count.
  ASSERT_OK(server_->Stop());               // And a clean shutdown loses nothing either.
  Start(options);
  std::vector<v1::AuditRecord> evidence = All("initech");
  EXPECT_LE(evidence.size(), 10u);
  uint64_t total = 0;
  for (const v1::AuditRecord& record : evidence) {
    EXPECT_EQ(record.action().name(), kDeniedAction);
    total += record.details().attributes().count("count") ? CountOf(record) : 1;
  }
  EXPECT_EQ(total, 100u);
  // A denial whose tenant is unknown goes to the platform tenant.
  Client bad(*server_, "garbage");
  v1::GetCheckpointResponse checkpoint;
  EXPECT_EQ(bad.GetCheckpoint(&checkpoint).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_OK(server_->Stop());
  Start(options);
  std::vector<v1::AuditRecord> platform_evidence = All(kPlatformTenant);
  ASSERT_FALSE(platform_evidence.empty());
  EXPECT_EQ(platform_evidence.back().action().method(), "/sealtrail.v1.Prover/GetCheckpoint");
}

class TlsTest : public ServerAuthTest {
 protected:
  TlsTest() : ca_("sealtrail test CA"), wrong_ca_("someone else's CA") {}

  ServerOptions TlsOptions(bool mutual) {
    PemPair server = ca_.IssueServer("127.0.0.1");
    ServerOptions options;
    options.tls_cert_file = WriteFile("server.crt", server.cert);
    options.tls_key_file = WriteFile("server.key", server.key);
    if (mutual) {
      options.tls_client_ca_file = WriteFile("client-ca.crt", ca_.cert_pem());
      options.client_identities_file = WriteFile(
          "identities.json",
          R"({"billing-service": {"subject": "billing", "roles": ["appender"], "tenants": ["acme"]}})");
    }
    return options;
  }

  std::shared_ptr<grpc::ChannelCredentials> ClientTls(const PemPair* client) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ca_.cert_pem();
    if (client != nullptr) {
      ssl.pem_cert_chain = client->cert;
      ssl.pem_private_key = client->key;
    }
    return grpc::SslCredentials(ssl);
  }

  TestCa ca_;
  TestCa wrong_ca_;
};

TEST_F(TlsTest, TlsChannelCarriesTokens) {
  Start(TlsOptions(/*mutual=*/false), ClientTls(nullptr));
  Client dev(*server_, server_->dev_token());
  EXPECT_TRUE(dev.Append({MakeRecord("acme", "alice", "call.barge")}).ok());
  Client anonymous(*server_, "");
  EXPECT_EQ(anonymous.Append({MakeRecord("acme", "alice", "call.barge")}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  for (const std::string& line : server_->events()) {
    EXPECT_THAT(line, ::testing::Not(HasSubstr("plaintext_loopback")));
  }
  // A plaintext client cannot talk to it.
  auto plaintext = v1::Prover::NewStub(
      grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::GetCheckpointResponse response;
  EXPECT_FALSE(plaintext->GetCheckpoint(&context, v1::GetCheckpointRequest(), &response).ok());
}

TEST_F(TlsTest, MutualTlsMapsCertificatesAndRefusesAWrongCa) {
  Start(TlsOptions(/*mutual=*/true), ClientTls(nullptr));
  // A certificate of the right CA with a CN in the map is a credential of its own.
  PemPair billing = ca_.IssueClient("billing-service");
  Start(TlsOptions(/*mutual=*/true), ClientTls(&billing));
  Client by_certificate(*server_, "");
  EXPECT_TRUE(by_certificate.Append({MakeRecord("acme", "alice", "call.barge")}).ok());
  EXPECT_EQ(by_certificate.Append({MakeRecord("globex", "alice", "call.barge")}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A certificate of the right CA whose CN is not in the map, without a token.
  PemPair stranger = ca_.IssueClient("stranger");
  Start(TlsOptions(/*mutual=*/true), ClientTls(&stranger));
  Client unmapped(*server_, "");
  grpc::Status status = unmapped.Append({MakeRecord("acme", "alice", "call.barge")});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("\"stranger\" is not in the client identity map"));
  // A certificate from another CA never gets a connection, token or not.
  PemPair forged = wrong_ca_.IssueClient("billing-service");
  Start(TlsOptions(/*mutual=*/true), ClientTls(&forged));
  Client wrong(*server_, server_->dev_token());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::GetCheckpointResponse response;
  grpc::Status refused =
      wrong.prover->GetCheckpoint(&context, v1::GetCheckpointRequest(), &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  // And no certificate at all neither.
  Start(TlsOptions(/*mutual=*/true), ClientTls(nullptr));
  Client none(*server_, server_->dev_token());
  grpc::ClientContext none_context;
  none_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  EXPECT_FALSE(
      none.prover->GetCheckpoint(&none_context, v1::GetCheckpointRequest(), &response).ok());
}

}  // namespace
}  // namespace sealtrail

namespace sealtrail {
namespace {

class ActorTest : public ServerAuthTest {
 protected:
  std::string ActorToken(const std::string& user, const std::string& role,
                         const std::string& tenant, absl::Duration ttl = absl::Hours(1)) {
    DevTokenClaims claims;
    claims.subject = user;
    claims.role = role;
    claims.tenant = tenant;
    claims.ttl = ttl;
    absl::StatusOr<std::string> token = server_->MintToken(claims);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  grpc::Status AppendWithTokens(Client& client, const std::vector<v1::AuditRecord>& records,
                                const std::vector<std::string>& tokens) {
    v1::AppendRequest request;
    for (const v1::AuditRecord& record : records) *request.add_records() = record;
    for (const std::string& token : tokens) request.add_actor_tokens(token);
    v1::AppendResponse response;
    grpc::ClientContext context;
    return client.audit->Append(&context, request, &response);
  }
};

TEST_F(ActorTest, ActorComesFromAVerifiedTokenOrIsMarkedUnverified) {
  ServerOptions options;
  options.jwt.leeway = absl::ZeroDuration();
  Start(options);
  std::string expired = ActorToken("eve", "agent", "acme", absl::Seconds(1));
  absl::SleepFor(absl::Milliseconds(2100));
  Client service(*server_, server_->Token("call-control", {"appender"}, {"acme"}));
  v1::AuditRecord claimed = MakeRecord("acme", "spoofed-user", "call.barge");
  claimed.mutable_actor()->set_verified(true);  // A client's word counts for nothing.
  claimed.mutable_context()->set_source_ip("203.0.113.9");
  ASSERT_TRUE(AppendWithTokens(service, {claimed, claimed, claimed, claimed},
                               {ActorToken("agent-4711", "supervisor", "acme"), expired,
                                ActorToken("agent-1", "agent", "globex"), ""})
                  .ok());
  std::vector<v1::AuditRecord> stored = All("acme");
  ASSERT_EQ(stored.size(), 4u);
  for (const v1::AuditRecord& record : stored) {
    EXPECT_EQ(record.actor().service(), "call-control");
    EXPECT_EQ(record.context().source_ip(), "127.0.0.1");
    EXPECT_EQ(record.SerializeAsString().find("eyJ"), std::string::npos) << "a token was stored";
  }
  EXPECT_EQ(stored[0].actor().user_id(), "agent-4711");
  EXPECT_EQ(stored[0].actor().role(), "supervisor");
  EXPECT_TRUE(stored[0].actor().verified());
  EXPECT_EQ(stored[0].actor().verification_error(), "");
  EXPECT_EQ(stored[1].actor().user_id(), "spoofed-user");
  EXPECT_FALSE(stored[1].actor().verified());
  EXPECT_THAT(stored[1].actor().verification_error(), HasSubstr("expired"));
  EXPECT_FALSE(stored[2].actor().verified());
  EXPECT_THAT(stored[2].actor().verification_error(), HasSubstr("tenant \"globex\""));
  EXPECT_FALSE(stored[3].actor().verified());
  EXPECT_EQ(stored[3].actor().verification_error(), "no token");
  // A token count that matches nothing is a bad request.
  EXPECT_EQ(AppendWithTokens(service, {claimed, claimed}, {""}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ActorTest, ATenantCanRequireVerifiedActors) {
  ServerOptions options;
  options.require_verified_actor = {"acme"};
  Start(options);
  Client service(*server_, server_->Token("call-control", {"appender"}, {"acme", "globex"}));
  grpc::Status refused = AppendWithTokens(service, {MakeRecord("acme", "alice", "call.barge")}, {});
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(refused.error_message(), HasSubstr("accepts only verified actors: no token"));
  EXPECT_TRUE(AppendWithTokens(service, {MakeRecord("acme", "alice", "call.barge")},
                               {ActorToken("alice", "agent", "acme")})
                  .ok());
  EXPECT_TRUE(AppendWithTokens(service, {MakeRecord("globex", "bob", "call.barge")}, {}).ok());
  // The refusal is evidence in the tenant's own log.
  std::vector<v1::AuditRecord> acme;
  for (int attempt = 0; attempt < 100; ++attempt) {
    acme = All("acme");
    if (acme.size() >= 2) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(acme.size(), 2u);
  int denied = 0;
  for (const v1::AuditRecord& record : acme) {
    if (record.action().name() == kDeniedAction) {
      ++denied;
      EXPECT_EQ(record.actor().user_id(), "call-control");
    }
  }
  EXPECT_EQ(denied, 1);
}

TEST_F(ActorTest, SourceIpComesFromThePeerOrATrustedProxy) {
  ServerOptions options;
  options.trusted_proxies = {"127.0.0.0/8"};
  Start(options);
  Client service(*server_, server_->dev_token());
  auto append_forwarded = [&](const std::string& forwarded) {
    v1::AppendRequest request;
    *request.add_records() = MakeRecord("acme", "alice", "call.barge");
    v1::AppendResponse response;
    grpc::ClientContext context;
    if (!forwarded.empty()) context.AddMetadata("x-forwarded-for", forwarded);
    EXPECT_TRUE(service.audit->Append(&context, request, &response).ok());
  };
  append_forwarded("");                                   // The peer itself.
  append_forwarded("198.51.100.7");                       // One trusted hop: its client.
  append_forwarded("10.9.9.9, 198.51.100.7, 127.0.0.5");  // The last untrusted hop.
  append_forwarded("not-an-ip");                          // Malformed: the proxy.
  std::vector<v1::AuditRecord> stored = All("acme");
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_EQ(stored[0].context().source_ip(), "127.0.0.1");
  EXPECT_EQ(stored[1].context().source_ip(), "198.51.100.7");
  EXPECT_EQ(stored[2].context().source_ip(), "198.51.100.7");
  EXPECT_EQ(stored[3].context().source_ip(), "127.0.0.1");

  // Without trusted proxies the header is ignored.
  Start();
  Client direct(*server_, server_->dev_token());
  v1::AppendRequest request;
  *request.add_records() = MakeRecord("globex", "bob", "call.barge");
  v1::AppendResponse response;
  grpc::ClientContext context;
  context.AddMetadata("x-forwarded-for", "198.51.100.7");
  ASSERT_TRUE(direct.audit->Append(&context, request, &response).ok());
  EXPECT_EQ(All("globex").at(0).context().source_ip(), "127.0.0.1");
}

}  // namespace
}  // namespace sealtrail
