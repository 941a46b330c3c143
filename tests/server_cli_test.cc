// Tests of the `sealtrail` commands that talk to sealtraild (tools/cli/server_commands.h,
// witness --server): append, prove, checkpoint and witness as library functions against a real
// AuditServer started in-process on 127.0.0.1 port 0, and the built binary (SEALTRAIL_CLI_PATH)
// end to end. Other programs parse the output, so the exact shapes are checked, and every printed
// proof is checked again here with the verifier library. `query` is tested in
// server_cli_query_test.cc; what the CLI does with a server that lies, in
// server_cli_verify_test.cc.
#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cli/output.h"
#include "cli/server_channel.h"
#include "cli/server_commands.h"
#include "cli/witness.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/audit.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/hash.h"
#include "sealtrail/note.h"
#include "sealtrail/tlog_proof.h"
#include "server/record/record.h"
#include "server_cli_fixture.h"
#include "testing/file_util.h"
#include "testing/json_lines.h"
#include "testing/run_process.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {
namespace {

using ::sealtrail::testing::Keys;
using ::sealtrail::testing::OnlyLine;
using ::sealtrail::testing::ProcessResult;
using ::sealtrail::testing::RunProcess;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

TEST(ServerAddressTest, FlagThenEnvironmentThenDefault) {
  EXPECT_EQ(ResolveServerAddress(std::string("10.0.0.1:1"), "10.0.0.2:2"), "10.0.0.1:1");
  EXPECT_EQ(ResolveServerAddress(std::nullopt, "10.0.0.2:2"), "10.0.0.2:2");
  EXPECT_EQ(ResolveServerAddress(std::nullopt, ""), "127.0.0.1:7700");
  EXPECT_EQ(ResolveServerAddress(std::nullopt, nullptr), "127.0.0.1:7700");
}

TEST(ServerStatusTest, GrpcCodesKeepTheirMeaningAndExitCode) {
  const ServerConnection server{"127.0.0.1:9"};
  EXPECT_OK(FromGrpcStatus(grpc::Status::OK, server));
  const absl::Status data_loss =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::DATA_LOSS, "segment 3 is damaged"), server);
  EXPECT_THAT(data_loss, StatusIs(absl::StatusCode::kDataLoss, "segment 3 is damaged"));
  EXPECT_EQ(ExitCodeForStatus(data_loss), kExitDataLoss);
  EXPECT_EQ(ExitCodeForStatus(FromGrpcStatus(
                grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "tenant_id is required"), server)),
            kExitInvalidInput);
  EXPECT_EQ(ExitCodeForStatus(
                FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "no checkpoint"), server)),
            kExitInvalidInput);
  // The server refusing the caller is a permission error (exit 5), not a failed verification:
  // only a signature that does not verify here is 3.
  const absl::Status refused =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad token"), server);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("bad token")));
  EXPECT_EQ(ExitCodeForStatus(refused), kExitPermission);
  EXPECT_EQ(ExitCodeForStatus(WithContext(refused, "appended 3 of 9 records")), kExitPermission);
  EXPECT_EQ(ExitCodeForStatus(FromGrpcStatus(
                grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no tenant globex"), server)),
            kExitPermission);
  EXPECT_EQ(ExitCodeForStatus(absl::UnauthenticatedError("the signature does not verify")),
            kExitDataLoss);
  EXPECT_EQ(ExitCodeForStatus(absl::PermissionDeniedError("open key.pem: Permission denied")),
            kExitPermission);
  EXPECT_THAT(FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "refused"), server),
              StatusIs(absl::StatusCode::kUnavailable, "server at 127.0.0.1:9: refused"));
  for (int code = 0; code <= 16; ++code) {
    EXPECT_EQ(static_cast<int>(FromGrpcCode(static_cast<grpc::StatusCode>(code))), code);
  }
}

TEST(ServerStatusTest, UnreachableServerIsUnavailableNamingTheAddress) {
  ServerClient client(ServerConnection{"127.0.0.1:1"});
  std::ostringstream out;
  const absl::Status status = RunServerCheckpoint(client, std::nullopt, out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("127.0.0.1:1")));
  EXPECT_EQ(ExitCodeForStatus(status), kExitInternal);
  EXPECT_THAT(out.str(), IsEmpty());
}

TEST(RecordFlagsTest, RejectsBadIdsAndOutcomes) {
  RecordFlags flags;
  flags.trace_id = "4bf92f35";
  EXPECT_THAT(RecordFromFlags(flags),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--trace-id")));
  flags.trace_id = kTraceHex;
  flags.span_id = "zz";
  EXPECT_THAT(RecordFromFlags(flags),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--span-id")));
  flags.span_id = kSpanHex;
  flags.outcome = "MAYBE";
  EXPECT_THAT(RecordFromFlags(flags),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("SUCCESS, FAILURE, DENIED")));
  EXPECT_THAT(ParseOutcome("RESULT_UNSPECIFIED"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseOutcome("denied"), ::sealtrail::testing::IsOkAndHolds(v1::Outcome::DENIED));
}

TEST_F(ServerCliTest, AppendFromJsonLinesPrintsOneLinePerRecordInOrder) {
  const std::vector<v1::AuditRecord> records = {
      MakeRecord("acme", "alice", "call.barge"), MakeRecord("acme", "bob", "auth.login"),
      MakeRecord("globex", "carol", "config.update", v1::Outcome::DENIED)};
  const std::vector<JsonLine> lines = Append(records);
  ASSERT_EQ(lines.size(), 3u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_THAT(Keys(lines[i]), ElementsAre("seq", "leaf_hash", "tree_size"));
    EXPECT_EQ(lines[i]["seq"], i);
    EXPECT_GE(lines[i]["tree_size"].get<uint64_t>(), i + 1);
  }
  // The printed leaf hashes are those of the stored bytes, which hold the records.
  const std::vector<JsonLine> stored = QueryJson({.tenant = "acme", .oldest_first = true});
  ASSERT_EQ(stored.size(), 2u);
  for (size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ(stored[i]["leaf_hash"], lines[i]["leaf_hash"]);
    EXPECT_EQ(WithoutCommitTime(RecordOf(stored[i])).SerializeAsString(),
              testing::AsStored(records[i]).SerializeAsString());
  }
}

TEST_F(ServerCliTest, AppendOfManyRecordsUsesSeveralRequestsAndKeepsOrder) {
  std::vector<v1::AuditRecord> records;
  const size_t n = 4 * kAppendRequestRecords + 7;
  for (size_t i = 0; i < n; ++i) {
    records.push_back(MakeRecord("acme", absl::StrCat("agent-", i), "call.barge"));
  }
  const std::vector<JsonLine> lines = Append(records);
  ASSERT_EQ(lines.size(), n);
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(lines[i]["seq"], i);
}

TEST_F(ServerCliTest, AppendOfNoLinesSendsNothing) {
  std::istringstream in("");
  std::ostringstream out;
  EXPECT_OK(RunServerAppend(client(), in, out));
  EXPECT_THAT(out.str(), IsEmpty());
}

// Input is streamed, so a bad line cannot undo what came before it: the run stops at the bad
// line, the lines before it are appended and acknowledged, nothing after it is sent, and the
// error names the line and says where to resume.
TEST_F(ServerCliTest, BadLineStopsTheRunThereAndSaysWhatIsAppended) {
  const std::string good = JsonLinesOf({MakeRecord("acme", "alice", "call.barge")});
  size_t stored = 0;
  for (const auto& [input, line, problem] : std::vector<std::tuple<std::string, int, std::string>>{
           {"{not json\n" + good, 1, ""},
           {good + "{not json\n" + good, 2, ""},
           {good + good + R"({"context":{"tenantId":"acme"}})" + "\n" + good, 3, "actor"},
           {good + R"({"context":{"tenantId":"acme","sourceIp":"nowhere"}})"
                   "\n",
            2, ""},
           {good + "\n" + good, 2, "empty"},
           {good + std::string(kMaxJsonLineBytes + 1, ' ') + "\n" + good, 2, "longer than"},
       }) {
    std::istringstream in(input);
    std::ostringstream out;
    const absl::Status status = RunServerAppend(client(), in, out);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr(absl::StrCat("line ", line, " of the input"))));
    EXPECT_EQ(ExitCodeForStatus(status), kExitInvalidInput);
    EXPECT_THAT(std::string(status.message()), HasSubstr(problem));
    if (line == 1) {
      EXPECT_THAT(std::string(status.message()), StartsWith("nothing appended"));
    } else {
      EXPECT_THAT(std::string(status.message()),
                  HasSubstr(absl::StrCat("lines 1 to ", line - 1, " are appended")));
    }
    // One acknowledgement per line before the bad one, in order; none after.
    EXPECT_EQ(JsonLines(out.str()).size(), static_cast<size_t>(line - 1)) << input.size();
    stored += line - 1;
  }
  EXPECT_EQ(QueryJson({.tenant = "acme"}).size(), stored);
}

TEST_F(ServerCliTest, AppendWithFlagsSendsTheOneRecordTheyDescribe) {
  RecordFlags flags;
  flags.tenant = "acme";
  flags.actor = "agent-4711";
  flags.action = "call.barge";
  flags.route = "/v2/calls/barge";
  flags.method = "POST";
  flags.outcome = "DENIED";
  flags.resource_type = "call";
  flags.resource_id = "call-42";
  flags.reason = "missing permission calls.barge";
  flags.status_code = 403;
  flags.trace_id = kTraceHex;
  flags.span_id = kSpanHex;
  flags.source_ip = "2001:db8::7";
  std::ostringstream out;
  ASSERT_OK(RunServerAppendRecord(client(), flags, out));
  const JsonLine line = OnlyLine(out.str());
  EXPECT_THAT(Keys(line), ElementsAre("seq", "leaf_hash", "tree_size"));
  EXPECT_EQ(line["seq"], 0);

  const JsonLine stored = OnlyLine([&] {
    std::ostringstream query_out;
    EXPECT_OK(RunQuery(client(), {.tenant = "acme", .format = "json"}, query_out));
    return query_out.str();
  }());
  const v1::AuditRecord record = RecordOf(stored);
  EXPECT_EQ(record.actor().user_id(), "agent-4711");
  EXPECT_EQ(record.actor().service(), kDevTokenSubject);  // The caller, whatever it sent.
  EXPECT_EQ(record.action().name(), "call.barge");
  EXPECT_EQ(record.action().route(), "/v2/calls/barge");
  EXPECT_EQ(record.action().method(), "POST");
  EXPECT_EQ(record.action().resource_type(), "call");
  EXPECT_EQ(record.action().resource_id(), "call-42");
  EXPECT_EQ(record.outcome().result(), v1::Outcome::DENIED);
  EXPECT_EQ(record.outcome().reason(), "missing permission calls.barge");
  EXPECT_EQ(record.outcome().status_code(), 403);
  EXPECT_EQ(absl::BytesToHexString(record.correlation().trace_id()), kTraceHex);
  EXPECT_EQ(absl::BytesToHexString(record.correlation().span_id()), kSpanHex);
  EXPECT_EQ(record.context().source_ip(), "127.0.0.1");  // The peer, whatever it sent.
  EXPECT_GT(record.context().commit_time_ns(), 0);
  EXPECT_EQ(stored["leaf_hash"], line["leaf_hash"]);

  // A service acting on its own: only --service, which the server replaces with the caller's
  // subject, so the caller is that service.
  RecordFlags service_flags{
      .tenant = "acme", .service = "call-control", .action = "call.end", .outcome = "SUCCESS"};
  ServerConnection as_service = ConnectionTo(*server_);
  as_service.credentials.bearer_token = server_->Token("call-control", {"appender"}, {"acme"});
  ServerClient service_client(as_service);
  std::ostringstream service_out;
  ASSERT_OK(RunServerAppendRecord(service_client, service_flags, service_out));
  EXPECT_EQ(OnlyLine(service_out.str())["seq"], 1);
  const std::vector<JsonLine> by_service = QueryJson({.tenant = "acme", .actor = "call-control"});
  ASSERT_EQ(by_service.size(), 1u);
  EXPECT_EQ(RecordOf(by_service[0]).actor().service(), "call-control");
}

TEST_F(ServerCliTest, AppendWithFlagsIsValidatedBeforeSending) {
  std::ostringstream out;
  EXPECT_THAT(RunServerAppendRecord(client(), {.tenant = "acme", .actor = "a"}, out),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("action.name")));
  EXPECT_THAT(out.str(), IsEmpty());
  EXPECT_THAT(QueryJson({.tenant = "acme"}), IsEmpty());
}

TEST_F(ServerCliTest, ProveBySeqAndByLeafHashVerifyAgainstTheSignedCheckpoint) {
  const std::vector<JsonLine> appended = Append(MixedRecords());
  for (const uint64_t seq : {0, 7, 23}) {
    std::ostringstream by_seq;
    ASSERT_OK(
        RunServerProveInclusion(Env::Default(), client(), {.seq = seq}, {.vkey = vkey()}, by_seq));
    const JsonLine line = OnlyLine(by_seq.str());
    EXPECT_THAT(Keys(line), ElementsAre("leaf_index", "tree_size", "leaf_hash", "root", "path"));
    EXPECT_EQ(line["leaf_index"], seq);
    EXPECT_EQ(line["leaf_hash"], appended[seq]["leaf_hash"]);
    absl::StatusOr<InclusionEvidence> evidence = InclusionEvidenceFromJson(line);
    ASSERT_TRUE(evidence.ok()) << evidence.status();
    EXPECT_OK(CheckEvidence(*evidence));

    // By leaf hash, base64 and hex, at the same size: the same proof.
    const Hash leaf_hash = FromBase64(appended[seq]["leaf_hash"]);
    for (const std::string& text :
         {HashToBase64(leaf_hash), absl::BytesToHexString(std::string(AsStringView(leaf_hash)))}) {
      std::ostringstream by_hash;
      ASSERT_OK(RunServerProveInclusion(Env::Default(), client(),
                                        {.leaf_hash = text, .tree_size = evidence->proof.tree_size},
                                        {.vkey = vkey()}, by_hash));
      EXPECT_EQ(by_hash.str(), by_seq.str());
    }
  }
}

// `prove --format tlog-proof` writes c2sp.org/tlog-proof@v1, which the verifier library (and any
// transparency-log tool that speaks the format) checks with nothing but the log's key.
TEST_F(ServerCliTest, ProveWritesATlogProofThatVerifiesOffline) {
  const std::vector<JsonLine> appended = Append(MixedRecords());
  ASSERT_OK_AND_ASSIGN(NoteVerifierKey key, ParseNoteVerifierKey(vkey()));
  for (const uint64_t seq : {0, 7, 23}) {
    std::ostringstream out;
    ASSERT_OK(RunServerProveInclusion(Env::Default(), client(), {.seq = seq}, {.vkey = vkey()}, out,
                                      ProofFormat::kTlogProof));
    ASSERT_TRUE(
        absl::StartsWith(out.str(), absl::StrCat("c2sp.org/tlog-proof@v1\nindex ", seq, "\n")))
        << out.str();
    ASSERT_OK_AND_ASSIGN(TlogProof proof, ParseTlogProof(out.str()));
    const Hash leaf_hash = FromBase64(appended[seq]["leaf_hash"]);
    ASSERT_OK_AND_ASSIGN(Checkpoint checkpoint, VerifyTlogProof(proof, leaf_hash, key));
    EXPECT_GT(checkpoint.size, seq);
    // Another record's leaf does not verify with this proof.
    EXPECT_FALSE(
        VerifyTlogProof(proof, FromBase64(appended[seq == 0 ? 1 : seq - 1]["leaf_hash"]), key)
            .ok());
  }
}

TEST_F(ServerCliTest, ProveConsistencyVerifiesAgainstTheSignedCheckpoint) {
  Append(MixedRecords());
  const std::string first_note = AwaitCheckpoint(24);
  const std::optional<Checkpoint> first = PeekCheckpoint(first_note);
  ASSERT_TRUE(first.has_value());
  Append(MixedRecords());
  AwaitCheckpoint(48);
  for (const std::optional<uint64_t> new_size :
       {std::optional<uint64_t>(), std::optional<uint64_t>(48)}) {
    std::ostringstream out;
    ASSERT_OK(RunServerProveConsistency(Env::Default(), client(), first->size, new_size,
                                        {.vkey = vkey()}, out));
    const JsonLine line = OnlyLine(out.str());
    EXPECT_THAT(Keys(line), ElementsAre("old_size", "new_size", "old_root", "new_root", "path"));
    EXPECT_EQ(line["old_size"], first->size);
    EXPECT_EQ(FromBase64(line["old_root"]), first->root);
    absl::StatusOr<ConsistencyEvidence> evidence = ConsistencyEvidenceFromJson(line);
    ASSERT_TRUE(evidence.ok()) << evidence.status();
    EXPECT_OK(CheckEvidence(*evidence));
  }
}

TEST_F(ServerCliTest, ProveWithTheWrongKeyOrAMissingRecordFails) {
  Append(MixedRecords());
  std::ostringstream other_key;
  ASSERT_OK(RunKeygen(Env::Default(), "other.example/log", scratch_.Sub("other.key"), other_key));
  std::ostringstream out;
  const absl::Status wrong_key = RunServerProveInclusion(
      Env::Default(), client(), {.seq = 3},
      {.vkey = std::string(absl::StripTrailingAsciiWhitespace(other_key.str()))}, out);
  EXPECT_EQ(ExitCodeForStatus(wrong_key), kExitDataLoss) << wrong_key;
  const absl::Status missing =
      RunServerProveInclusion(Env::Default(), client(), {.seq = 1000}, {}, out);
  EXPECT_EQ(ExitCodeForStatus(missing), kExitInvalidInput) << missing;
  EXPECT_THAT(std::string(missing.message()), Not(IsEmpty()));
  EXPECT_THAT(
      RunServerProveInclusion(Env::Default(), client(), {.seq = 1, .tree_size = 0}, {}, out),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--size")));
  EXPECT_THAT(RunServerProveInclusion(Env::Default(), client(), {.leaf_hash = "abc"}, {}, out),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--leaf-hash")));
  EXPECT_THAT(out.str(), IsEmpty());
}

TEST_F(ServerCliTest, CheckpointPrintsTheSignedNoteExactly) {
  Append(MixedRecords());
  const std::string latest = AwaitCheckpoint(24);
  std::ostringstream out;
  ASSERT_OK(RunServerCheckpoint(client(), std::nullopt, out));
  absl::StatusOr<NoteVerifierKey> key = ParseNoteVerifierKey(vkey());
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<Checkpoint> checkpoint = VerifyCheckpoint(out.str(), *key);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_GE(checkpoint->size, 24u);
  std::ostringstream sized;
  ASSERT_OK(RunServerCheckpoint(client(), checkpoint->size, sized));
  EXPECT_EQ(sized.str(), out.str());
  EXPECT_THAT(RunServerCheckpoint(client(), 5, sized), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ServerCliTest, WitnessAgainstTheServerAdvancesItsState) {
  Append(MixedRecords());
  AwaitCheckpoint(24);
  const WitnessArgs args{scratch_.Sub("witness.note"), vkey(), ""};
  std::ostringstream first;
  ASSERT_OK(RunWitness(Env::Default(), args, CandidateFromServer(client().connection()), first));
  const JsonLine accepted = OnlyLine(first.str());
  EXPECT_EQ(accepted["accepted"], true);
  EXPECT_TRUE(accepted["old_size"].is_null());
  const uint64_t first_size = accepted["new_size"].get<uint64_t>();

  Append(MixedRecords());
  AwaitCheckpoint(first_size + 24);
  std::ostringstream second;
  ASSERT_OK(RunWitness(Env::Default(), args, CandidateFromServer(client().connection()), second));
  const JsonLine advanced = OnlyLine(second.str());
  EXPECT_EQ(advanced["accepted"], true);
  EXPECT_EQ(advanced["old_size"], first_size);
  EXPECT_GE(advanced["new_size"].get<uint64_t>(), first_size + 24);
  std::ostringstream latest;
  ASSERT_OK(RunServerCheckpoint(client(), advanced["new_size"].get<uint64_t>(), latest));
  EXPECT_THAT(testing::ReadWholeFile(args.state_file),
              ::sealtrail::testing::IsOkAndHolds(latest.str()));
}

// The built binary, end to end: flags, the environment's address, output and exit codes.
TEST_F(ServerCliTest, BinaryAppendsQueriesAndProves) {
  const std::string cli = SEALTRAIL_CLI_PATH;
  ScratchDir io("server_cli_io");
  // The server's data directory: the CLI takes its dev token for a loopback server from there.
  ASSERT_EQ(setenv("SEALTRAIL_DATA", scratch_.Sub("data").c_str(), 1), 0);
  const ProcessResult appended = RunProcess(cli, {"append", "--server", server_->address()},
                                            JsonLinesOf({MakeRecord("acme", "alice", "call.barge"),
                                                         MakeRecord("acme", "bob", "auth.login")}),
                                            io);
  ASSERT_EQ(appended.exit_code, 0) << appended.err;
  EXPECT_THAT(Seqs(JsonLines(appended.out)), ElementsAre(0, 1));

  const ProcessResult flagged =
      RunProcess(cli,
                 {"append", "--server", server_->address(), "--tenant", "acme", "--actor", "carol",
                  "--action", "call.barge", "--outcome", "DENIED", "--status-code", "403"},
                 "", io);
  ASSERT_EQ(flagged.exit_code, 0) << flagged.err;
  EXPECT_EQ(OnlyLine(flagged.out)["seq"], 2);

  ASSERT_EQ(setenv("SEALTRAIL_SERVER", server_->address().c_str(), 1), 0);
  const ProcessResult queried =
      RunProcess(cli, {"query", "--tenant", "acme", "--format", "json", "--with-proofs"}, "", io);
  const ProcessResult proved = RunProcess(cli, {"prove", "--seq", "2", "--vkey", vkey()}, "", io);
  ASSERT_EQ(unsetenv("SEALTRAIL_SERVER"), 0);
  ASSERT_EQ(queried.exit_code, 0) << queried.err;
  EXPECT_THAT(Seqs(JsonLines(queried.out)), ElementsAre(2, 1, 0));
  ASSERT_EQ(proved.exit_code, 0) << proved.err;
  EXPECT_EQ(OnlyLine(proved.out)["leaf_index"], 2);
  // The printed proof and checkpoint are what the offline verifier takes.
  const std::string proof_file = io.Sub("proof.json");
  ASSERT_OK(testing::WriteWholeFile(proof_file, proved.out));
  const ProcessResult note =
      RunProcess(cli,
                 {"checkpoint", "--server", server_->address(), "--size",
                  absl::StrCat(OnlyLine(proved.out)["tree_size"].get<uint64_t>())},
                 "", io);
  ASSERT_EQ(note.exit_code, 0) << note.err;
  const ProcessResult verified = RunProcess(
      cli, {"verify-proof", "--vkey", vkey(), "--checkpoint", "-", "--inclusion", proof_file},
      note.out, io);
  EXPECT_EQ(verified.exit_code, 0) << verified.err;

  const ProcessResult bad_line =
      RunProcess(cli, {"append", "--server", server_->address()}, "{\"context\":{}}\n", io);
  EXPECT_EQ(bad_line.exit_code, kExitInvalidInput);
  EXPECT_THAT(bad_line.err, HasSubstr("line 1 of the input"));
  const ProcessResult unreachable =
      RunProcess(cli, {"checkpoint", "--server", "127.0.0.1:1"}, "", io);
  EXPECT_EQ(unreachable.exit_code, kExitInternal);
  EXPECT_THAT(unreachable.err, HasSubstr("127.0.0.1:1"));
  for (const std::string command : {"append", "query", "prove", "checkpoint", "witness"}) {
    const ProcessResult help = RunProcess(cli, {command, "--help"}, "", io);
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_THAT(help.out, HasSubstr("Examples:\n  sealtrail " + command));
  }
  ASSERT_EQ(unsetenv("SEALTRAIL_DATA"), 0);
}

// Global flags before the command (as git and kubectl users type them), relative times, and the
// permission exit code, through the built binary.
TEST_F(ServerCliTest, BinaryTakesGlobalFlagsFirstRelativeTimesAndExitsFiveWhenRefused) {
  const std::string cli = SEALTRAIL_CLI_PATH;
  ScratchDir io("server_cli_io");
  const std::string data = scratch_.Sub("data");
  const ProcessResult appended = RunProcess(
      cli, {"--server", server_->address(), "--data", data, "append"},
      JsonLinesOf({MakeRecord("acme", "alice", "call.barge"), MakeRecord("globex", "bob", "x.y")}),
      io);
  ASSERT_EQ(appended.exit_code, 0) << appended.err;
  EXPECT_THAT(Seqs(JsonLines(appended.out)), ElementsAre(0, 1));

  const ProcessResult last_hour =
      RunProcess(cli,
                 {"--server=" + server_->address(), "--data", data, "query", "--tenant", "acme",
                  "--format", "json", "--from", "1h", "--to", "now"},
                 "", io);
  ASSERT_EQ(last_hour.exit_code, 0) << last_hour.err;
  EXPECT_THAT(Seqs(JsonLines(last_hour.out)), ElementsAre(0));
  const ProcessResult since_1970 =
      RunProcess(cli,
                 {"--server", server_->address(), "query", "--data", data, "--tenant", "acme",
                  "--format", "json", "--from", "1970-01-02"},
                 "", io);
  ASSERT_EQ(since_1970.exit_code, 0) << since_1970.err;
  EXPECT_THAT(Seqs(JsonLines(since_1970.out)), ElementsAre(0));

  // A range that holds no time is an error naming both ends, not an empty table.
  const ProcessResult reversed =
      RunProcess(cli,
                 {"--server", server_->address(), "--data", data, "query", "--tenant", "acme",
                  "--from", "2026-03-02", "--to", "2026-03-01"},
                 "", io);
  EXPECT_EQ(reversed.exit_code, kExitInvalidInput);
  EXPECT_THAT(reversed.err, HasSubstr("--from '2026-03-02' (2026-03-02T00:00:00.000000000Z)"));
  EXPECT_THAT(reversed.err, HasSubstr("--to '2026-03-01' (2026-03-01T00:00:00.000000000Z)"));
  EXPECT_THAT(reversed.out, IsEmpty());

  // The same flag in both places: which was meant cannot be told.
  const ProcessResult twice = RunProcess(
      cli, {"--server", server_->address(), "checkpoint", "--server", server_->address()}, "", io);
  EXPECT_EQ(twice.exit_code, kExitUsage);
  EXPECT_THAT(twice.err, HasSubstr("--server is given both before and after the command "
                                   "'checkpoint'"));
  // A command that does not take the flag rejects it wherever it is.
  const ProcessResult keygen = RunProcess(
      cli, {"--server", server_->address(), "keygen", "--name", "n", "--out", io.Sub("k")}, "", io);
  EXPECT_EQ(keygen.exit_code, kExitUsage);

  // Refused by the server: a token it does not accept (UNAUTHENTICATED), and a tenant the
  // caller may not read (PERMISSION_DENIED). Both exit 5, the permission error.
  const ProcessResult bad_token = RunProcess(
      cli, {"--server", server_->address(), "--token", "not-a-jwt", "checkpoint"}, "", io);
  EXPECT_EQ(bad_token.exit_code, kExitPermission) << bad_token.err;
  EXPECT_THAT(bad_token.err, Not(HasSubstr("not-a-jwt")));
  const ProcessResult minted = RunProcess(
      cli, {"dev-token", "--data", data, "--sub", "alice", "--role", "auditor", "--tenant", "acme"},
      "", io);
  ASSERT_EQ(minted.exit_code, 0) << minted.err;
  const std::string token_file = io.Sub("alice.jwt");
  ASSERT_OK(testing::WriteWholeFile(token_file, minted.out));
  ASSERT_EQ(chmod(token_file.c_str(), 0600), 0);
  const ProcessResult other_tenant = RunProcess(
      cli,
      {"--token-file", token_file, "--server", server_->address(), "query", "--tenant", "globex"},
      "", io);
  EXPECT_EQ(other_tenant.exit_code, kExitPermission) << other_tenant.err;
  const ProcessResult own_tenant =
      RunProcess(cli,
                 {"--token-file", token_file, "--server", server_->address(), "query", "--tenant",
                  "acme", "--format", "json"},
                 "", io);
  EXPECT_EQ(own_tenant.exit_code, 0) << own_tenant.err;
  for (const std::string command : {"append", "query", "prove", "checkpoint", "export"}) {
    const ProcessResult help = RunProcess(cli, {command, "--help"}, "", io);
    EXPECT_THAT(help.out, HasSubstr("5  permission denied")) << command;
  }
}

}  // namespace
}  // namespace sealtrail::cli
