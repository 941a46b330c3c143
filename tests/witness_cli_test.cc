// Tests of `sealtrail witness`, and the insider rewrite it exists to catch: someone with root
// and the signing key edits a record in a sealed segment, rebuilds every hash, node table, footer
// and the chain, and signs a fresh checkpoint. `sealtrail verify` cannot tell (the attacker had
// the key); a witness that recorded an earlier checkpoint reports the fork with both roots.
//
// Everything runs the built binary (SEALTRAIL_CLI_PATH) on real files, except where a test needs
// a library function to build its input (a log, a signed note).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/checkpoint_commands.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cli/local_commands.h"
#include "cli/output.h"
#include "cli/witness.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/note.h"
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
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::ProcessResult;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr uint32_t kLeavesPerSegmentLog2 = 3;  // 8 records per segment: many sealed segments.
constexpr char kKeyName[] = "audit.example/log";

Env* env() { return Env::Default(); }

std::vector<std::string> MakeRecords(size_t n, size_t first = 0) {
  std::vector<std::string> records;
  for (size_t i = first; i < first + n; ++i) {
    records.push_back(absl::StrCat("{\"seq\":", i, ",\"actor\":\"agent-", i % 7,
                                   "\",\"action\":\"call.answer\",\"outcome\":\"success\"}"));
  }
  return records;
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string RootB64(const std::vector<std::string>& records, size_t size) {
  return HashToBase64(testing::RefMth(absl::MakeConstSpan(records).first(size)));
}

// Appends `records` to the log in `dir`, creating it (2^kLeavesPerSegmentLog2 leaves per
// segment) if missing.
void AppendToLog(const std::string& dir, const std::vector<std::string>& records) {
  LogOptions options;
  options.leaves_per_segment_log2 = kLeavesPerSegmentLog2;
  options.sync = SyncPolicy::kNone;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(options, dir));
  ASSERT_OK(AppendRecords(*log, records).status());
}

// Every record of the log in `dir`, read through a read-only Log.
void ReadAllRecords(const std::string& dir, std::vector<std::string>* records) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, OpenDataDir(dir, OpenMode::kReadOnly));
  records->clear();
  for (uint64_t i = 0; i < log->Size(); ++i) {
    ASSERT_OK_AND_ASSIGN(std::string record, log->Read(i));
    records->push_back(std::move(record));
  }
}

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef SEALTRAIL_CLI_PATH
    GTEST_SKIP() << "SEALTRAIL_CLI_PATH is not defined";
#endif
    AppendToLog(dir_, records_);
    const ProcessResult keygen = Sealtrail({"keygen", "--name", kKeyName, "--out", key_file_});
    ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
    vkey_ = keygen.out.substr(0, keygen.out.size() - 1);
  }

  ProcessResult Sealtrail(const std::vector<std::string>& args, const std::string& input = "") {
#ifdef SEALTRAIL_CLI_PATH
    return testing::RunProcess(SEALTRAIL_CLI_PATH, args, input, tmp_);
#else
    (void)args, (void)input;
    return {};
#endif
  }

  // `local checkpoint --key` on `dir`; the printed note.
  std::string SignCheckpoint(const std::string& dir, const std::string& key_file,
                             const std::vector<std::string>& extra_flags = {}) {
    std::vector<std::string> args = {"local", "checkpoint", "--data", dir, "--key", key_file};
    args.insert(args.end(), extra_flags.begin(), extra_flags.end());
    const ProcessResult run = Sealtrail(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  }

  // Writes `contents` to a new file in the scratch directory and returns its path.
  std::string FileWith(const std::string& name, const std::string& contents) {
    EXPECT_OK(testing::WriteWholeFile(tmp_.Sub(name), contents));
    return tmp_.Sub(name);
  }

  // `local prove-consistency` on dir_, written to a file; its path.
  std::string ConsistencyProofFile(const std::string& dir, uint64_t old_size, uint64_t new_size) {
    const ProcessResult run = Sealtrail({"local", "prove-consistency", "--data", dir, "--old",
                                         absl::StrCat(old_size), "--new", absl::StrCat(new_size)});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return FileWith(absl::StrCat("proof-", old_size, "-", new_size, ".json"), run.out);
  }

  ProcessResult WitnessFiles(const std::string& checkpoint_file,
                             const std::optional<std::string>& proof_file = std::nullopt,
                             const std::vector<std::string>& extra_flags = {}) {
    std::vector<std::string> args = {"witness", "--state",      state_,         "--vkey",
                                     vkey_,     "--checkpoint", checkpoint_file};
    if (proof_file.has_value()) {
      args.push_back("--proof");
      args.push_back(*proof_file);
    }
    args.insert(args.end(), extra_flags.begin(), extra_flags.end());
    return Sealtrail(args);
  }

  ProcessResult WitnessData(const std::string& dir) {
    return Sealtrail({"witness", "--state", state_, "--vkey", vkey_, "--data", dir});
  }

  // The state file's bytes, or "<missing>".
  std::string State() {
    if (!fs::exists(state_)) return "<missing>";
    absl::StatusOr<std::string> bytes = testing::ReadWholeFile(state_);
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    return bytes.value_or("");
  }

  // Asserts a refusal: exit code, the JSON with both sizes and roots, the same message on
  // stderr, and the state file exactly as it was.
  void ExpectRefused(const ProcessResult& run, int exit_code, const Json& old_size,
                     const Json& old_root, const Json& new_size, const Json& new_root,
                     const std::string& state_before) {
    EXPECT_EQ(run.exit_code, exit_code) << run.err;
    const Json json = OnlyLine(run.out);
    std::vector<std::string> keys;
    for (auto it = json.begin(); it != json.end(); ++it) keys.push_back(it.key());
    EXPECT_THAT(keys,
                ElementsAre("accepted", "error", "old_size", "old_root", "new_size", "new_root"));
    EXPECT_EQ(json["accepted"], false);
    EXPECT_EQ(json["old_size"], old_size);
    EXPECT_EQ(json["old_root"], old_root);
    EXPECT_EQ(json["new_size"], new_size);
    EXPECT_EQ(json["new_root"], new_root);
    EXPECT_EQ(run.err, absl::StrCat("sealtrail: ", json["error"].get<std::string>(), "\n"));
    EXPECT_EQ(State(), state_before);
  }

  ScratchDir tmp_;
  const std::string dir_ = tmp_.Sub("data");
  const std::string key_file_ = tmp_.Sub("log.key");
  const std::string state_ = tmp_.Sub("witness.state");
  const std::vector<std::string> records_ = MakeRecords(100);
  std::string vkey_;
};

// ---- Accepting ----

TEST_F(WitnessTest, FirstCheckpointIsAcceptedWithoutProofAndRecordedExactly) {
  const std::string note = SignCheckpoint(dir_, key_file_);
  const ProcessResult run = WitnessFiles(FileWith("note", note));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(run.out,
            absl::StrCat("{\"accepted\":true,\"old_size\":null,\"new_size\":100,\"root\":\"",
                         RootB64(records_, 100), "\"}\n"));
  EXPECT_EQ(State(), note);
  EXPECT_THAT(testing::ListDir(tmp_.path()),
              IsOkAndHolds(::testing::Not(::testing::Contains("witness.state.tmp"))));
}

TEST_F(WitnessTest, GrownLogIsAcceptedWithAConsistencyProof) {
  const std::string note100 = SignCheckpoint(dir_, key_file_);
  ASSERT_EQ(WitnessFiles(FileWith("note100", note100)).exit_code, 0);
  const std::vector<std::string> more = MakeRecords(30, 100);
  AppendToLog(dir_, more);
  const std::string note130 = SignCheckpoint(dir_, key_file_);

  const ProcessResult run =
      WitnessFiles(FileWith("note130", note130), ConsistencyProofFile(dir_, 100, 130));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            absl::StrCat("{\"accepted\":true,\"old_size\":100,\"new_size\":130,\"root\":\"",
                         RootB64(Concat(records_, more), 130), "\"}\n"));
  EXPECT_EQ(State(), note130);
}

TEST_F(WitnessTest, CheckpointFromStandardInput) {
  const std::string note = SignCheckpoint(dir_, key_file_);
  const ProcessResult run =
      Sealtrail({"witness", "--state", state_, "--vkey", vkey_, "--checkpoint", "-"}, note);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(State(), note);
}

TEST_F(WitnessTest, DataDirModeTakesTheNewestCheckpointAndBuildsTheProof) {
  const std::string note100 = SignCheckpoint(dir_, key_file_);
  ProcessResult run = WitnessData(dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(OnlyLine(run.out)["old_size"], nullptr);
  EXPECT_EQ(State(), note100);

  const std::vector<std::string> more = MakeRecords(37, 100);
  AppendToLog(dir_, more);
  const std::string note137 = SignCheckpoint(dir_, key_file_);
  run = WitnessData(dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            absl::StrCat("{\"accepted\":true,\"old_size\":100,\"new_size\":137,\"root\":\"",
                         RootB64(Concat(records_, more), 137), "\"}\n"));
  EXPECT_EQ(State(), note137);

  // Nothing new: the same checkpoint again is accepted and nothing changes.
  run = WitnessData(dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(OnlyLine(run.out)["old_size"], 137);
  EXPECT_EQ(State(), note137);
}

TEST_F(WitnessTest, VerifierKeyFileIsAccepted) {
  const std::string note = SignCheckpoint(dir_, key_file_);
  vkey_ = FileWith("vkey", vkey_ + "\n");
  const ProcessResult run = WitnessData(dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(State(), note);
}

TEST_F(WitnessTest, DataDirWithoutCheckpointsIsNotFound) {
  const ProcessResult run = WitnessData(dir_);
  ExpectRefused(run, 2, nullptr, nullptr, nullptr, nullptr, "<missing>");
  EXPECT_THAT(run.err, HasSubstr("no checkpoint is stored"));
}

// ---- Refusing ----

class WitnessRefusalTest : public WitnessTest {
 protected:
  void SetUp() override {
    WitnessTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    note100_ = SignCheckpoint(dir_, key_file_);
    more_ = MakeRecords(30, 100);
    AppendToLog(dir_, more_);
    note130_ = SignCheckpoint(dir_, key_file_);
    root100_ = RootB64(records_, 100);
    root130_ = RootB64(Concat(records_, more_), 130);
  }

  // Makes the witness trust `note`.
  void Trust(const std::string& note) { ASSERT_OK(testing::WriteWholeFile(state_, note)); }

  std::string note100_;
  std::string note130_;
  std::vector<std::string> more_;
  std::string root100_;
  std::string root130_;
};

TEST_F(WitnessRefusalTest, SmallerTreeIsRefusedWithExitThree) {
  Trust(note130_);
  const ProcessResult run = WitnessFiles(FileWith("note100", note100_));
  ExpectRefused(run, 3, 130, root130_, 100, root100_, note130_);
  EXPECT_THAT(run.err, HasSubstr("smaller"));
}

TEST_F(WitnessRefusalTest, DifferentRootAtTheSameSizeIsAFork) {
  const std::string other_dir = tmp_.Sub("other");
  const std::vector<std::string> other_records = MakeRecords(100, 1000);
  AppendToLog(other_dir, other_records);
  const std::string fork = SignCheckpoint(other_dir, key_file_);
  Trust(note100_);
  const ProcessResult run = WitnessFiles(FileWith("fork", fork));
  ExpectRefused(run, 3, 100, root100_, 100, RootB64(other_records, 100), note100_);
}

TEST_F(WitnessRefusalTest, ProofForTheWrongSizesIsRefused) {
  Trust(note100_);
  const std::string note130 = FileWith("note130", note130_);
  ExpectRefused(WitnessFiles(note130, ConsistencyProofFile(dir_, 50, 130)), 2, 100, root100_, 130,
                root130_, note100_);
  ExpectRefused(WitnessFiles(note130, ConsistencyProofFile(dir_, 100, 120)), 2, 100, root100_, 130,
                root130_, note100_);
}

TEST_F(WitnessRefusalTest, MissingProofIsRefused) {
  Trust(note100_);
  ExpectRefused(WitnessFiles(FileWith("note130", note130_)), 2, 100, root100_, 130, root130_,
                note100_);
}

TEST_F(WitnessRefusalTest, ProofFromAnotherHistoryIsAFork) {
  // A log that shares no history with dir_ but has the same sizes, signed with the same key.
  const std::string other_dir = tmp_.Sub("other");
  const std::vector<std::string> other_records = MakeRecords(130, 1000);
  AppendToLog(other_dir, other_records);
  const std::string other130 = SignCheckpoint(other_dir, key_file_);
  Trust(note100_);
  ExpectRefused(
      WitnessFiles(FileWith("other130", other130), ConsistencyProofFile(other_dir, 100, 130)), 3,
      100, root100_, 130, RootB64(other_records, 130), note100_);
}

TEST_F(WitnessRefusalTest, CheckpointSignedByAnotherKeyIsRefused) {
  const std::string other_key = tmp_.Sub("other.key");
  ASSERT_EQ(Sealtrail({"keygen", "--name", kKeyName, "--out", other_key}).exit_code, 0);
  const std::string other_dir = tmp_.Sub("other");
  AppendToLog(other_dir, Concat(records_, more_));
  const std::string forged = FileWith("forged", SignCheckpoint(other_dir, other_key));
  Trust(note100_);
  ProcessResult run = WitnessFiles(forged, ConsistencyProofFile(dir_, 100, 130));
  ExpectRefused(run, 3, 100, root100_, 130, root130_, note100_);
  // Not even as the first checkpoint.
  ASSERT_OK(testing::RemovePath(state_));
  run = WitnessFiles(forged);
  ExpectRefused(run, 3, nullptr, nullptr, 130, root130_, "<missing>");
}

TEST_F(WitnessRefusalTest, WrongOriginIsRefused) {
  // Signed by the right key but for another origin than the key's name.
  const std::string other_dir = tmp_.Sub("other");
  AppendToLog(other_dir, Concat(records_, more_));
  const std::string elsewhere =
      FileWith("elsewhere", SignCheckpoint(other_dir, key_file_, {"--origin", "audit.example/x"}));
  Trust(note100_);
  const std::string proof = ConsistencyProofFile(dir_, 100, 130);
  ExpectRefused(WitnessFiles(elsewhere, proof), 3, 100, root100_, 130, root130_, note100_);
  // The witness expecting another origin than the log's refuses the log's own checkpoint.
  ExpectRefused(WitnessFiles(FileWith("note130", note130_), proof, {"--origin", "audit.example/x"}),
                3, 100, root100_, 130, root130_, note100_);
}

TEST_F(WitnessRefusalTest, MalformedCheckpointIsRefused) {
  Trust(note100_);
  const std::string truncated = note130_.substr(0, note130_.size() - 5);
  ExpectRefused(
      WitnessFiles(FileWith("truncated", truncated), ConsistencyProofFile(dir_, 100, 130)), 2, 100,
      root100_, nullptr, nullptr, note100_);
}

TEST_F(WitnessRefusalTest, ARunningWitnessHoldsTheLock) {
  Trust(note100_);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<FileLock> lock, env()->LockFile(state_ + ".lock"));
  const ProcessResult run =
      WitnessFiles(FileWith("note130", note130_), ConsistencyProofFile(dir_, 100, 130));
  EXPECT_EQ(run.exit_code, 4) << run.err;
  EXPECT_THAT(run.err, HasSubstr("another witness run holds the lock"));
  EXPECT_EQ(State(), note100_);
}

// ---- The insider rewrite ----

// Acts as root holding the signing key: reads every record of `dir`, changes the bytes of record
// `index`, writes a brand-new data directory with the altered records followed by `extra`
// (Log::Append rebuilds every leaf hash, node table, footer and the segment chain consistently)
// and renames it over `dir`. The new directory starts with no checkpoints unless
// `keep_checkpoints`, in which case the old checkpoints file is copied over unchanged.
// Returns the rewritten records.
void RewriteHistory(const std::string& dir, uint64_t index, const std::vector<std::string>& extra,
                    bool keep_checkpoints, std::vector<std::string>* rewritten) {
  std::vector<std::string> records;
  ReadAllRecords(dir, &records);
  ASSERT_LT(index, records.size());
  // The record sits in a sealed segment: its hash is inside a sealed footer and the chain.
  ASSERT_OK_AND_ASSIGN(const std::string segment, testing::ReadWholeFile(testing::SegmentPath(
                                                      dir, index >> kLeavesPerSegmentLog2)));
  ASSERT_OK_AND_ASSIGN(const testing::SegmentLayout layout,
                       testing::ParseSegmentLayout(segment, kLeavesPerSegmentLog2));
  ASSERT_TRUE(layout.sealed);

  records[index] =
      absl::StrCat(records[index].substr(0, records[index].size() - 10), "\"denied\"}");
  records.insert(records.end(), extra.begin(), extra.end());
  const std::string forged_dir = dir + ".forged";
  AppendToLog(forged_dir, records);
  if (keep_checkpoints) {
    ASSERT_OK_AND_ASSIGN(const std::string checkpoints,
                         testing::ReadWholeFile(dir + "/checkpoints"));
    ASSERT_OK(testing::WriteWholeFile(forged_dir + "/checkpoints", checkpoints));
  }
  fs::rename(dir, dir + ".original");
  fs::rename(forged_dir, dir);
  ASSERT_OK(testing::RemoveTree(dir + ".original"));
  *rewritten = std::move(records);
}

class InsiderRewriteTest : public WitnessTest {
 protected:
  void SetUp() override {
    WitnessTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    recorded_note_ = SignCheckpoint(dir_, key_file_);
    const ProcessResult run = WitnessData(dir_);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    ASSERT_EQ(State(), recorded_note_);
    recorded_root_ = RootB64(records_, 100);
  }

  // `sealtrail verify` with the real verifier key: passes when the attacker re-signed.
  void ExpectVerifyPasses(uint64_t records, const std::string& root) {
    const ProcessResult run = Sealtrail({"verify", "--data", dir_, "--vkey", vkey_});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const Json json = OnlyLine(run.out);
    EXPECT_EQ(json["ok"], true);
    EXPECT_EQ(json["records"], records);
    EXPECT_EQ(json["checkpoints"], 1);
    EXPECT_EQ(json["latest_checkpoint_size"], records);
    EXPECT_EQ(json["root"], root);
  }

  static constexpr uint64_t kEditedRecord = 13;  // In segment 1 of 12 sealed ones.
  std::string recorded_note_;
  std::string recorded_root_;
};

TEST_F(InsiderRewriteTest, RewriteResignedWithTheRealKeyPassesVerifyButTheWitnessReportsTheFork) {
  std::vector<std::string> rewritten;
  RewriteHistory(dir_, kEditedRecord, MakeRecords(20, 100), /*keep_checkpoints=*/false, &rewritten);
  const std::string forged_note = SignCheckpoint(dir_, key_file_);
  ASSERT_OK_AND_ASSIGN(const NoteVerifierKey vkey, ParseNoteVerifierKey(vkey_));
  ASSERT_OK_AND_ASSIGN(const Checkpoint forged, VerifyCheckpoint(forged_note, vkey));
  EXPECT_EQ(forged.size, 120u);
  const std::string forged_root = RootB64(rewritten, 120);
  ASSERT_NE(RootB64(rewritten, 100), recorded_root_);

  // The attacker had the key: every offline check of the directory alone passes.
  ExpectVerifyPasses(120, forged_root);
  EXPECT_EQ(Sealtrail({"local", "verify", "--data", dir_}).exit_code, 0);

  // The witness's recorded checkpoint is not a prefix of the rewritten tree.
  const ProcessResult run = WitnessData(dir_);
  ExpectRefused(run, 3, 100, recorded_root_, 120, forged_root, recorded_note_);
  EXPECT_THAT(run.err, HasSubstr(recorded_root_));
  EXPECT_THAT(run.err, HasSubstr(forged_root));
}

TEST_F(InsiderRewriteTest, RewriteAtTheRecordedSizeIsAFork) {
  std::vector<std::string> rewritten;
  RewriteHistory(dir_, kEditedRecord, {}, /*keep_checkpoints=*/false, &rewritten);
  SignCheckpoint(dir_, key_file_);
  const std::string forged_root = RootB64(rewritten, 100);
  ASSERT_NE(forged_root, recorded_root_);

  ExpectVerifyPasses(100, forged_root);
  const ProcessResult run = WitnessData(dir_);
  ExpectRefused(run, 3, 100, recorded_root_, 100, forged_root, recorded_note_);
  EXPECT_THAT(run.err, HasSubstr(recorded_root_));
  EXPECT_THAT(run.err, HasSubstr(forged_root));
}

TEST_F(InsiderRewriteTest, RewriteToASmallerLogIsRefused) {
  std::vector<std::string> all;
  ReadAllRecords(dir_, &all);
  // Drop the last 10 records as well as editing one: a rollback.
  const std::string shorter = tmp_.Sub("shorter");
  std::vector<std::string> kept(all.begin(), all.begin() + 90);
  kept[kEditedRecord] += " ";
  AppendToLog(shorter, kept);
  ASSERT_OK(testing::RemoveTree(dir_));
  fs::rename(shorter, dir_);
  SignCheckpoint(dir_, key_file_);

  ExpectVerifyPasses(90, RootB64(kept, 90));
  ExpectRefused(WitnessData(dir_), 3, 100, recorded_root_, 90, RootB64(kept, 90), recorded_note_);
}

TEST_F(InsiderRewriteTest, RewriteWithoutResigningIsCaughtByVerify) {
  std::vector<std::string> rewritten;
  RewriteHistory(dir_, kEditedRecord, MakeRecords(20, 100), /*keep_checkpoints=*/true, &rewritten);
  // Rehashing the directory alone cannot tell: every hash, footer and the chain are consistent.
  EXPECT_EQ(Sealtrail({"local", "verify", "--data", dir_}).exit_code, 0);

  // The stored checkpoint, signed before the rewrite, does not match the data.
  const ProcessResult run = Sealtrail({"verify", "--data", dir_, "--vkey", vkey_});
  EXPECT_EQ(run.exit_code, 3) << run.err;
  const Json json = OnlyLine(run.out);
  EXPECT_EQ(json["ok"], false);
  EXPECT_THAT(json["error"].get<std::string>(),
              ::testing::AllOf(HasSubstr("stored checkpoint 1 of 1 (size 100)"),
                               HasSubstr(recorded_root_), HasSubstr(RootB64(rewritten, 100))));
  EXPECT_THAT(run.err, StartsWith("sealtrail: stored checkpoint 1 of 1"));

  // Nor will the log sign a checkpoint that does not extend the stored one.
  const ProcessResult sign = Sealtrail({"local", "checkpoint", "--data", dir_, "--key", key_file_});
  EXPECT_EQ(sign.exit_code, 3) << sign.err;
  EXPECT_EQ(sign.out, "");
}

// ---- Library level ----

TEST(WitnessLibraryTest, RefusalLeavesTheStateAndSmallerTreeIsMarkedAsAVerificationFailure) {
  ScratchDir tmp;
  const std::string dir = tmp.Sub("data");
  AppendToLog(dir, MakeRecords(10));
  std::ostringstream keygen;
  ASSERT_OK(RunKeygen(env(), kKeyName, tmp.Sub("k"), keygen));
  const std::string vkey = keygen.str().substr(0, keygen.str().size() - 1);
  const WitnessArgs args{tmp.Sub("state"), vkey, ""};
  std::ostringstream signed10;
  ASSERT_OK(RunSignCheckpoint(env(), dir, tmp.Sub("k"), "", signed10));
  AppendToLog(dir, MakeRecords(5, 10));
  std::ostringstream signed15;
  ASSERT_OK(RunSignCheckpoint(env(), dir, tmp.Sub("k"), "", signed15));
  ASSERT_OK(testing::WriteWholeFile(tmp.Sub("note10"), signed10.str()));

  std::istringstream in;
  std::ostringstream out;
  ASSERT_OK(RunWitness(env(), args, CandidateFromDataDir(env(), dir), out));
  EXPECT_EQ(OnlyLine(out.str())["new_size"], 15);

  std::ostringstream refused;
  const absl::Status status = RunWitness(
      env(), args, CandidateFromFiles(env(), tmp.Sub("note10"), std::nullopt, in), refused);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("rollback")));
  EXPECT_EQ(ExitCodeForStatus(status), 3);
  EXPECT_EQ(OnlyLine(refused.str())["old_size"], 15);
  EXPECT_THAT(testing::ReadWholeFile(args.state_file), IsOkAndHolds(signed15.str()));
}

TEST(WitnessLibraryTest, PeekCheckpointReadsWithoutVerifying) {
  Checkpoint checkpoint;
  checkpoint.origin = "o";
  checkpoint.size = 7;
  checkpoint.root = HashLeaf("x");
  const std::string note = FormatCheckpointBody(checkpoint) + "\n\xE2\x80\x94 o AAAAAAAA\n";
  const std::optional<Checkpoint> peeked = PeekCheckpoint(note);
  ASSERT_TRUE(peeked.has_value());
  EXPECT_EQ(peeked->size, 7u);
  EXPECT_EQ(peeked->root, checkpoint.root);
  EXPECT_FALSE(PeekCheckpoint("not a note").has_value());
}

}  // namespace
}  // namespace sealtrail::cli
