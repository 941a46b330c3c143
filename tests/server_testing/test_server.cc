#include "server_testing/test_server.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/server_channel.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "server/service/small_files.h"

namespace sealtrail::testing {

absl::StatusOr<std::unique_ptr<TestServer>> TestServer::Start(
    const std::string& data_dir, ServerOptions options,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  std::unique_ptr<TestServer> test_server(new TestServer());
  TestServer* raw = test_server.get();
  test_server->event_log_ = std::make_unique<EventLog>([raw](std::string_view line) {
    absl::MutexLock lock(&raw->mu_);
    raw->events_.emplace_back(line);
  });
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir;
  absl::StatusOr<std::unique_ptr<AuditServer>> server =
      AuditServer::Start(options, test_server->event_log_.get());
  if (!server.ok()) return server.status();
  test_server->server_ = *std::move(server);
  test_server->address_ = test_server->server_->address();
  test_server->data_dir_ = data_dir;
  test_server->credentials_ =
      credentials != nullptr ? std::move(credentials) : grpc::InsecureChannelCredentials();
  Env* env = Env::Default();
  if (env->FileExists(test_server->dev_token_file())) {
    absl::StatusOr<std::string> token =
        ReadSmallFile(env, test_server->dev_token_file(), 64 << 10, "a token");
    if (!token.ok()) return token.status();
    test_server->dev_token_ = std::string(absl::StripAsciiWhitespace(*token));
  }
  test_server->channel_ = test_server->NewChannel();
  test_server->audit_ = v1::AuditLog::NewStub(test_server->channel_);
  test_server->prover_ = v1::Prover::NewStub(test_server->channel_);
  return test_server;
}

TestServer::~TestServer() {
  if (server_ != nullptr) (void)server_->Shutdown();
}

std::shared_ptr<grpc::Channel> TestServer::NewChannel(const std::string& token) const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // A connection of its own.
  return cli::CreateBearerChannel(address_, credentials_, args, token);
}

std::string TestServer::dev_token_file() const {
  return absl::StrCat(data_dir_, "/", kDevTokenFile);
}

absl::StatusOr<std::string> TestServer::MintToken(const DevTokenClaims& claims) const {
  absl::StatusOr<DevCredentials> credentials =
      DevCredentials::Open(Env::Default(), data_dir_, /*create=*/false);
  if (!credentials.ok()) return credentials.status();
  return credentials->Mint(claims);
}

std::string TestServer::Token(const std::string& subject, const std::vector<std::string>& roles,
                              const std::vector<std::string>& tenants) const {
  DevTokenClaims claims;
  claims.subject = subject;
  claims.roles = roles;
  claims.tenants = tenants;
  claims.ttl = absl::Hours(1);
  absl::StatusOr<std::string> token = MintToken(claims);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.value_or("");
}

std::vector<std::string> TestServer::events() const {
  absl::MutexLock lock(&mu_);
  return events_;
}

absl::Status TestServer::Stop() { return server_->Shutdown(); }

v1::AuditRecord MakeRecord(const std::string& tenant, const std::string& actor,
                           const std::string& action, v1::Outcome::Result outcome) {
  v1::AuditRecord record;
  record.mutable_actor()->set_user_id(actor);
  record.mutable_actor()->set_role("agent");
  record.mutable_actor()->set_service("cx-platform");
  record.mutable_action()->set_method("POST");
  record.mutable_action()->set_route("/v2/calls/barge");
  record.mutable_action()->set_name(action);
  record.mutable_action()->set_resource_type("call");
  record.mutable_action()->set_resource_id("call-42");
  record.mutable_context()->set_tenant_id(tenant);
  record.mutable_context()->set_source_ip("10.1.2.3");
  record.mutable_outcome()->set_result(outcome);
  record.mutable_outcome()->set_status_code(outcome == v1::Outcome::SUCCESS ? 200 : 403);
  return record;
}

v1::AuditRecord AsStored(v1::AuditRecord sent, const std::string& service) {
  sent.mutable_actor()->set_service(service);
  sent.mutable_actor()->set_verified(false);
  sent.mutable_actor()->set_verification_error("no token");
  sent.mutable_context()->set_source_ip("127.0.0.1");
  return sent;
}

}  // namespace sealtrail::testing
