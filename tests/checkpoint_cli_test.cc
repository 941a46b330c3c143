// Tests of the `sealtrail` commands for keys, checkpoints and offline verification: keygen,
// `local checkpoint`, `local checkpoints`, `verify` and `verify-proof`, through their library
// functions (string streams, real files) and through the built binary (SEALTRAIL_CLI_PATH) for
// flags, exit codes and the exact bytes on stdout. The witness and the insider rewrite are in
// witness_cli_test.cc.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/audit_commands.h"
#include "cli/checkpoint_commands.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/keys.h"
#include "cli/local_commands.h"
#include "cli/output.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/checkpoint_store.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/note.h"
#include "sealtrail/note_signer.h"
#include "testing/data_dir_layout.h"
#include "testing/file_util.h"
#include "testing/json_lines.h"
#include "testing/reference_merkle.h"
#include "testing/run_process.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::cli {
namespace {

using ::sealtrail::testing::JsonLines;
using ::sealtrail::testing::Keys;
using ::sealtrail::testing::OnlyLine;

namespace fs = std::filesystem;
using ::sealtrail::testing::IsOk;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::ProcessResult;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

Env* env() { return Env::Default(); }

std::vector<std::string> MakeRecords(size_t n, size_t first = 0) {
  std::vector<std::string> records;
  for (size_t i = first; i < first + n; ++i) records.push_back(absl::StrCat("event-", i));
  return records;
}

Hash ReferenceRoot(const std::vector<std::string>& records, size_t size) {
  return testing::RefMth(absl::MakeConstSpan(records).first(size));
}

// Appends `records` to the log in `dir`, creating it with 2^log2 leaves per segment if missing.
void AppendToLog(const std::string& dir, uint32_t log2, const std::vector<std::string>& records) {
  LogOptions options;
  options.leaves_per_segment_log2 = log2;
  options.sync = SyncPolicy::kNone;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(options, dir));
  ASSERT_OK(AppendRecords(*log, records).status());
}

struct TestKey {
  std::string file;
  std::string vkey_text;  // What keygen printed, without its newline.
  NoteVerifierKey vkey;
};

void MakeKey(const std::string& name, const std::string& file, TestKey* key) {
  std::ostringstream out;
  ASSERT_OK(RunKeygen(env(), name, file, out));
  key->file = file;
  key->vkey_text = out.str().substr(0, out.str().size() - 1);
  ASSERT_OK_AND_ASSIGN(key->vkey, ParseNoteVerifierKey(key->vkey_text));
}

// `local checkpoint --key` through the library; the printed note.
void SignCheckpoint(const std::string& dir, const TestKey& key, std::string* note,
                    const std::string& origin = "") {
  std::ostringstream out;
  ASSERT_OK(RunSignCheckpoint(env(), dir, key.file, origin, out));
  *note = out.str();
}

std::string B64(const Hash& hash) { return HashToBase64(hash); }

// ---- Exit codes ----

TEST(VerificationExitCodeTest, WithContextKeepsTheCodeAndPrefixesTheMessage) {
  const absl::Status status =
      WithContext(absl::DataLossError("the new tree is smaller"), "witness");
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(status.message(), "witness: the new tree is smaller");
  EXPECT_EQ(ExitCodeForStatus(status), 3);
}

// ---- Files ----

TEST(FilesTest, ReplaceFileAtomicallyCreatesThenReplacesAndLeavesNoTemporary) {
  ScratchDir tmp;
  const std::string path = tmp.Sub("state");
  ASSERT_OK(ReplaceFileAtomically(env(), path, "first\n"));
  EXPECT_THAT(testing::ReadWholeFile(path), IsOkAndHolds(std::string("first\n")));
  ASSERT_OK(ReplaceFileAtomically(env(), path, "second, longer\n"));
  EXPECT_THAT(testing::ReadWholeFile(path), IsOkAndHolds(std::string("second, longer\n")));
  EXPECT_THAT(testing::ListDir(tmp.path()), IsOkAndHolds(ElementsAre("state")));
}

TEST(FilesTest, ReplaceFileAtomicallyInAMissingDirectoryChangesNothing) {
  ScratchDir tmp;
  EXPECT_FALSE(ReplaceFileAtomically(env(), tmp.Sub("missing/state"), "x").ok());
  EXPECT_THAT(testing::ListDir(tmp.path()), IsOkAndHolds(ElementsAre()));
}

TEST(FilesTest, ParentDirOfPaths) {
  EXPECT_EQ(ParentDir("state"), ".");
  EXPECT_EQ(ParentDir("/state"), "/");
  EXPECT_EQ(ParentDir("a/b/state"), "a/b");
  EXPECT_EQ(ParentDir("/var/lib/witness/state"), "/var/lib/witness");
}

TEST(FilesTest, ReadWholeFileLimitsAndMissingFiles) {
  ScratchDir tmp;
  const std::string path = tmp.Sub("f");
  ASSERT_OK(testing::WriteWholeFile(path, "0123456789"));
  EXPECT_THAT(ReadWholeFile(env(), path, 10), IsOkAndHolds(std::string("0123456789")));
  EXPECT_THAT(ReadWholeFile(env(), path, 9),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(path)));
  EXPECT_THAT(ReadWholeFile(env(), tmp.Sub("none"), 10),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(tmp.Sub("none"))));
  std::istringstream in("from stdin");
  EXPECT_THAT(ReadFileOrStdin(env(), "-", in, 100), IsOkAndHolds(std::string("from stdin")));
  std::istringstream long_in(std::string(10000, 'x'));
  EXPECT_THAT(ReadFileOrStdin(env(), "-", long_in, 100),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// ---- keygen and VKEY arguments ----

TEST(KeygenTest, PrintsOnlyTheVerifierKeyAndWritesAPrivateKeyFileOfMode0600) {
  ScratchDir tmp;
  const std::string file = tmp.Sub("log.key");
  std::ostringstream out;
  ASSERT_OK(RunKeygen(env(), "audit.example/log", file, out));
  ASSERT_FALSE(out.str().empty());
  EXPECT_EQ(out.str().find('\n'), out.str().size() - 1);
  const std::string vkey_text = out.str().substr(0, out.str().size() - 1);
  ASSERT_OK_AND_ASSIGN(const NoteVerifierKey vkey, ParseNoteVerifierKey(vkey_text));
  EXPECT_EQ(vkey.name, "audit.example/log");
  EXPECT_THAT(vkey_text, StartsWith("audit.example/log+"));
  EXPECT_THAT(testing::FileModeOf(file), IsOkAndHolds(0600));
  ASSERT_OK_AND_ASSIGN(const NoteSigner signer, NoteSigner::LoadFile(env(), file));
  EXPECT_EQ(signer.VerifierKeyText(), vkey_text);
}

TEST(KeygenTest, NeverOverwritesAKeyFile) {
  ScratchDir tmp;
  const std::string file = tmp.Sub("log.key");
  std::ostringstream first;
  ASSERT_OK(RunKeygen(env(), "audit.example/log", file, first));
  ASSERT_OK_AND_ASSIGN(const std::string before, testing::ReadWholeFile(file));
  std::ostringstream second;
  EXPECT_THAT(RunKeygen(env(), "audit.example/log", file, second),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(second.str(), "");
  EXPECT_THAT(testing::ReadWholeFile(file), IsOkAndHolds(before));
  EXPECT_THAT(testing::FileModeOf(file), IsOkAndHolds(0600));
}

TEST(KeygenTest, BadNameIsInvalidAndWritesNothing) {
  ScratchDir tmp;
  std::ostringstream out;
  EXPECT_THAT(RunKeygen(env(), "two words", tmp.Sub("k"), out),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(out.str(), "");
  EXPECT_FALSE(fs::exists(tmp.Sub("k")));
}

TEST(LoadVerifierKeyTest, TakesTheKeyTextOrAFileHoldingIt) {
  ScratchDir tmp;
  TestKey key;
  MakeKey("audit.example/log", tmp.Sub("k"), &key);
  auto same_key = [&](const NoteVerifierKey& loaded) {
    return loaded.name == key.vkey.name && loaded.key_id == key.vkey.key_id &&
           loaded.public_key == key.vkey.public_key;
  };
  ASSERT_OK_AND_ASSIGN(NoteVerifierKey loaded, LoadVerifierKey(env(), key.vkey_text));
  EXPECT_TRUE(same_key(loaded));
  for (const char* trailer : {"", "\n", " \t\n\n", "\r\n"}) {
    ASSERT_OK(testing::WriteWholeFile(tmp.Sub("vkey"), key.vkey_text + trailer));
    ASSERT_OK_AND_ASSIGN(loaded, LoadVerifierKey(env(), tmp.Sub("vkey")));
    EXPECT_TRUE(same_key(loaded)) << "'" << trailer << "'";
  }
}

TEST(LoadVerifierKeyTest, NeitherAKeyNorAFileIsInvalid) {
  ScratchDir tmp;
  EXPECT_THAT(LoadVerifierKey(env(), tmp.Sub("missing")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("neither")));
  ASSERT_OK(testing::WriteWholeFile(tmp.Sub("junk"), "not a key\n"));
  EXPECT_THAT(LoadVerifierKey(env(), tmp.Sub("junk")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(tmp.Sub("junk"))));
}

TEST(LoadVerifierKeyTest, APrivateKeyFileIsRefusedWithoutEchoingIt) {
  ScratchDir tmp;
  TestKey key;
  MakeKey("audit.example/log", tmp.Sub("k"), &key);
  ASSERT_OK_AND_ASSIGN(const std::string private_text, testing::ReadWholeFile(key.file));
  const absl::StatusOr<NoteVerifierKey> loaded = LoadVerifierKey(env(), key.file);
  EXPECT_THAT(loaded, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("private key")));
  const std::string secret = private_text.substr(private_text.rfind('+') + 1, 20);
  EXPECT_THAT(std::string(loaded.status().message()), Not(HasSubstr(secret)));
}

// ---- local checkpoint / local checkpoints ----

class CheckpointCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AppendToLog(dir_, 3, records_);
    MakeKey("audit.example/log", tmp_.Sub("log.key"), &key_);
  }

  ScratchDir tmp_;
  const std::string dir_ = tmp_.Sub("data");
  const std::vector<std::string> records_ = MakeRecords(20);
  TestKey key_;
};

TEST_F(CheckpointCommandTest, SignPrintsTheStoredNoteExactlyAndItVerifies) {
  std::string note;
  SignCheckpoint(dir_, key_, &note);
  ASSERT_OK_AND_ASSIGN(const Checkpoint checkpoint, VerifyCheckpoint(note, key_.vkey));
  EXPECT_EQ(checkpoint.origin, "audit.example/log");
  EXPECT_EQ(checkpoint.size, 20u);
  EXPECT_EQ(checkpoint.root, ReferenceRoot(records_, 20));
  EXPECT_TRUE(checkpoint.timestamp_ms.has_value());
  // The text, a blank line and one signature line by the key: nothing before, nothing after.
  ASSERT_OK_AND_ASSIGN(const ParsedNote parsed, ParseSignedNote(note));
  EXPECT_EQ(parsed.signatures.size(), 1u);
  EXPECT_THAT(note, StartsWith(absl::StrCat(parsed.text, "\n\xE2\x80\x94 audit.example/log ")));
  EXPECT_EQ(note.find('\n', parsed.text.size() + 1), note.size() - 1);

  std::ostringstream stored;
  ASSERT_OK(RunPrintCheckpoint(env(), dir_, 20, stored));
  EXPECT_EQ(stored.str(), note);
}

TEST_F(CheckpointCommandTest, SigningAnUnchangedTreeReturnsTheSameNote) {
  std::string first;
  std::string second;
  SignCheckpoint(dir_, key_, &first);
  SignCheckpoint(dir_, key_, &second);
  EXPECT_EQ(first, second);
  std::ostringstream list;
  ASSERT_OK(RunListCheckpoints(env(), dir_, list));
  EXPECT_EQ(JsonLines(list.str()).size(), 1u);
}

TEST_F(CheckpointCommandTest, OriginCanBeOverridden) {
  std::string note;
  SignCheckpoint(dir_, key_, &note, "audit.example/tenant-7");
  EXPECT_THAT(VerifyCheckpoint(note, key_.vkey, "audit.example/tenant-7"), IsOk());
  EXPECT_THAT(VerifyCheckpoint(note, key_.vkey),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("audit.example/tenant-7")));
}

TEST_F(CheckpointCommandTest, MissingDirectoryIsNotFoundAndNotCreated) {
  std::ostringstream out;
  EXPECT_THAT(RunSignCheckpoint(env(), tmp_.Sub("none"), key_.file, "", out),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(RunPrintCheckpoint(env(), tmp_.Sub("none"), 1, out),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(out.str(), "");
  EXPECT_FALSE(fs::exists(tmp_.Sub("none")));
}

TEST_F(CheckpointCommandTest, KeyThatOthersCanReadIsRefusedAndNothingIsSigned) {
  fs::permissions(key_.file, fs::perms::group_read, fs::perm_options::add);
  std::ostringstream out;
  EXPECT_THAT(RunSignCheckpoint(env(), dir_, key_.file, "", out),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr(key_.file)));
  EXPECT_EQ(out.str(), "");
  std::ostringstream list;
  ASSERT_OK(RunListCheckpoints(env(), dir_, list));
  EXPECT_EQ(list.str(), "");
}

TEST_F(CheckpointCommandTest, ListPrintsEveryCheckpointOldestFirst) {
  std::vector<std::string> all = records_;
  std::string note;
  SignCheckpoint(dir_, key_, &note);
  for (size_t more : {5u, 17u}) {
    const std::vector<std::string> added = MakeRecords(more, all.size());
    AppendToLog(dir_, 0, added);
    all.insert(all.end(), added.begin(), added.end());
    SignCheckpoint(dir_, key_, &note);
  }
  std::ostringstream out;
  ASSERT_OK(RunListCheckpoints(env(), dir_, out));
  const std::vector<Json> lines = JsonLines(out.str());
  ASSERT_EQ(lines.size(), 3u);
  const size_t sizes[] = {20, 25, 42};
  int64_t previous_timestamp = 0;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_THAT(Keys(lines[i]), ElementsAre("size", "root", "timestamp_ms"));
    EXPECT_EQ(lines[i]["size"], sizes[i]);
    EXPECT_EQ(lines[i]["root"], B64(ReferenceRoot(all, sizes[i])));
    ASSERT_TRUE(lines[i]["timestamp_ms"].is_number_integer());
    EXPECT_GE(lines[i]["timestamp_ms"].get<int64_t>(), previous_timestamp);
    previous_timestamp = lines[i]["timestamp_ms"].get<int64_t>();
  }
}

TEST(CheckpointJsonTest, MissingTimestampIsNull) {
  Checkpoint checkpoint;
  checkpoint.origin = "o";
  checkpoint.size = 3;
  checkpoint.root = HashLeaf("r");
  EXPECT_EQ(ToJson(checkpoint).dump(), absl::StrCat("{\"size\":3,\"root\":\"", B64(checkpoint.root),
                                                    "\",\"timestamp_ms\":null}"));
  checkpoint.timestamp_ms = 1700000000123;
  EXPECT_EQ(ToJson(checkpoint)["timestamp_ms"], 1700000000123);
}

TEST_F(CheckpointCommandTest, UnknownSizeIsNotFound) {
  std::string note;
  SignCheckpoint(dir_, key_, &note);
  std::ostringstream out;
  EXPECT_THAT(RunPrintCheckpoint(env(), dir_, 19, out), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(out.str(), "");
}

// ---- verify ----

using AuditTest = CheckpointCommandTest;

// Stores a checkpoint signed with the real key that the checkpointer would never sign: what an
// attacker holding the key, or a bug, could leave in the store.
void StoreForgedCheckpoint(const std::string& dir, const TestKey& key,
                           const Checkpoint& checkpoint) {
  ASSERT_OK_AND_ASSIGN(const NoteSigner signer, NoteSigner::LoadFile(env(), key.file));
  ASSERT_OK_AND_ASSIGN(const std::string note, signer.Sign(FormatCheckpointBody(checkpoint)));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store,
                       CheckpointStore::Open(env(), dir, /*read_only=*/false));
  ASSERT_OK(store->Append(checkpoint, note));
}

TEST_F(AuditTest, IntactDirectoryPrintsTheSummary) {
  std::string note;
  SignCheckpoint(dir_, key_, &note);
  std::ostringstream out;
  ASSERT_OK(RunAuditDataDir(env(), dir_, key_.vkey_text, "", out));
  const Json json = OnlyLine(out.str());
  EXPECT_THAT(Keys(json), ElementsAre("ok", "records", "segments", "checkpoints",
                                      "latest_checkpoint_size", "root", "seconds"));
  EXPECT_EQ(json["ok"], true);
  EXPECT_EQ(json["records"], 20);
  EXPECT_EQ(json["segments"], 3);
  EXPECT_EQ(json["checkpoints"], 1);
  EXPECT_EQ(json["latest_checkpoint_size"], 20);
  EXPECT_EQ(json["root"], B64(ReferenceRoot(records_, 20)));
  EXPECT_TRUE(json["seconds"].is_number());
}

TEST_F(AuditTest, NoCheckpointsIsNullLatestSize) {
  std::ostringstream out;
  ASSERT_OK(RunAuditDataDir(env(), dir_, key_.vkey_text, "", out));
  const Json json = OnlyLine(out.str());
  EXPECT_EQ(json["checkpoints"], 0);
  EXPECT_TRUE(json["latest_checkpoint_size"].is_null());
}

TEST_F(AuditTest, AnotherKeyIsUnauthenticated) {
  std::string note;
  SignCheckpoint(dir_, key_, &note);
  TestKey other;
  MakeKey("audit.example/log", tmp_.Sub("other.key"), &other);
  std::ostringstream out;
  const absl::Status status = RunAuditDataDir(env(), dir_, other.vkey_text, "", out);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated,
                               HasSubstr("stored checkpoint 1 of 1 (size 20)")));
  const Json json = OnlyLine(out.str());
  EXPECT_THAT(Keys(json), ElementsAre("ok", "error"));
  EXPECT_EQ(json["ok"], false);
  EXPECT_EQ(json["error"], std::string(status.message()));
}

TEST_F(AuditTest, WrongOriginIsUnauthenticated) {
  std::string note;
  SignCheckpoint(dir_, key_, &note);
  std::ostringstream out;
  EXPECT_THAT(RunAuditDataDir(env(), dir_, key_.vkey_text, "audit.example/elsewhere", out),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(AuditTest, CheckpointLargerThanTheLogIsDataLoss) {
  std::string note;
  SignCheckpoint(dir_, key_, &note);
  Checkpoint forged;
  forged.origin = key_.vkey.name;
  forged.size = 50;
  forged.root = HashLeaf("a tree that is not there");
  StoreForgedCheckpoint(dir_, key_, forged);
  std::ostringstream out;
  EXPECT_THAT(RunAuditDataDir(env(), dir_, key_.vkey_text, "", out),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("checkpoint of size 50 but the log holds only 20 records")));
  EXPECT_EQ(OnlyLine(out.str())["ok"], false);
}

TEST_F(AuditTest, CheckpointWithAnotherRootIsDataLossNamingBothRoots) {
  Checkpoint forged;
  forged.origin = key_.vkey.name;
  forged.size = 12;
  forged.root = HashLeaf("another root");
  StoreForgedCheckpoint(dir_, key_, forged);
  std::ostringstream out;
  EXPECT_THAT(RunAuditDataDir(env(), dir_, key_.vkey_text, "", out),
              StatusIs(absl::StatusCode::kDataLoss,
                       ::testing::AllOf(HasSubstr(B64(forged.root)),
                                        HasSubstr(B64(ReferenceRoot(records_, 12))))));
}

TEST_F(AuditTest, DamagedSegmentIsReportedBeforeCheckpoints) {
  std::string note;
  SignCheckpoint(dir_, key_, &note);
  const std::string segment = testing::SegmentPath(dir_, 0);
  ASSERT_OK(testing::MakeOwnerWritable(segment));
  ASSERT_OK(
      testing::FlipByteAt(segment, testing::kSegmentHeaderBytes + testing::kFrameHeaderBytes));
  std::ostringstream out;
  EXPECT_THAT(RunAuditDataDir(env(), dir_, key_.vkey_text, "", out),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("000000000000.seg")));
}

// ---- verify-proof ----

class VerifyProofTest : public CheckpointCommandTest {
 protected:
  void SetUp() override {
    CheckpointCommandTest::SetUp();
    args_.vkey = key_.vkey_text;
    std::string note;
    SignCheckpoint(dir_, key_, &note);
    ASSERT_OK(testing::WriteWholeFile(args_.checkpoint_file, note));
    std::ostringstream proof;
    ASSERT_OK(RunProveInclusion(dir_, 13, 20, proof));
    proof_json_ = OnlyLine(proof.str());
    ASSERT_OK(testing::WriteWholeFile(args_.inclusion_file, proof.str()));
    ASSERT_OK(testing::WriteWholeFile(tmp_.Sub("record"), records_[13]));
  }

  absl::Status Run(std::string* out) {
    std::istringstream in;
    std::ostringstream output;
    absl::Status status = RunVerifyProof(env(), args_, in, output);
    *out = output.str();
    return status;
  }

  VerifyProofArgs args_{"", tmp_.Sub("checkpoint"), tmp_.Sub("inclusion.json"), std::nullopt, ""};
  Json proof_json_;
};

TEST_F(VerifyProofTest, ProofAndRecordVerifyAgainstTheSignedCheckpoint) {
  args_.record_file = tmp_.Sub("record");
  std::string out;
  ASSERT_OK(Run(&out));
  EXPECT_EQ(out, absl::StrCat("{\"ok\":true,\"leaf_index\":13,\"tree_size\":20,\"root\":\"",
                              B64(ReferenceRoot(records_, 20)), "\"}\n"));
}

TEST_F(VerifyProofTest, TheProofsOwnRootIsIgnored) {
  proof_json_["root"] = B64(HashLeaf("whatever the prover claims"));
  ASSERT_OK(testing::WriteWholeFile(args_.inclusion_file, proof_json_.dump()));
  std::string out;
  EXPECT_OK(Run(&out));
}

TEST_F(VerifyProofTest, RecordWithOtherBytesIsDataLoss) {
  ASSERT_OK(testing::WriteWholeFile(tmp_.Sub("other"), records_[13] + "\n"));
  args_.record_file = tmp_.Sub("other");
  std::string out;
  const absl::Status status = Run(&out);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr(B64(HashLeaf(records_[13] + "\n")))));
  EXPECT_EQ(OnlyLine(out), (Json{{"ok", false}, {"error", std::string(status.message())}}));
}

TEST_F(VerifyProofTest, TamperedPathIsDataLoss) {
  proof_json_["path"][0] = B64(HashLeaf("not a sibling"));
  ASSERT_OK(testing::WriteWholeFile(args_.inclusion_file, proof_json_.dump()));
  std::string out;
  EXPECT_THAT(Run(&out), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(VerifyProofTest, ProofForAnotherTreeSizeIsInvalid) {
  std::ostringstream proof;
  ASSERT_OK(RunProveInclusion(dir_, 13, 19, proof));
  ASSERT_OK(testing::WriteWholeFile(args_.inclusion_file, proof.str()));
  std::string out;
  EXPECT_THAT(Run(&out), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(VerifyProofTest, AnotherKeyIsUnauthenticated) {
  TestKey other;
  MakeKey("audit.example/log", tmp_.Sub("other.key"), &other);
  args_.vkey = other.vkey_text;
  std::string out;
  EXPECT_THAT(Run(&out), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(VerifyProofTest, MalformedProofJsonIsInvalidNamingTheFile) {
  ASSERT_OK(testing::WriteWholeFile(args_.inclusion_file, "{\"leaf_index\":"));
  std::string out;
  EXPECT_THAT(Run(&out),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(args_.inclusion_file)));
}

// ---- The binary ----

class BinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef SEALTRAIL_CLI_PATH
    GTEST_SKIP() << "SEALTRAIL_CLI_PATH is not defined";
#endif
  }

  ProcessResult Sealtrail(const std::vector<std::string>& args, const std::string& input = "") {
#ifdef SEALTRAIL_CLI_PATH
    return testing::RunProcess(SEALTRAIL_CLI_PATH, args, input, tmp_);
#else
    (void)args, (void)input;
    return {};
#endif
  }

  ScratchDir tmp_;
  const std::string dir_ = tmp_.Sub("data");
  const std::string key_file_ = tmp_.Sub("log.key");
};

TEST_F(BinaryTest, HelpDocumentsTheVerificationExitCode) {
  ProcessResult run = Sealtrail({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.out, HasSubstr("3  verification failed or data damaged (DATA_LOSS)"));
  EXPECT_THAT(run.out, HasSubstr("signature"));
  EXPECT_THAT(run.out, HasSubstr("witness shown a smaller tree"));
  for (const char* command : {"keygen", "verify", "witness", "verify-proof"}) {
    run = Sealtrail({command, "--help"});
    EXPECT_EQ(run.exit_code, 0) << command;
    EXPECT_THAT(run.out, HasSubstr("Exit codes:")) << command;
  }
}

TEST_F(BinaryTest, KeygenPrintsTheVerifierKeyAndNeverOverwrites) {
  ProcessResult run = Sealtrail({"keygen", "--name", "audit.example/log", "--out", key_file_});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  ASSERT_OK_AND_ASSIGN(const NoteSigner signer, NoteSigner::LoadFile(env(), key_file_));
  EXPECT_EQ(run.out, signer.VerifierKeyText() + "\n");
  EXPECT_THAT(testing::FileModeOf(key_file_), IsOkAndHolds(0600));

  ASSERT_OK_AND_ASSIGN(const std::string before, testing::ReadWholeFile(key_file_));
  run = Sealtrail({"keygen", "--name", "audit.example/log", "--out", key_file_});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, StartsWith("sealtrail: "));
  EXPECT_THAT(testing::ReadWholeFile(key_file_), IsOkAndHolds(before));
  EXPECT_THAT(testing::FileModeOf(key_file_), IsOkAndHolds(0600));
}

TEST_F(BinaryTest, LocalCheckpointPrintsExactlyTheStoredNote) {
  const std::vector<std::string> records = MakeRecords(30);
  AppendToLog(dir_, 3, records);
  ProcessResult keygen = Sealtrail({"keygen", "--name", "audit.example/log", "--out", key_file_});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  ASSERT_OK_AND_ASSIGN(const NoteVerifierKey vkey,
                       ParseNoteVerifierKey(keygen.out.substr(0, keygen.out.size() - 1)));

  ProcessResult sign = Sealtrail({"local", "checkpoint", "--data", dir_, "--key", key_file_});
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  EXPECT_EQ(sign.err, "");
  ASSERT_OK_AND_ASSIGN(const Checkpoint checkpoint, VerifyCheckpoint(sign.out, vkey));
  EXPECT_EQ(checkpoint.size, 30u);
  EXPECT_EQ(checkpoint.root, ReferenceRoot(records, 30));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<CheckpointStore> store,
                       CheckpointStore::Open(env(), dir_, /*read_only=*/true));
  ASSERT_OK_AND_ASSIGN(const StoredCheckpoint stored, store->Get(30));
  EXPECT_EQ(sign.out, stored.note);

  ProcessResult get = Sealtrail({"local", "checkpoint", "--data", dir_, "--size", "30"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, sign.out);

  get = Sealtrail({"local", "checkpoint", "--data", dir_, "--size", "29"});
  EXPECT_EQ(get.exit_code, 2);
  EXPECT_EQ(get.out, "");
  EXPECT_THAT(get.err, StartsWith("sealtrail: "));

  ProcessResult list = Sealtrail({"local", "checkpoints", "--data", dir_});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, absl::StrCat("{\"size\":30,\"root\":\"", B64(checkpoint.root),
                                   "\",\"timestamp_ms\":", *checkpoint.timestamp_ms, "}\n"));
}

TEST_F(BinaryTest, VerifyAndVerifyProofEndToEnd) {
  const std::vector<std::string> records = MakeRecords(30);
  AppendToLog(dir_, 3, records);
  ProcessResult keygen = Sealtrail({"keygen", "--name", "audit.example/log", "--out", key_file_});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  ASSERT_OK(testing::WriteWholeFile(tmp_.Sub("vkey"), keygen.out));
  ProcessResult sign = Sealtrail({"local", "checkpoint", "--data", dir_, "--key", key_file_});
  ASSERT_EQ(sign.exit_code, 0) << sign.err;
  ASSERT_OK(testing::WriteWholeFile(tmp_.Sub("checkpoint"), sign.out));

  ProcessResult verify = Sealtrail({"verify", "--data", dir_, "--vkey", tmp_.Sub("vkey")});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(OnlyLine(verify.out)["ok"], true);
  EXPECT_EQ(OnlyLine(verify.out)["checkpoints"], 1);

  ProcessResult prove =
      Sealtrail({"local", "prove-inclusion", "--data", dir_, "--index", "4", "--size", "30"});
  ASSERT_EQ(prove.exit_code, 0) << prove.err;
  ASSERT_OK(testing::WriteWholeFile(tmp_.Sub("inclusion.json"), prove.out));
  ASSERT_OK(testing::WriteWholeFile(tmp_.Sub("record"), records[4]));
  ProcessResult check =
      Sealtrail({"verify-proof", "--vkey", tmp_.Sub("vkey"), "--checkpoint", "-", "--inclusion",
                 tmp_.Sub("inclusion.json"), "--data", tmp_.Sub("record")},
                sign.out);
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, absl::StrCat("{\"ok\":true,\"leaf_index\":4,\"tree_size\":30,\"root\":\"",
                                    B64(ReferenceRoot(records, 30)), "\"}\n"));

  ASSERT_OK(testing::WriteWholeFile(tmp_.Sub("record"), records[5]));
  check =
      Sealtrail({"verify-proof", "--vkey", tmp_.Sub("vkey"), "--checkpoint", tmp_.Sub("checkpoint"),
                 "--inclusion", tmp_.Sub("inclusion.json"), "--data", tmp_.Sub("record")});
  EXPECT_EQ(check.exit_code, 3);
  EXPECT_EQ(OnlyLine(check.out)["ok"], false);
  EXPECT_THAT(check.err, StartsWith("sealtrail: the record in "));

  ProcessResult other =
      Sealtrail({"keygen", "--name", "audit.example/log", "--out", tmp_.Sub("other.key")});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  verify =
      Sealtrail({"verify", "--data", dir_, "--vkey", other.out.substr(0, other.out.size() - 1)});
  EXPECT_EQ(verify.exit_code, 3);
  EXPECT_EQ(OnlyLine(verify.out)["ok"], false);
  EXPECT_THAT(verify.err, HasSubstr("stored checkpoint 1 of 1"));
}

TEST_F(BinaryTest, UsageErrorsExitOne) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"keygen", "--name", "x"},
           {"keygen", "--out", key_file_},
           {"local", "checkpoint", "--data", dir_},
           {"local", "checkpoint", "--data", dir_, "--key", key_file_, "--size", "3"},
           {"local", "checkpoint", "--data", dir_, "--size", "3", "--origin", "o"},
           {"local", "checkpoint", "--data", dir_, "--size", "-1"},
           {"local", "checkpoints"},
           {"verify", "--data", dir_},
           {"verify", "--vkey", "k"},
           {"witness", "--state", "s", "--vkey", "k"},
           {"witness", "--state", "s", "--vkey", "k", "--data", dir_, "--checkpoint", "c"},
           {"witness", "--state", "s", "--vkey", "k", "--data", dir_, "--proof", "p"},
           {"witness", "--vkey", "k", "--data", dir_},
           {"verify-proof", "--vkey", "k", "--checkpoint", "c"},
       }) {
    const ProcessResult run = Sealtrail(args);
    EXPECT_EQ(run.exit_code, 1) << absl::StrJoin(args, " ");
    EXPECT_THAT(run.err, StartsWith("sealtrail: ")) << absl::StrJoin(args, " ");
    EXPECT_EQ(run.out, "") << absl::StrJoin(args, " ");
  }
  EXPECT_FALSE(fs::exists(dir_));
  EXPECT_FALSE(fs::exists(key_file_));
}

}  // namespace
}  // namespace sealtrail::cli
