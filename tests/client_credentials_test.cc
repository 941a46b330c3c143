// Tests of the credentials the `sealtrail` server commands and sealtrail-bench present
// (tools/cli/client_credentials.h, credential_flags.h, server_channel.h): where the token comes
// from, what is refused before anything is sent, and the `authorization` metadata that actually
// arrives at a tiny real gRPC server on 127.0.0.1 port 0, over plaintext, TLS and mutual TLS with
// certificates made by the openssl tool, from the library and from the built binary.
#include <sys/stat.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/bench_config.h"
#include "cli/client_credentials.h"
#include "cli/credential_flags.h"
#include "cli/server_channel.h"
#include "gmock/gmock.h"
#include "grpcpp/security/server_credentials.h"
#include "gtest/gtest.h"
#include "recording_server.h"
#include "sealtrail/env.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"
#include "testing/file_util.h"
#include "testing/run_process.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {
namespace {

using ::sealtrail::testing::ProcessResult;
using ::sealtrail::testing::RunProcess;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::sealtrail::testing::WriteWholeFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kToken[] = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ0In0.c2ln";

// ---------------------------------------------------------------------------------------------
// Which token, from where.

class TokenResolutionTest : public ::testing::Test {
 protected:
  // Writes `contents` to a new file in the scratch directory with `mode`; returns its path.
  std::string File(const std::string& name, const std::string& contents, mode_t mode = 0600) {
    const std::string path = scratch_.Sub(name);
    EXPECT_OK(WriteWholeFile(path, contents));
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  // A data directory holding a dev token `token`.
  std::string DataDir(const std::string& name, const std::string& token) {
    const std::string dir = scratch_.Sub(name);
    EXPECT_EQ(::mkdir(dir.c_str(), 0700), 0);
    File(name + "/dev-token", token + "\n");
    return dir;
  }
  absl::StatusOr<ClientCredentials> Resolve(const CredentialFlags& flags,
                                            CredentialEnvironment environment = {},
                                            const std::string& address = "127.0.0.1:7700") {
    warnings_.str("");
    return ResolveClientCredentials(Env::Default(), flags, environment, address, warnings_);
  }
  std::string Token(const CredentialFlags& flags, CredentialEnvironment environment = {},
                    const std::string& address = "127.0.0.1:7700") {
    absl::StatusOr<ClientCredentials> credentials = Resolve(flags, environment, address);
    EXPECT_OK(credentials.status());
    return credentials.ok() ? credentials->bearer_token : "<error>";
  }

  ScratchDir scratch_{"client_credentials"};
  std::ostringstream warnings_;
};

TEST_F(TokenResolutionTest, TokenFlagThenTokenFileThenEnvironmentThenDevToken) {
  const std::string file = File("token", "from-file\n");
  const std::string data = DataDir("data", "from-dev-token");
  const CredentialEnvironment environment{"from-env", data.c_str()};

  EXPECT_EQ(Token({.token = "from-flag", .token_file = file, .data_dir = data}, environment),
            "from-flag");
  EXPECT_EQ(Token({.token_file = file, .data_dir = data}, environment), "from-file");
  EXPECT_EQ(Token({.data_dir = data}, environment), "from-env");
  EXPECT_EQ(Token({.data_dir = data}, {nullptr, nullptr}), "from-dev-token");
  EXPECT_EQ(Token({}, {nullptr, data.c_str()}), "from-dev-token");
  EXPECT_EQ(Token({}, {"", nullptr}), "");  // An empty variable counts as unset.
  EXPECT_EQ(Token({}), "");                 // No token at all: the server will say so.
}

TEST_F(TokenResolutionTest, DataFlagWinsOverDataEnvironment) {
  const std::string flagged = DataDir("flagged", "flagged-token");
  const std::string env_dir = DataDir("env", "env-token");
  EXPECT_EQ(Token({.data_dir = flagged}, {nullptr, env_dir.c_str()}), "flagged-token");
}

TEST_F(TokenResolutionTest, DevTokenOnlyForLoopbackServers) {
  const std::string data = DataDir("data", "dev");
  EXPECT_EQ(Token({.data_dir = data}, {}, "localhost:7700"), "dev");
  EXPECT_EQ(Token({.data_dir = data}, {}, "[::1]:7700"), "dev");
  EXPECT_EQ(Token({.data_dir = data}, {}, "10.0.0.7:7700"), "");
  EXPECT_THAT(warnings_.str(), HasSubstr("--data " + data + " is ignored"));
  EXPECT_EQ(Token({}, {nullptr, data.c_str()}, "audit.example.com:7700"), "");
}

TEST_F(TokenResolutionTest, DataDirWithoutDevTokenIsNotFound) {
  const std::string dir = scratch_.Sub("empty");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  EXPECT_THAT(Resolve({.data_dir = dir}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no dev token in " + dir)));
}

TEST_F(TokenResolutionTest, TokenFileLosesTrailingWhitespaceOnly) {
  EXPECT_EQ(Token({.token_file = File("t", "abc.def.ghi \r\n\n\t")}), "abc.def.ghi");
}

TEST_F(TokenResolutionTest, TokenFileReadableByOthersWarnsWithoutTheToken) {
  const std::string path = File("open", "secret-token-value\n", 0644);
  EXPECT_EQ(Token({.token_file = path}), "secret-token-value");
  EXPECT_THAT(warnings_.str(), HasSubstr("chmod 600 " + path));
  EXPECT_THAT(warnings_.str(), HasSubstr("0644"));
  EXPECT_THAT(warnings_.str(), Not(HasSubstr("secret-token-value")));

  EXPECT_EQ(Token({.token_file = File("closed", "t\n", 0600)}), "t");
  EXPECT_THAT(warnings_.str(), IsEmpty());
}

TEST_F(TokenResolutionTest, BadTokensAreRefusedWithoutEchoingThem) {
  EXPECT_THAT(Resolve({.token_file = File("empty", " \n")}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is empty")));
  EXPECT_THAT(Resolve({.token_file = scratch_.Sub("missing")}),
              StatusIs(absl::StatusCode::kNotFound));
  const absl::StatusOr<ClientCredentials> spaced = Resolve({.token = "secret part2"});
  EXPECT_THAT(spaced, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--token")));
  EXPECT_THAT(spaced.status().message(), Not(HasSubstr("secret")));
  EXPECT_THAT(Resolve({}, {"line\nbreak", nullptr}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("$SEALTRAIL_TOKEN")));
}

TEST_F(TokenResolutionTest, TokenInPlaintextToARemoteServerIsRefused) {
  EXPECT_THAT(Resolve({.token = "t"}, {}, "10.0.0.7:7700"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("plaintext")));
  const std::string ca = File("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  EXPECT_OK(Resolve({.token = "t", .tls_ca_file = ca}, {}, "10.0.0.7:7700").status());
  EXPECT_OK(Resolve({}, {}, "10.0.0.7:7700").status());  // No token: nothing to protect.
}

TEST_F(TokenResolutionTest, ClientCertificateNeedsKeyAndRootCa) {
  const std::string pem = File("x.pem", "pem");
  EXPECT_THAT(Resolve({.tls_ca_file = pem, .tls_cert_file = pem}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--tls-key")));
  EXPECT_THAT(Resolve({.tls_cert_file = pem, .tls_key_file = pem}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs --tls-ca")));
  ASSERT_OK_AND_ASSIGN(ClientCredentials credentials,
                       Resolve({.tls_ca_file = pem, .tls_cert_file = pem, .tls_key_file = pem}));
  EXPECT_TRUE(credentials.tls());
  EXPECT_EQ(credentials.tls_cert_pem, "pem");
}

TEST(LoopbackAddressTest, NamesOfThisMachine) {
  for (const char* address :
       {"127.0.0.1:7700", "127.8.9.10:1", "localhost:7700", "LOCALHOST:1", "[::1]:7700",
        "dns:///localhost:7700", "ipv4:127.0.0.1:7700", "ipv6:[::1]:7700",
        "[::ffff:127.0.0.1]:7700", "unix:/run/sealtrail.sock", "::1"}) {
    EXPECT_TRUE(IsLoopbackAddress(address)) << address;
  }
  for (const char* address :
       {"10.0.0.1:7700", "0.0.0.0:7700", "[::]:7700", "audit.example.com:7700",
        "localhost.example.com:7700", "128.0.0.1:7700", "[2001:db8::1]:7700", ""}) {
    EXPECT_FALSE(IsLoopbackAddress(address)) << address;
  }
}

// The flags parse into the same CredentialFlags in the CLI's commands and the bench.
TEST(CredentialFlagsTest, GivenFlagsOnlyFromTheParsedCommand) {
  CLI::App app;
  CredentialFlagSet flags;
  flags.AddTo(app.add_subcommand("query"), /*with_data_dir=*/true);
  flags.AddTo(app.add_subcommand("witness"), /*with_data_dir=*/false);
  std::vector<std::string> args = {"x.pem", "--tls-ca", "t", "--token", "query"};  // Reversed.
  app.parse(args);
  const CredentialFlags given = flags.Given();
  EXPECT_EQ(given.token, "t");
  EXPECT_EQ(given.tls_ca_file, "x.pem");
  EXPECT_FALSE(given.token_file.has_value());
  EXPECT_FALSE(given.data_dir.has_value());
}

TEST(CredentialFlagsTest, TokenAndTokenFileExcludeEachOther) {
  CLI::App app;
  CredentialFlagSet flags;
  flags.AddTo(&app, /*with_data_dir=*/true);
  std::vector<std::string> args = {"f", "--token-file", "t", "--token"};  // Reversed.
  EXPECT_THROW(app.parse(args), CLI::ExcludesError);
}

TEST(CredentialFlagsTest, BenchTakesTheSameFlags) {
  CLI::App app;
  bench::BenchFlags flags(app);
  std::vector<std::string> args = {"./data", "--data", "tok", "--token-file"};  // Reversed.
  app.parse(args);
  EXPECT_EQ(flags.credential_flags().token_file, "tok");
  EXPECT_EQ(flags.credential_flags().data_dir, "./data");
}

// CLI11 reads integers with strtoull base 0: "010" would be 8 and "0x10" 16. The bench's integer
// flags take plain decimals only, as sealtrail's do.
TEST(BenchFlagsTest, IntegerFlagsArePlainDecimalsOnly) {
  for (const std::string flag : {"--count", "--concurrency", "--batch", "--seed", "--tenants"}) {
    for (const std::string bad : {"010", "0x10", "1e3", "-1"}) {
      CLI::App app;
      bench::BenchFlags flags(app);
      std::vector<std::string> args = {bad, flag};  // Reversed.
      EXPECT_THROW(app.parse(args), CLI::ValidationError) << flag << " " << bad;
    }
  }
  CLI::App app;
  bench::BenchFlags flags(app);
  std::vector<std::string> args = {"10", "--count", "16", "--concurrency"};  // Reversed.
  app.parse(args);
  ASSERT_OK_AND_ASSIGN(bench::BenchConfig config, flags.ToConfig(nullptr, false));
  EXPECT_EQ(config.concurrency, 16u);
  EXPECT_EQ(config.count, 10u);
}

// ---------------------------------------------------------------------------------------------
// What arrives at a server.

ServerConnection Connection(const RecordingServer& server, ClientCredentials credentials) {
  return ServerConnection{server.address(), absl::Seconds(10), std::move(credentials)};
}

TEST(AuthorizationMetadataTest, EveryUnaryCallCarriesTheBearerToken) {
  RecordingServer server(grpc::InsecureServerCredentials());
  ASSERT_TRUE(server.started());
  ServerClient client(Connection(server, {.bearer_token = kToken}));
  ASSERT_OK(client.GetCheckpoint(0).status());
  ASSERT_OK(client.GetCheckpoint(0).status());
  const std::string expected = absl::StrCat("Bearer ", kToken);
  EXPECT_THAT(server.seen(), ElementsAre(expected, expected));
}

TEST(AuthorizationMetadataTest, StreamsCarryTheBearerToken) {
  RecordingServer server(grpc::InsecureServerCredentials());
  ASSERT_TRUE(server.started());
  ServerClient client(Connection(server, {.bearer_token = kToken}));
  grpc::ClientContext context;
  SetCallDeadline(client.connection(), context);
  auto stream = client.audit_log().AppendStream(&context);
  ASSERT_TRUE(stream->Write(v1::AppendRequest()));
  v1::AppendResponse response;
  ASSERT_TRUE(stream->Read(&response));
  stream->WritesDone();
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_THAT(server.seen(), ElementsAre(absl::StrCat("Bearer ", kToken)));
}

TEST(AuthorizationMetadataTest, NoTokenSendsNoHeaderAndTheErrorSaysHowToGiveOne) {
  RecordingServer server(grpc::InsecureServerCredentials());
  ASSERT_TRUE(server.started());
  ServerClient client(Connection(server, {}));
  EXPECT_THAT(client.GetCheckpoint(0),
              StatusIs(absl::StatusCode::kUnauthenticated,
                       HasSubstr("no token was sent: give --token, --token-file")));
  EXPECT_THAT(server.seen(), ElementsAre(RecordingServer::kNoHeader));
}

// ---------------------------------------------------------------------------------------------
// TLS, with a CA, a server and a client certificate made by the openssl tool.

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeCertificate("ca", "");
    MakeCertificate("server", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    MakeCertificate("client", "extendedKeyUsage=clientAuth");
    MakeCertificate("rogue-ca", "");
  }

  // NAME.key and NAME.pem: a self-signed CA for a name ending in "ca", else a certificate with
  // `extensions` signed by "ca".
  void MakeCertificate(const std::string& name, const std::string& extensions) {
    const std::string key = Path(name + ".key");
    const std::string pem = Path(name + ".pem");
    const bool is_ca = name.size() >= 2 && name.substr(name.size() - 2) == "ca";
    std::vector<std::string> args = {
        "req",    "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", key,  "-subj",    "/CN=" + name};
    if (is_ca) {
      args.insert(args.end(), {"-x509", "-days", "1", "-out", pem});
      Openssl(args);
      return;
    }
    args.insert(args.end(), {"-out", Path(name + ".csr")});
    Openssl(args);
    ASSERT_OK(WriteWholeFile(Path(name + ".ext"), extensions + "\n"));
    Openssl({"x509", "-req", "-in", Path(name + ".csr"), "-CA", Path("ca.pem"), "-CAkey",
             Path("ca.key"), "-CAcreateserial", "-days", "1", "-extfile", Path(name + ".ext"),
             "-out", pem});
  }

  void Openssl(const std::vector<std::string>& args) {
    const ProcessResult result = RunProcess("/usr/bin/openssl", args, "", run_scratch_);
    ASSERT_EQ(result.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << result.err;
  }

  std::string Path(const std::string& name) const { return scratch_.Sub(name); }
  std::string Pem(const std::string& name) const {
    absl::StatusOr<std::string> text = testing::ReadWholeFile(Path(name));
    EXPECT_OK(text.status());
    return text.value_or("");
  }

  std::shared_ptr<grpc::ServerCredentials> ServerTls(bool require_client_certificate) const {
    grpc::SslServerCredentialsOptions options(
        require_client_certificate ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                   : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    options.pem_root_certs = Pem("ca.pem");
    options.pem_key_cert_pairs.push_back({Pem("server.key"), Pem("server.pem")});
    return grpc::SslServerCredentials(options);
  }

  // The credentials the flags give for `server`, read from the files as the CLI reads them.
  ClientCredentials Flags(const RecordingServer& server, CredentialFlags flags) {
    std::ostringstream warnings;
    absl::StatusOr<ClientCredentials> credentials = ResolveClientCredentials(
        Env::Default(), flags, CredentialEnvironment{}, server.address(), warnings);
    EXPECT_OK(credentials.status());
    return credentials.value_or(ClientCredentials{});
  }

  ScratchDir scratch_{"client_tls"};
  ScratchDir run_scratch_{"client_tls_run"};
};

TEST_F(TlsTest, TokenOverTlsVerifiedAgainstTheRootCa) {
  RecordingServer server(ServerTls(/*require_client_certificate=*/false));
  ASSERT_TRUE(server.started());
  ServerClient client(
      Connection(server, Flags(server, {.token = kToken, .tls_ca_file = Path("ca.pem")})));
  ASSERT_OK(client.GetCheckpoint(0).status());
  EXPECT_THAT(server.seen(), ElementsAre(absl::StrCat("Bearer ", kToken)));
}

TEST_F(TlsTest, ServerNotSignedByTheRootCaIsRefused) {
  RecordingServer server(ServerTls(/*require_client_certificate=*/false));
  ASSERT_TRUE(server.started());
  ServerClient client(
      Connection(server, Flags(server, {.token = kToken, .tls_ca_file = Path("rogue-ca.pem")})));
  EXPECT_THAT(client.GetCheckpoint(0), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(server.seen(), IsEmpty());  // The token never left the client.
}

TEST_F(TlsTest, MutualTlsPresentsTheClientCertificate) {
  RecordingServer server(ServerTls(/*require_client_certificate=*/true));
  ASSERT_TRUE(server.started());
  ServerClient client(Connection(server, Flags(server, {.token = kToken,
                                                        .tls_ca_file = Path("ca.pem"),
                                                        .tls_cert_file = Path("client.pem"),
                                                        .tls_key_file = Path("client.key")})));
  ASSERT_OK(client.GetCheckpoint(0).status());
  EXPECT_THAT(server.peer_names(), ElementsAre("client"));

  ServerClient anonymous(
      Connection(server, Flags(server, {.token = kToken, .tls_ca_file = Path("ca.pem")})));
  EXPECT_THAT(anonymous.GetCheckpoint(0), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(server.seen().size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// The built binary, end to end.

TEST(CliCredentialsTest, BinarySendsTheDataDirsDevTokenToALoopbackServer) {
  RecordingServer server(grpc::InsecureServerCredentials());
  ASSERT_TRUE(server.started());
  ScratchDir scratch("client_credentials_cli");
  const std::string data = scratch.Sub("data");
  ASSERT_EQ(::mkdir(data.c_str(), 0700), 0);
  ASSERT_OK(WriteWholeFile(data + "/dev-token", std::string(kToken) + "\n"));
  ASSERT_EQ(::chmod((data + "/dev-token").c_str(), 0600), 0);

  const ProcessResult result =
      RunProcess(SEALTRAIL_CLI_PATH, {"checkpoint", "--server", server.address(), "--data", data},
                 "", scratch);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, RecordingServer::kNote);
  EXPECT_THAT(result.err, IsEmpty());

  const ProcessResult explicit_token = RunProcess(
      SEALTRAIL_CLI_PATH,
      {"checkpoint", "--server", server.address(), "--data", data, "--token", "flag-token"}, "",
      scratch);
  EXPECT_EQ(explicit_token.exit_code, 0) << explicit_token.err;
  EXPECT_THAT(server.seen(), ElementsAre(absl::StrCat("Bearer ", kToken), "Bearer flag-token"));
}

TEST(CliCredentialsTest, BinaryRefusesATokenInPlaintextToARemoteServer) {
  ScratchDir scratch("client_credentials_cli");
  const ProcessResult result = RunProcess(
      SEALTRAIL_CLI_PATH, {"checkpoint", "--server", "192.0.2.1:7700", "--token", "secret-tok"}, "",
      scratch);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("refusing to send a token in plaintext"));
  EXPECT_THAT(result.err, Not(HasSubstr("secret-tok")));
}

}  // namespace
}  // namespace sealtrail::cli
