// TestServer: a real sealtraild (AuditServer) started in-process on 127.0.0.1 port 0 with a data
// directory of the test's choosing, a real gRPC channel to it, and the server's event lines kept
// for assertions. For the integration tests of the server and of the CLI's server commands.
//
// Every call needs a credential. Unless the options name --jwt-keys, the server writes its dev
// token (every role, every tenant) to DATA/dev-token on start; dev_token() is that token, and
// audit(), prover() and NewChannel() send it on every call. MintToken makes narrower ones with
// the data directory's dev key.
//
// Thread-safety: the stubs are thread-safe (gRPC's); events() may be called while the server
// runs.
#ifndef SEALTRAIL_TESTS_SERVER_TESTING_TEST_SERVER_H_
#define SEALTRAIL_TESTS_SERVER_TESTING_TEST_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"
#include "server/auth/dev_credentials.h"
#include "server/service/event_log.h"
#include "server/service/server.h"
#include "server/service/server_options.h"
#include "server/service/token_verifier.h"

namespace sealtrail::testing {

class TestServer {
 public:
  // Starts a server on `options` with listen forced to "127.0.0.1:0" and data_dir to
  // `data_dir`. Errors are AuditServer::Start's.
  // `credentials`: for the channels (nullptr: plaintext); with TLS, the server's certificate must
  // name 127.0.0.1.
  static absl::StatusOr<std::unique_ptr<TestServer>> Start(
      const std::string& data_dir, ServerOptions options = {},
      std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);
  ~TestServer();

  AuditServer& server() { return *server_; }
  const std::string& address() const { return address_; }
  // A new channel to the server (each its own connection) that sends the dev token.
  std::shared_ptr<grpc::Channel> NewChannel() const { return NewChannel(dev_token_); }
  // A new channel that sends `token` ("": no authorization metadata).
  std::shared_ptr<grpc::Channel> NewChannel(const std::string& token) const;
  // The server's dev token (DATA/dev-token); empty when it uses configured JWT keys.
  const std::string& dev_token() const { return dev_token_; }
  std::string dev_token_file() const;
  // A token signed with the data directory's dev key (accepted unless --jwt-keys is set).
  absl::StatusOr<std::string> MintToken(const DevTokenClaims& claims) const;
  // A token for `subject` with `roles` for `tenants`, valid for an hour; "" on failure (a test
  // failure is recorded).
  std::string Token(const std::string& subject, const std::vector<std::string>& roles,
                    const std::vector<std::string>& tenants) const;
  v1::AuditLog::Stub& audit() { return *audit_; }
  v1::Prover::Stub& prover() { return *prover_; }
  // The server's event lines so far.
  std::vector<std::string> events() const;
  // Orderly shutdown (AuditServer::Shutdown).
  absl::Status Stop();

 private:
  TestServer() = default;
  mutable absl::Mutex mu_;
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<EventLog> event_log_;
  std::unique_ptr<AuditServer> server_;
  std::string address_;
  std::string data_dir_;
  std::string dev_token_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::AuditLog::Stub> audit_;
  std::unique_ptr<v1::Prover::Stub> prover_;
};

// A record that passes ValidateRecord: the given tenant, actor (actor.user_id), action name and
// outcome, with a route, method, source IP and resource filled in.
v1::AuditRecord MakeRecord(const std::string& tenant, const std::string& actor,
                           const std::string& action,
                           v1::Outcome::Result outcome = v1::Outcome::SUCCESS);

// `sent` as the server stores it when appended over loopback with the dev token and no actor
// token: actor.service the caller's subject, context.source_ip the peer, the actor unverified
// ("no token"). The commit time stays as in `sent`.
v1::AuditRecord AsStored(v1::AuditRecord sent, const std::string& service = kDevTokenSubject);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_SERVER_TESTING_TEST_SERVER_H_
