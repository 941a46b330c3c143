// Tests of the `sealtrail` tool: the library functions behind `sealtrail local ...` called
// directly with string streams, and the built binary run as a child process (its path comes from
// SEALTRAIL_CLI_PATH) for flags, exit codes and stdout/stderr. Other programs parse the tool's
// output, so the exact JSON shapes are tested here, and every printed proof is checked with the
// standalone verifier.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/demo.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/flags.h"
#include "cli/global_flags.h"
#include "cli/local_commands.h"
#include "cli/output.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/merkle_proof.h"
#include "testing/data_dir_layout.h"
#include "testing/file_util.h"
#include "testing/json_lines.h"
#include "testing/reference_merkle.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {
namespace {

using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::JsonLines;
using ::sealtrail::testing::Keys;
using ::sealtrail::testing::OnlyLine;
using ::sealtrail::testing::StatusIs;

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// RFC 9162 root of the first `size` records, from the tests' independent reference.
Hash ReferenceRoot(const std::vector<std::string>& records, size_t size) {
  return testing::RefMth(absl::MakeConstSpan(records).first(size));
}

std::vector<std::string> MakeRecords(size_t n, size_t first = 0) {
  std::vector<std::string> records;
  for (size_t i = first; i < first + n; ++i) records.push_back(absl::StrCat("record-", i));
  return records;
}

std::string Lines(const std::vector<std::string>& records) {
  std::string text;
  for (const std::string& record : records) absl::StrAppend(&text, record, "\n");
  return text;
}

// Creates `dir` with 2^k leaves per segment (so small logs have sealed segments) and appends.
void CreateLog(const std::string& dir, uint32_t leaves_per_segment_log2,
               const std::vector<std::string>& records) {
  LogOptions options;
  options.leaves_per_segment_log2 = leaves_per_segment_log2;
  options.sync = SyncPolicy::kNone;
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(options, dir);
  ASSERT_TRUE(log.ok()) << log.status();
  if (records.empty()) return;
  absl::StatusOr<AppendSummary> appended = AppendRecords(**log, records);
  ASSERT_TRUE(appended.ok()) << appended.status();
}

Hash FromBase64(const Json& text) {
  absl::StatusOr<Hash> hash = HashFromBase64(text.get<std::string>());
  EXPECT_TRUE(hash.ok()) << hash.status();
  return hash.ok() ? *hash : Hash{};
}

// ---- Exit codes and flags ----

TEST(ExitCodeTest, EachStatusClassHasItsDocumentedCode) {
  EXPECT_EQ(ExitCodeForStatus(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCodeForStatus(absl::NotFoundError("x")), 2);
  EXPECT_EQ(ExitCodeForStatus(absl::OutOfRangeError("x")), 2);
  EXPECT_EQ(ExitCodeForStatus(absl::InvalidArgumentError("x")), 2);
  EXPECT_EQ(ExitCodeForStatus(absl::AlreadyExistsError("key file exists")), 2);
  EXPECT_EQ(ExitCodeForStatus(absl::DataLossError("x")), 3);
  // A signature, key or origin that does not verify is a failed verification too.
  EXPECT_EQ(ExitCodeForStatus(absl::UnauthenticatedError("bad signature")), 3);
  // FAILED_PRECONDITION keeps its general meaning (e.g. a locked directory).
  EXPECT_EQ(ExitCodeForStatus(absl::FailedPreconditionError("x")), 4);
  EXPECT_EQ(ExitCodeForStatus(absl::UnknownError("x")), 4);
  EXPECT_EQ(ExitCodeForStatus(absl::InternalError("x")), 4);
  // A permission error has its own code, whatever its context says.
  EXPECT_EQ(ExitCodeForStatus(absl::PermissionDeniedError("open key: Permission denied")), 5);
  EXPECT_EQ(ExitCodeForStatus(WithContext(absl::PermissionDeniedError("x"), "reading the key")), 5);
  // The server's UNAUTHENTICATED (a token refused) is a permission error, not a bad signature.
  EXPECT_EQ(ExitCodeForStatus(MarkFromServer(absl::UnauthenticatedError("token expired"))), 5);
  EXPECT_EQ(ExitCodeForStatus(WithContext(MarkFromServer(absl::UnauthenticatedError("x")), "c")),
            5);
  EXPECT_EQ(ExitCodeForStatus(MarkFromServer(absl::DataLossError("x"))), 3);
  EXPECT_OK(MarkFromServer(absl::OkStatus()));
}

TEST(ExitCodeTest, ReportStatusPrefixesTheMessage) {
  std::ostringstream err;
  EXPECT_EQ(ReportStatus(absl::DataLossError("chain broken at 7"), err), 3);
  EXPECT_EQ(err.str(), "sealtrail: chain broken at 7\n");
  std::ostringstream quiet;
  EXPECT_EQ(ReportStatus(absl::OkStatus(), quiet), 0);
  EXPECT_EQ(quiet.str(), "");
}

TEST(FlagsTest, DecimalUint64AcceptsPlainDecimalsOnly) {
  EXPECT_EQ(CheckDecimalUint64("0"), "");
  EXPECT_EQ(CheckDecimalUint64("42"), "");
  EXPECT_EQ(CheckDecimalUint64("18446744073709551615"), "");
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "010", "0x10", "1e3", "abc",
                          "18446744073709551616", "99999999999999999999999"}) {
    EXPECT_NE(CheckDecimalUint64(bad), "") << "'" << bad << "'";
  }
}

TEST(GlobalFlagsTest, FlagsBeforeTheCommandMoveAfterItsLastName) {
  CLI::App app("test");
  CLI::App* local = app.add_subcommand("local");
  local->add_subcommand("verify");
  app.add_subcommand("query");
  using Args = std::vector<std::string>;
  const auto hoisted = [&app](Args args) { return HoistGlobalFlags(app, std::move(args)); };
  EXPECT_THAT(hoisted({"--server", "h:1", "query", "--tenant", "a"}),
              IsOkAndHolds(Args{"query", "--server", "h:1", "--tenant", "a"}));
  EXPECT_THAT(hoisted({"--server=h:1", "--token-file", "f", "query"}),
              IsOkAndHolds(Args{"query", "--server=h:1", "--token-file", "f"}));
  EXPECT_THAT(hoisted({"--data", "d", "local", "verify"}),
              IsOkAndHolds(Args{"local", "verify", "--data", "d"}));
  EXPECT_THAT(hoisted({"local", "--data", "d", "verify", "--x"}),
              IsOkAndHolds(Args{"local", "verify", "--data", "d", "--x"}));
  // After the command, as before; nothing to move; no command; other flags stop the moving.
  for (const Args& unchanged : std::vector<Args>{{"query", "--server", "h:1"},
                                                 {"query", "--tenant", "a"},
                                                 {"--server", "h:1"},
                                                 {"--help", "--server", "h:1", "query"},
                                                 {"--server", "h:1", "frobnicate"},
                                                 {"--server"},
                                                 {}}) {
    EXPECT_THAT(hoisted(unchanged), IsOkAndHolds(unchanged)) << absl::StrJoin(unchanged, " ");
  }
  // Both before and after: a usage error naming the flag and the command.
  EXPECT_THAT(hoisted({"--server", "a:1", "query", "--server=b:2"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--server is given both before and after the command 'query'")));
  EXPECT_THAT(hoisted({"--data", "a", "local", "verify", "--data", "b"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'local verify'")));
  // What follows "--" is not a flag.
  EXPECT_THAT(hoisted({"--token", "t", "query", "--", "--token"}),
              IsOkAndHolds(Args{"query", "--token", "t", "--", "--token"}));
}

// ---- Reading input ----

TEST(ReadRecordLinesTest, SplitsAtNewlinesAndKeepsOtherBytes) {
  const char kInput[] = "a\nb\r\nc\0d\nlast";
  std::istringstream in(std::string(kInput, sizeof(kInput) - 1));
  absl::StatusOr<std::vector<std::string>> records = ReadRecordLines(in, 1024);
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(*records, ElementsAre("a", "b\r", std::string("c\0d", 3), "last"));
}

TEST(ReadRecordLinesTest, EmptyInputIsNoRecords) {
  std::istringstream in("");
  absl::StatusOr<std::vector<std::string>> records = ReadRecordLines(in, 1024);
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty());
}

TEST(ReadRecordLinesTest, EmptyLineIsRejectedWithItsLineNumber) {
  std::istringstream in("a\nb\n\nc\n");
  absl::StatusOr<std::vector<std::string>> records = ReadRecordLines(in, 1024);
  EXPECT_EQ(records.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(records.status().message(), HasSubstr("line 3"));
}

TEST(ReadRecordLinesTest, OversizedLineIsRejected) {
  std::istringstream in("short\n" + std::string(11, 'x') + "\n");
  absl::StatusOr<std::vector<std::string>> records = ReadRecordLines(in, 10);
  EXPECT_EQ(records.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(records.status().message(), HasSubstr("line 2"));
}

// ---- append ----

TEST(AppendCommandTest, PrintsFirstIndexCountAndTreeSize) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  std::istringstream in1("one\ntwo\nthree\n");
  std::ostringstream out1;
  ASSERT_TRUE(RunAppend(dir, in1, out1).ok());
  EXPECT_EQ(out1.str(), "{\"first_index\":0,\"count\":3,\"tree_size\":3}\n");

  std::istringstream in2("four\nfive");
  std::ostringstream out2;
  ASSERT_TRUE(RunAppend(dir, in2, out2).ok());
  EXPECT_EQ(out2.str(), "{\"first_index\":3,\"count\":2,\"tree_size\":5}\n");

  std::ostringstream root;
  ASSERT_TRUE(RunRoot(dir, std::nullopt, root).ok());
  const std::vector<std::string> all = {"one", "two", "three", "four", "five"};
  EXPECT_EQ(root.str(), absl::StrCat("{\"tree_size\":5,\"root\":\"",
                                     HashToBase64(ReferenceRoot(all, 5)), "\"}\n"));
}

TEST(AppendCommandTest, EmptyLineAppendsNothingAndCreatesNothing) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  std::istringstream in("one\n\nthree\n");
  std::ostringstream out;
  absl::Status status = RunAppend(dir, in, out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("line 2"));
  EXPECT_THAT(status.message(), HasSubstr("nothing appended"));
  EXPECT_EQ(out.str(), "");
  EXPECT_FALSE(fs::exists(dir));

  CreateLog(dir, 0, MakeRecords(3));
  std::istringstream again("four\n\n");
  EXPECT_EQ(RunAppend(dir, again, out).code(), absl::StatusCode::kInvalidArgument);
  std::ostringstream root;
  ASSERT_TRUE(RunRoot(dir, std::nullopt, root).ok());
  EXPECT_EQ(OnlyLine(root.str())["tree_size"], 3);
}

TEST(AppendCommandTest, ManyLinesAreOneContiguousAppendAcrossBatches) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::vector<std::string> records = MakeRecords(2 * kAppendBatchRecords + 123);
  std::istringstream in(Lines(records));
  std::ostringstream out;
  ASSERT_TRUE(RunAppend(dir, in, out).ok());
  EXPECT_EQ(out.str(), absl::StrCat("{\"first_index\":0,\"count\":", records.size(),
                                    ",\"tree_size\":", records.size(), "}\n"));
  std::ostringstream root;
  ASSERT_TRUE(RunRoot(dir, std::nullopt, root).ok());
  EXPECT_EQ(FromBase64(OnlyLine(root.str())["root"]), ReferenceRoot(records, records.size()));
}

TEST(AppendCommandTest, EmptyInputAppendsNothing) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  CreateLog(dir, 0, MakeRecords(4));
  std::istringstream in("");
  std::ostringstream out;
  ASSERT_TRUE(RunAppend(dir, in, out).ok());
  EXPECT_EQ(out.str(), "{\"first_index\":4,\"count\":0,\"tree_size\":4}\n");
}

// ---- read-only commands ----

TEST(ReadCommandsTest, MissingDirectoryIsNotFoundAndNotCreated) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("missing");
  std::ostringstream out;
  EXPECT_EQ(RunRoot(dir, std::nullopt, out).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(RunProveInclusion(dir, 0, 1, out).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(RunProveConsistency(dir, 0, 1, out).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(RunGet(dir, 0, out).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ExitCodeForStatus(RunVerify(dir, out)), kExitInvalidInput);
  EXPECT_FALSE(fs::exists(dir));
}

TEST(RootCommandTest, RootAtEverySizeMatchesTheReference) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::vector<std::string> records = MakeRecords(13);
  CreateLog(dir, 2, records);
  for (uint64_t size = 0; size <= records.size(); ++size) {
    std::ostringstream out;
    ASSERT_TRUE(RunRoot(dir, size, out).ok()) << size;
    const Json json = OnlyLine(out.str());
    EXPECT_THAT(Keys(json), ElementsAre("tree_size", "root"));
    EXPECT_EQ(json["tree_size"], size);
    EXPECT_EQ(FromBase64(json["root"]), ReferenceRoot(records, size)) << size;
  }
  std::ostringstream out;
  EXPECT_EQ(RunRoot(dir, records.size() + 1, out).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(out.str(), "");
}

TEST(ProveInclusionCommandTest, EveryPrintedProofVerifies) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::vector<std::string> records = MakeRecords(21);
  CreateLog(dir, 2, records);  // Sealed segments of 4 leaves and an open one.
  for (uint64_t size = 1; size <= records.size(); ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      std::ostringstream out;
      ASSERT_TRUE(RunProveInclusion(dir, index, size, out).ok()) << index << "/" << size;
      const Json json = OnlyLine(out.str());
      ASSERT_THAT(Keys(json), ElementsAre("leaf_index", "tree_size", "leaf_hash", "root", "path"));
      EXPECT_EQ(json["leaf_index"], index);
      EXPECT_EQ(json["tree_size"], size);
      const Hash leaf = FromBase64(json["leaf_hash"]);
      const Hash root = FromBase64(json["root"]);
      EXPECT_EQ(leaf, HashLeaf(records[index]));
      EXPECT_EQ(root, ReferenceRoot(records, size));
      std::vector<Hash> path;
      for (const Json& node : json["path"]) path.push_back(FromBase64(node));
      EXPECT_TRUE(VerifyInclusion(leaf, index, size, path, root).ok()) << index << "/" << size;
    }
  }
}

TEST(ProveInclusionCommandTest, SizeDefaultsToTheCurrentSize) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  CreateLog(dir, 0, MakeRecords(9));
  std::ostringstream out;
  ASSERT_TRUE(RunProveInclusion(dir, 4, std::nullopt, out).ok());
  EXPECT_EQ(OnlyLine(out.str())["tree_size"], 9);
}

TEST(ProveInclusionCommandTest, BadIndexOrSizeIsRejected) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  CreateLog(dir, 0, MakeRecords(5));
  std::ostringstream out;
  EXPECT_EQ(ExitCodeForStatus(RunProveInclusion(dir, 5, 5, out)), kExitInvalidInput);
  EXPECT_EQ(ExitCodeForStatus(RunProveInclusion(dir, 0, 6, out)), kExitInvalidInput);
  EXPECT_EQ(out.str(), "");
}

TEST(ProveConsistencyCommandTest, EveryPrintedProofVerifies) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::vector<std::string> records = MakeRecords(19);
  CreateLog(dir, 2, records);
  for (uint64_t new_size = 0; new_size <= records.size(); ++new_size) {
    for (uint64_t old_size = 0; old_size <= new_size; ++old_size) {
      std::ostringstream out;
      ASSERT_TRUE(RunProveConsistency(dir, old_size, new_size, out).ok())
          << old_size << "->" << new_size;
      const Json json = OnlyLine(out.str());
      ASSERT_THAT(Keys(json), ElementsAre("old_size", "new_size", "old_root", "new_root", "path"));
      EXPECT_EQ(json["old_size"], old_size);
      EXPECT_EQ(json["new_size"], new_size);
      const Hash old_root = FromBase64(json["old_root"]);
      const Hash new_root = FromBase64(json["new_root"]);
      EXPECT_EQ(old_root, ReferenceRoot(records, old_size));
      EXPECT_EQ(new_root, ReferenceRoot(records, new_size));
      std::vector<Hash> path;
      for (const Json& node : json["path"]) path.push_back(FromBase64(node));
      EXPECT_TRUE(VerifyConsistency(old_size, new_size, old_root, new_root, path).ok())
          << old_size << "->" << new_size;
    }
  }
  std::ostringstream out;
  EXPECT_EQ(ExitCodeForStatus(RunProveConsistency(dir, 5, 4, out)), kExitInvalidInput);
  EXPECT_EQ(ExitCodeForStatus(RunProveConsistency(dir, 1, 20, out)), kExitInvalidInput);
  EXPECT_EQ(out.str(), "");
}

TEST(GetCommandTest, PrintsTheRecordAsBase64WithItsLeafHash) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  std::vector<std::string> records = MakeRecords(6);
  records[5] = std::string("bin\0\xff\x01", 6);
  CreateLog(dir, 2, records);
  for (uint64_t index = 0; index < records.size(); ++index) {
    std::ostringstream out;
    ASSERT_TRUE(RunGet(dir, index, out).ok());
    EXPECT_EQ(out.str(), absl::StrCat("{\"index\":", index, ",\"leaf_hash\":\"",
                                      HashToBase64(HashLeaf(records[index])), "\",\"data\":\"",
                                      absl::Base64Escape(records[index]), "\"}\n"));
  }
  std::ostringstream out;
  EXPECT_EQ(RunGet(dir, 6, out).code(), absl::StatusCode::kOutOfRange);
}

// ---- verify ----

// Flips the first byte of record 0, in segment 0 (sealed, in a log of 2^2-leaf segments).
void DamageFirstRecord(const std::string& dir) {
  const std::string segment = testing::SegmentPath(dir, 0);
  ASSERT_TRUE(testing::MakeOwnerWritable(segment).ok());
  ASSERT_TRUE(
      testing::FlipByteAt(segment, testing::kSegmentHeaderBytes + testing::kFrameHeaderBytes).ok());
}

TEST(VerifyCommandTest, IntactDirectoryPrintsTheSummary) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  const std::vector<std::string> records = MakeRecords(10);
  CreateLog(dir, 2, records);
  std::ostringstream out;
  ASSERT_TRUE(RunVerify(dir, out).ok());
  const Json json = OnlyLine(out.str());
  EXPECT_THAT(Keys(json), ElementsAre("ok", "segments", "sealed_segments", "records", "bytes",
                                      "root", "seconds"));
  EXPECT_EQ(json["ok"], true);
  EXPECT_EQ(json["segments"], 3);
  EXPECT_EQ(json["sealed_segments"], 2);
  EXPECT_EQ(json["records"], 10);
  EXPECT_GT(json["bytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(FromBase64(json["root"]), ReferenceRoot(records, 10));
  EXPECT_TRUE(json["seconds"].is_number());
}

TEST(VerifyCommandTest, DamagedRecordIsDataLossNamingTheFile) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  CreateLog(dir, 2, MakeRecords(10));
  DamageFirstRecord(dir);
  std::ostringstream out;
  absl::Status status = RunVerify(dir, out);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("000000000000.seg"));
  const Json json = OnlyLine(out.str());
  EXPECT_THAT(Keys(json), ElementsAre("ok", "error"));
  EXPECT_EQ(json["ok"], false);
  EXPECT_EQ(json["error"], std::string(status.message()));
}

// ---- evidence ----

TEST(EvidenceTest, JsonRoundTripKeepsEveryField) {
  InclusionEvidence inclusion{HashLeaf("a"), HashLeaf("b"), {3, 9, {HashLeaf("c"), HashLeaf("d")}}};
  absl::StatusOr<InclusionEvidence> parsed = InclusionEvidenceFromJson(ToJson(inclusion));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->leaf_hash, inclusion.leaf_hash);
  EXPECT_EQ(parsed->root, inclusion.root);
  EXPECT_EQ(parsed->proof.leaf_index, 3u);
  EXPECT_EQ(parsed->proof.tree_size, 9u);
  EXPECT_THAT(parsed->proof.path, ElementsAreArray(inclusion.proof.path));

  ConsistencyEvidence consistency{HashLeaf("a"), HashLeaf("b"), {2, 7, {HashLeaf("c")}}};
  absl::StatusOr<ConsistencyEvidence> parsed_consistency =
      ConsistencyEvidenceFromJson(ToJson(consistency));
  ASSERT_TRUE(parsed_consistency.ok()) << parsed_consistency.status();
  EXPECT_EQ(parsed_consistency->old_root, consistency.old_root);
  EXPECT_EQ(parsed_consistency->new_root, consistency.new_root);
  EXPECT_EQ(parsed_consistency->proof.old_size, 2u);
  EXPECT_EQ(parsed_consistency->proof.new_size, 7u);
  EXPECT_THAT(parsed_consistency->proof.path, ElementsAreArray(consistency.proof.path));
}

TEST(EvidenceTest, MalformedJsonIsInvalidArgumentNamingTheField) {
  Json json = ToJson(InclusionEvidence{HashLeaf("a"), HashLeaf("b"), {0, 1, {}}});
  json["root"] = "not base64";
  EXPECT_THAT(InclusionEvidenceFromJson(json).status().message(), HasSubstr("root"));
  json = ToJson(InclusionEvidence{HashLeaf("a"), HashLeaf("b"), {0, 1, {}}});
  json["tree_size"] = -1;
  EXPECT_THAT(InclusionEvidenceFromJson(json).status().message(), HasSubstr("tree_size"));
  json = ToJson(InclusionEvidence{HashLeaf("a"), HashLeaf("b"), {0, 1, {}}});
  json["path"] = Json::array({"AAAA"});
  EXPECT_EQ(InclusionEvidenceFromJson(json).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyEvidenceFromJson(Json::array()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ---- demo ----

TEST(DemoEventsTest, AreDeterministicJsonWithABargeIn) {
  DemoOptions options;
  options.events = 50;
  options.start_unix_nanos = 1'700'000'000'000'000'000;
  const std::vector<std::string> events = MakeDemoEvents(options);
  EXPECT_EQ(events, MakeDemoEvents(options));
  ASSERT_EQ(events.size(), 50u);
  bool barge = false;
  for (const std::string& event : events) {
    const Json json = Json::parse(event);
    EXPECT_TRUE(json.contains("actor") && json.contains("action") && json.contains("outcome"));
    barge |= json["action"] == "call.barge";
  }
  EXPECT_TRUE(barge);
}

TEST(DemoCommandTest, PrintsEveryStepAndEverythingVerifies) {
  testing::ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  for (int run = 0; run < 2; ++run) {
    std::ostringstream out;
    absl::Status status = RunDemo(dir, DemoOptions{}, out);
    ASSERT_TRUE(status.ok()) << status << "\n" << out.str();
    const std::vector<Json> lines = JsonLines(out.str());
    std::vector<std::string> steps;
    for (const Json& line : lines) steps.push_back(line["step"]);
    EXPECT_THAT(steps,
                ElementsAre("append", "root", "prove_inclusion", "verify_inclusion", "tamper_check",
                            "prove_consistency", "verify_consistency", "verify_data_dir"));
    EXPECT_EQ(lines[0]["first_index"], run * 300);
    EXPECT_EQ(lines[0]["count"], 300);
    EXPECT_EQ(lines[2]["record"]["action"], "call.barge");
    EXPECT_EQ(lines[3]["ok"], true);
    EXPECT_EQ(lines[4]["detected"], true);
    EXPECT_EQ(lines[5]["old_size"], run == 0 ? 150 : 300);
    EXPECT_EQ(lines[6]["ok"], true);
    EXPECT_EQ(lines[7]["ok"], true);
    EXPECT_EQ(lines[7]["root_matches"], true);
    EXPECT_EQ(lines[7]["root"], lines[1]["root"]);
  }
}

// ---- the binary ----

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

// Runs the built `sealtrail` with `args` and `input` on stdin.
ProcessResult RunBinary(const testing::ScratchDir& tmp, const std::vector<std::string>& args,
                        const std::string& input = "") {
#ifdef SEALTRAIL_CLI_PATH
  std::ofstream(tmp.Sub("stdin"), std::ios::binary) << input;
  std::string command = absl::StrCat("'", SEALTRAIL_CLI_PATH, "'");
  for (const std::string& arg : args) absl::StrAppend(&command, " '", arg, "'");
  absl::StrAppend(&command, " <'", tmp.Sub("stdin"), "' >'", tmp.Sub("stdout"), "' 2>'",
                  tmp.Sub("stderr"), "'");
  const int status = std::system(command.c_str());
  ProcessResult run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadFile(tmp.Sub("stdout"));
  run.err = ReadFile(tmp.Sub("stderr"));
  return run;
#else
  (void)tmp, (void)args, (void)input;
  return ProcessResult{};
#endif
}

class BinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef SEALTRAIL_CLI_PATH
    GTEST_SKIP() << "SEALTRAIL_CLI_PATH is not defined";
#endif
  }
  testing::ScratchDir tmp_;
  const std::string dir_ = tmp_.Sub("data");
};

TEST_F(BinaryTest, HelpDocumentsTheExitCodes) {
  ProcessResult run = RunBinary(tmp_, {"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("Exit codes:"));
  EXPECT_THAT(run.out, HasSubstr("3  verification failed or data damaged (DATA_LOSS)"));
  // Every command's help lists every code, the permission error's included.
  for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
           {"--help"},
           {"local", "append", "--help"},
           {"local", "verify", "--help"},
           {"append", "--help"},
           {"query", "--help"},
           {"export", "--help"},
           {"verify-bundle", "--help"},
           {"dev-token", "--help"},
       }) {
    run = RunBinary(tmp_, command);
    EXPECT_EQ(run.exit_code, 0) << absl::StrJoin(command, " ");
    EXPECT_THAT(run.out, HasSubstr("Exit codes:")) << absl::StrJoin(command, " ");
    EXPECT_THAT(run.out, HasSubstr("5  permission denied")) << absl::StrJoin(command, " ");
  }
}

// A key file that others may read is refused before it is used: a local permission error.
TEST_F(BinaryTest, WorldReadableKeyIsAPermissionErrorExitingFive) {
  CreateLog(dir_, 2, MakeRecords(3));
  const std::string key = tmp_.Sub("log.key");
  ASSERT_EQ(RunBinary(tmp_, {"keygen", "--name", "example.com/log", "--out", key}).exit_code, 0);
  fs::permissions(key, fs::perms::others_read, fs::perm_options::add);
  const ProcessResult run = RunBinary(tmp_, {"local", "checkpoint", "--data", dir_, "--key", key});
  EXPECT_EQ(run.exit_code, 5) << run.err;
  EXPECT_THAT(run.err, HasSubstr("chmod 600"));
}

TEST_F(BinaryTest, UsageErrorsExitOne) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"local"},
           {"local", "frobnicate"},
           {"local", "root"},
           {"local", "root", "--data", dir_, "--bogus"},
           {"local", "get", "--data", dir_},
           {"local", "get", "--data", dir_, "--index", "-1"},
           {"local", "get", "--data", dir_, "--index", "010"},
           {"local", "get", "--data", dir_, "--index", "18446744073709551616"},
           {"local", "prove-inclusion", "--data", dir_, "--index", "x", "--size", "1"},
       }) {
    ProcessResult run = RunBinary(tmp_, args);
    EXPECT_EQ(run.exit_code, 1) << absl::StrJoin(args, " ");
    EXPECT_THAT(run.err, StartsWith("sealtrail: ")) << absl::StrJoin(args, " ");
    EXPECT_EQ(run.out, "");
  }
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(BinaryTest, AppendThenProveAndVerifyEndToEnd) {
  const std::vector<std::string> records = MakeRecords(40);
  ProcessResult run = RunBinary(tmp_, {"local", "append", "--data", dir_}, Lines(records));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "{\"first_index\":0,\"count\":40,\"tree_size\":40}\n");
  EXPECT_EQ(run.err, "");

  run = RunBinary(tmp_, {"local", "root", "--data", dir_, "--size", "17"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, absl::StrCat("{\"tree_size\":17,\"root\":\"",
                                  HashToBase64(ReferenceRoot(records, 17)), "\"}\n"));

  run = RunBinary(tmp_,
                  {"local", "prove-inclusion", "--data", dir_, "--index", "11", "--size", "33"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  absl::StatusOr<InclusionEvidence> inclusion = InclusionEvidenceFromJson(OnlyLine(run.out));
  ASSERT_TRUE(inclusion.ok()) << inclusion.status();
  EXPECT_EQ(inclusion->leaf_hash, HashLeaf(records[11]));
  EXPECT_EQ(inclusion->root, ReferenceRoot(records, 33));
  EXPECT_TRUE(CheckEvidence(*inclusion).ok());

  run =
      RunBinary(tmp_, {"local", "prove-consistency", "--data", dir_, "--old", "7", "--new", "40"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  absl::StatusOr<ConsistencyEvidence> consistency = ConsistencyEvidenceFromJson(OnlyLine(run.out));
  ASSERT_TRUE(consistency.ok()) << consistency.status();
  EXPECT_EQ(consistency->old_root, ReferenceRoot(records, 7));
  EXPECT_EQ(consistency->new_root, ReferenceRoot(records, 40));
  EXPECT_TRUE(CheckEvidence(*consistency).ok());

  run = RunBinary(tmp_, {"local", "get", "--data", dir_, "--index", "39"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(OnlyLine(run.out)["data"], absl::Base64Escape(records[39]));

  run = RunBinary(tmp_, {"local", "verify", "--data", dir_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(OnlyLine(run.out)["records"], 40);
}

TEST_F(BinaryTest, EmptyLineExitsTwoAndAppendsNothing) {
  CreateLog(dir_, 0, MakeRecords(2));
  ProcessResult run = RunBinary(tmp_, {"local", "append", "--data", dir_}, "a\n\nb\n");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, StartsWith("sealtrail: "));
  EXPECT_THAT(run.err, HasSubstr("line 2"));
  EXPECT_EQ(run.out, "");
  run = RunBinary(tmp_, {"local", "root", "--data", dir_});
  EXPECT_EQ(OnlyLine(run.out)["tree_size"], 2);
}

TEST_F(BinaryTest, NotFoundAndOutOfRangeExitTwo) {
  ProcessResult run = RunBinary(tmp_, {"local", "get", "--data", dir_, "--index", "0"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, StartsWith("sealtrail: "));
  EXPECT_FALSE(fs::exists(dir_));

  CreateLog(dir_, 0, MakeRecords(3));
  run = RunBinary(tmp_, {"local", "get", "--data", dir_, "--index", "3"});
  EXPECT_EQ(run.exit_code, 2);
  run =
      RunBinary(tmp_, {"local", "prove-inclusion", "--data", dir_, "--index", "0", "--size", "4"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
}

TEST_F(BinaryTest, DamagedDataExitsThree) {
  CreateLog(dir_, 2, MakeRecords(10));
  DamageFirstRecord(dir_);
  ProcessResult run = RunBinary(tmp_, {"local", "verify", "--data", dir_});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_THAT(run.err, StartsWith("sealtrail: "));
  EXPECT_THAT(run.err, HasSubstr("000000000000.seg"));
  const Json json = OnlyLine(run.out);
  EXPECT_EQ(json["ok"], false);
  EXPECT_THAT(run.err, HasSubstr(json["error"].get<std::string>()));
}

TEST_F(BinaryTest, AppendToLockedDirectoryExitsFour) {
  LogOptions options;
  absl::StatusOr<std::unique_ptr<Log>> holder = Log::Open(options, dir_);
  ASSERT_TRUE(holder.ok()) << holder.status();
  ProcessResult run = RunBinary(tmp_, {"local", "append", "--data", dir_}, "one\n");
  EXPECT_EQ(run.exit_code, 4) << run.err;
  EXPECT_THAT(run.err, StartsWith("sealtrail: "));
}

TEST_F(BinaryTest, ReadCommandsWorkBesideAWriterAndSeeItsAcknowledgedRecords) {
  LogOptions options;
  options.leaves_per_segment_log2 = 2;
  absl::StatusOr<std::unique_ptr<Log>> writer = Log::Open(options, dir_);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const std::vector<std::string> records = MakeRecords(7);
  ASSERT_TRUE(
      (*writer)->Append(std::vector<std::string_view>(records.begin(), records.end())).ok());
  ProcessResult root = RunBinary(tmp_, {"local", "root", "--data", dir_});
  ASSERT_EQ(root.exit_code, 0) << root.err;
  EXPECT_EQ(OnlyLine(root.out)["tree_size"], 7);
  ProcessResult get = RunBinary(tmp_, {"local", "get", "--data", dir_, "--index", "6"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  // The writer still holds the lock and can go on appending.
  EXPECT_TRUE((*writer)->Append({std::string_view("eight")}).ok());
}

TEST_F(BinaryTest, DemoRunsEveryStep) {
  ProcessResult run = RunBinary(tmp_, {"local", "demo", "--data", dir_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<Json> lines = JsonLines(run.out);
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(lines.back()["step"], "verify_data_dir");
  EXPECT_EQ(lines.back()["ok"], true);
}

}  // namespace
}  // namespace sealtrail::cli
