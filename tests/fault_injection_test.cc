// Fault injection on the write, seal and recovery paths.
//
// A fixed workload is run once without faults to list every mutating file-system operation it
// makes. Then each operation is failed in turn, in a fresh directory: "without effect" (nothing
// happens), "with effect" (it happens, then reports an error) and, for writes, as a short write.
// While the workload runs, the writer's contract is checked (a failed Append stops the writer
// for good; nothing is acknowledged after a fault). Then the directory is reopened with the
// plain Env and judged by one oracle: every acknowledged record is there byte for byte and no
// other, VerifyDataDir passes, and the log keeps appending.
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/verify.h"
#include "testing/fault_env.h"
#include "testing/log_workload.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::testing {
namespace {

constexpr uint64_t kSeed = 0x5EA17A11;
constexpr uint32_t kLog2 = 2;  // 4 leaves per segment: a seal every few records.
constexpr uint64_t kLeaves = uint64_t{1} << kLog2;
constexpr uint32_t kMaxRecordBytes = 160;
constexpr int kWorkloadBatches = 40;
constexpr uint32_t kMaxBatch = 5;  // More than kLeaves: one Append can span two seals.
constexpr int kRecoveryBatches = 4;

std::vector<uint32_t> WorkloadPlan() { return BatchPlan(kSeed, kWorkloadBatches, kMaxBatch); }
std::vector<uint32_t> RecoveryPlan() { return BatchPlan(kSeed + 1, kRecoveryBatches, kMaxBatch); }

// The sweeps make tens of thousands of fsyncs and need none of them to be durable (nothing here
// loses the page cache; the faults are the failures), so they run on tmpfs when there is one:
// on a disk shared with builds, fsync latency would make minutes of them. TEST_TMPDIR wins.
std::string ScratchRootForSweeps() {
  const char* test_tmpdir = std::getenv("TEST_TMPDIR");
  if (test_tmpdir != nullptr && test_tmpdir[0] != '\0') return test_tmpdir;
  struct stat st;
  if (::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && ::access("/dev/shm", W_OK) == 0) {
    return "/dev/shm";
  }
  return "";  // ScratchDir's default
}

LogOptions Options(Env* env) {
  LogOptions options;
  options.env = env;
  options.leaves_per_segment_log2 = kLog2;
  options.sync = SyncPolicy::kDurable;
  return options;
}

// What a test may assume about the records in a directory.
struct Expectation {
  uint64_t acked = 0;     // [0, acked) were acknowledged (or served after a reopen).
  uint64_t may_have = 0;  // No record at or above this index may exist.
};

// Steps of the write path, told apart from an operation trace by Classify().
enum class Step {
  kOpen,         // anything Log::Open does (creation or recovery)
  kFrameWrite,   // records appended to the open segment
  kFrameSync,    // fdatasync that acknowledges them
  kSealWrite,    // node table, offset table and footer
  kSealSync,     // fdatasync of the sealed segment
  kSealChmod,    // the sealed segment made read-only
  kNextCreate,   // NAME.tmp of the next segment created
  kNextWrite,    // its header written
  kNextSync,     // and synced
  kNextRename,   // renamed into place
  kNextDirSync,  // the segments directory synced
  kNextOpen,     // the new segment opened for appending
  kOther,
};

std::string_view StepName(Step step) {
  switch (step) {
    case Step::kOpen:
      return "open";
    case Step::kFrameWrite:
      return "frame-write";
    case Step::kFrameSync:
      return "frame-sync";
    case Step::kSealWrite:
      return "seal-write";
    case Step::kSealSync:
      return "seal-sync";
    case Step::kSealChmod:
      return "seal-chmod";
    case Step::kNextCreate:
      return "next-segment-create";
    case Step::kNextWrite:
      return "next-segment-write";
    case Step::kNextSync:
      return "next-segment-sync";
    case Step::kNextRename:
      return "next-segment-rename";
    case Step::kNextDirSync:
      return "next-segment-dir-sync";
    case Step::kNextOpen:
      return "next-segment-open";
    case Step::kOther:
      return "other";
  }
  return "?";
}

// The steps every workload run must contain, so that the sweep hits each of them.
constexpr Step kRequiredSteps[] = {
    Step::kFrameWrite, Step::kFrameSync, Step::kSealWrite, Step::kSealSync,   Step::kSealChmod,
    Step::kNextCreate, Step::kNextWrite, Step::kNextSync,  Step::kNextRename, Step::kNextDirSync};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Bytes a seal appends to a segment (format README): node table, offset table, footer.
constexpr uint64_t kSealBytes = 32 * (2 * kLeaves - 1) + 8 * kLeaves + 112;

// Labels each operation after Open by the file it touches: NAME.seg is a segment, NAME.tmp a
// segment being created. The writes of a segment that make up its last kSealBytes before its
// MakeReadOnly, and the sync between, are the seal; its other writes and syncs append records.
std::vector<Step> Classify(const std::vector<OpRecord>& ops, uint64_t open_end) {
  std::vector<Step> steps(ops.size(), Step::kOther);
  for (size_t i = 0; i < ops.size(); ++i) {
    const OpRecord& op = ops[i];
    const bool tmp = EndsWith(op.path, ".tmp");
    const bool seg = EndsWith(op.path, ".seg");
    Step& step = steps[i];
    if (i < open_end) {
      step = Step::kOpen;
      continue;
    }
    switch (op.kind) {
      case OpKind::kAppend:
        step = tmp ? Step::kNextWrite : seg ? Step::kFrameWrite : Step::kOther;
        break;
      case OpKind::kSync:
        step = tmp ? Step::kNextSync : seg ? Step::kFrameSync : Step::kOther;
        break;
      case OpKind::kNewWritableFile:
        step = tmp ? Step::kNextCreate : Step::kOther;
        break;
      case OpKind::kNewAppendableFile:
        step = seg ? Step::kNextOpen : Step::kOther;
        break;
      case OpKind::kRename:
        step = Step::kNextRename;
        break;
      case OpKind::kSyncDir:
        step = Step::kNextDirSync;
        break;
      case OpKind::kMakeReadOnly: {
        // Back from the chmod: the seal's sync, then the writes that add up to the node table,
        // offset table and footer.
        step = Step::kSealChmod;
        bool synced = false;
        uint64_t seal_bytes = 0;
        for (size_t j = i; j-- > open_end && seal_bytes < kSealBytes;) {
          if (ops[j].path != op.path) continue;
          if (!synced && ops[j].kind == OpKind::kSync) {
            steps[j] = Step::kSealSync;
            synced = true;
          } else if (ops[j].kind == OpKind::kAppend && seal_bytes + ops[j].bytes <= kSealBytes) {
            steps[j] = Step::kSealWrite;
            seal_bytes += ops[j].bytes;
          } else {
            break;
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return steps;
}

// Failed assertions so far in the running test. A sweep compares it before and after a case
// to tell which cases failed (HasFailure() stays true for the rest of the test).
int FailureCount() {
  const ::testing::TestResult* result =
      ::testing::UnitTest::GetInstance()->current_test_info()->result();
  int failures = 0;
  for (int i = 0; i < result->total_part_count(); ++i) {
    if (result->GetTestPartResult(i).failed()) ++failures;
  }
  return failures;
}

std::vector<OpRecord> RelativeTo(std::vector<OpRecord> ops, const std::string& dir) {
  const std::string prefix = dir + "/";
  // Creating the data directory syncs its parent, which differs from one scratch dir to the next.
  const std::string parent = dir.substr(0, dir.find_last_of('/'));
  for (OpRecord& op : ops) {
    for (std::string* path : {&op.path, &op.target}) {
      if (*path == dir) {
        path->resize(1);
        (*path)[0] = '.';
      } else if (*path == parent) {
        *path = "..";
      } else if (path->rfind(prefix, 0) == 0) {
        path->erase(0, prefix.size());
      }
    }
  }
  return ops;
}

// Reads [begin, end) and compares each record with the one the workload wrote there.
void ExpectRecords(const Log& log, uint64_t begin, uint64_t end) {
  for (uint64_t i = begin; i < end; ++i) {
    absl::StatusOr<std::string> got = log.Read(i);
    ASSERT_OK(got) << "record " << i;
    const std::string want = RecordAt(kSeed, i, kMaxRecordBytes);
    ASSERT_TRUE(*got == want) << "record " << i << " differs from what was appended ("
                              << got->size() << " bytes read, " << want.size() << " written)";
  }
}

struct StageResult {
  uint64_t open_end = 0;            // operations counted when Open returned
  std::vector<uint64_t> batch_ops;  // operations counted when each Append started
  int first_failed_batch = -1;
};

// One writer session: opens `dir` through `env`, checks what it recovered against `expect`,
// appends `plan` from the log's size on while checking the writer's contract, destroys the
// log. Updates `expect`. Returns early (with a failure recorded) on a broken contract.
// A stage that only sets up a broken directory for another stage to recover from passes
// `judge_writer` = false: it skips the checks of the failed writer's live state and its
// operations after the fault, which the sweep over that same fault already makes.
void RunStage(FaultInjectionEnv* env, const std::string& dir, absl::Span<const uint32_t> plan,
              Expectation* expect, StageResult* result, bool judge_writer = true,
              const std::function<void(size_t)>& before_batch = {}) {
  absl::StatusOr<std::unique_ptr<Log>> opened = Log::Open(Options(env), dir);
  result->open_end = env->op_count();
  const std::optional<OpRecord> open_fault = env->injected();
  if (!opened.ok()) {
    ASSERT_TRUE(open_fault.has_value())
        << "Open failed with no fault injected: " << opened.status();
    return;
  }
  ASSERT_FALSE(open_fault.has_value())
      << "Open returned OK although " << *open_fault << " failed during it";
  std::unique_ptr<Log> log = *std::move(opened);

  uint64_t next = log->Size();
  ASSERT_GE(next, expect->acked) << "Open lost acknowledged records";
  ASSERT_LE(next, expect->may_have) << "Open found records that were never appended";
  ExpectRecords(*log, 0, next);
  expect->acked = expect->may_have = next;

  for (size_t k = 0; k < plan.size(); ++k) {
    if (before_batch) before_batch(k);
    RecordBatch batch = MakeBatch(kSeed, next, plan[k], kMaxRecordBytes);
    result->batch_ops.push_back(env->op_count());
    const std::optional<OpRecord> fault_before = env->injected();
    absl::StatusOr<uint64_t> appended = log->Append(batch.views);
    const std::optional<OpRecord> fault_after = env->injected();
    if (appended.ok()) {
      ASSERT_EQ(result->first_failed_batch, -1)
          << "Append #" << k << " succeeded after Append #" << result->first_failed_batch
          << " had failed: a failed writer must stay stopped";
      ASSERT_FALSE(fault_after.has_value())
          << "Append #" << k << " succeeded although " << *fault_after
          << (fault_before.has_value() ? " had failed before it" : " failed while it ran");
      ASSERT_EQ(*appended, next) << "Append #" << k << " returned the wrong first index";
      next += plan[k];
      expect->acked = expect->may_have = next;
    } else if (result->first_failed_batch == -1) {
      ASSERT_TRUE(fault_after.has_value())
          << "Append #" << k << " failed with no fault injected: " << appended.status();
      result->first_failed_batch = static_cast<int>(k);
      // The failed batch may or may not have reached the disk; later ones must not.
      expect->may_have = next + plan[k];
    }
  }
  if (!judge_writer) return;
  // Reads keep serving exactly the acknowledged records, even after a failure.
  EXPECT_EQ(log->Size(), expect->acked)
      << "the failed writer's Size() is not its acknowledged count";
  ExpectRecords(*log, 0, expect->acked);
  log.reset();

  if (const std::optional<OpRecord> fault = env->injected(); fault.has_value()) {
    for (const OpRecord& op : env->trace()) {
      if (op.index <= fault->index) continue;
      EXPECT_TRUE(op.kind != OpKind::kAppend && op.kind != OpKind::kSync)
          << "the writer kept writing after " << *fault << ": " << op;
    }
  }
}

// The oracle: reopens `dir` with the plain Env, checks every record against `expect`, runs
// VerifyDataDir, then appends a batch that crosses a seal and verifies again.
void CheckRecoveredAndContinue(const std::string& dir, const Expectation& expect) {
  TreeHead head;
  {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(Options(Env::Default()), dir);
    ASSERT_OK(log) << "reopen with the plain Env";
    absl::StatusOr<TreeHead> got_head = (*log)->Head();
    ASSERT_OK(got_head) << "Head after reopen";
    head = *got_head;
    ASSERT_GE(head.size, expect.acked) << "acknowledged records were lost";
    ASSERT_LE(head.size, expect.may_have)
        << "records of Appends made after the writer had failed are in the log";
    // Nor is any of the refused Append's: it was rolled back, or recovery removed it (also the
    // part sealed before the fault). With one appender no other batch shares its sync.
    EXPECT_EQ(head.size, expect.acked) << "records of the refused Append came back";
    ExpectRecords(**log, 0, head.size);
  }
  absl::StatusOr<VerifyReport> report = VerifyDataDir(dir);
  ASSERT_OK(report) << "VerifyDataDir after recovery";
  EXPECT_EQ(report->records, head.size);
  EXPECT_EQ(HashToBase64(report->root), HashToBase64(head.root));

  const uint32_t more = kLeaves + 1;
  {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(Options(Env::Default()), dir);
    ASSERT_OK(log) << "second reopen";
    ASSERT_EQ((*log)->Size(), head.size) << "a second reopen changed the size";
    RecordBatch batch = MakeBatch(kSeed, head.size, more, kMaxRecordBytes);
    absl::StatusOr<uint64_t> first = (*log)->Append(batch.views);
    ASSERT_OK(first) << "appending after recovery";
    EXPECT_EQ(*first, head.size);
    ExpectRecords(**log, 0, head.size + more);
  }
  report = VerifyDataDir(dir);
  ASSERT_OK(report) << "VerifyDataDir after appending to the recovered log";
  EXPECT_EQ(report->records, head.size + more);
}

struct StageSpec {
  std::vector<uint32_t> plan;
  std::optional<uint64_t> fault_op;  // the operation of this stage to fail, if any
  FaultMode mode;
  // The writer's own cleanup after the fault (truncating what it wrote back to the acknowledged
  // size) fails too, leaving the directory as a crash at the fault would.
  bool cleanup_fails = false;
};

StageSpec Stage(std::vector<uint32_t> plan, std::optional<uint64_t> fault_op = std::nullopt,
                FaultMode mode = FaultMode::kWithoutEffect, bool cleanup_fails = false) {
  return StageSpec{std::move(plan), fault_op, mode, cleanup_fails};
}

// What the last stage of a run did, with paths relative to the log directory.
struct Recording {
  std::vector<OpRecord> ops;
  std::vector<Step> steps;
  StageResult stage;
};

// Runs `stages` one after another on a fresh directory, each through its own
// FaultInjectionEnv, then judges the directory. When `reference` is given, the last stage must
// make the same operations as the reference up to its fault (the sweep relies on it).
Recording RunStages(const std::vector<StageSpec>& stages, const Recording* reference = nullptr) {
  ScratchDir scratch("sealtrail_fault", ScratchRootForSweeps());
  const std::string dir = scratch.Sub("log");
  Expectation expect;
  Recording recording;
  const int failures = FailureCount();
  for (const StageSpec& spec : stages) {
    FaultInjectionEnv env;
    if (spec.fault_op.has_value()) {
      env.FailOp(*spec.fault_op, Fault(spec.mode, std::nullopt,
                                       spec.cleanup_fails ? std::optional<OpKind>(OpKind::kTruncate)
                                                          : std::nullopt));
    }
    recording.stage = StageResult();
    RunStage(&env, dir, spec.plan, &expect, &recording.stage,
             /*judge_writer=*/&spec == &stages.back());
    recording.ops = RelativeTo(env.trace(), dir);
    if (FailureCount() > failures) return recording;
    if (spec.fault_op.has_value()) {
      std::optional<OpRecord> fault = env.injected();
      EXPECT_TRUE(fault.has_value()) << "the fault never fired: fewer operations than expected";
      if (!fault.has_value()) return recording;
    }
  }
  recording.steps = Classify(recording.ops, recording.stage.open_end);
  if (reference != nullptr && stages.back().fault_op.has_value()) {
    const uint64_t fault_op = *stages.back().fault_op;
    for (uint64_t i = 0; i <= fault_op; ++i) {
      const OpRecord& got = recording.ops[i];
      const OpRecord& want = reference->ops[i];
      EXPECT_TRUE(got.kind == want.kind && got.path == want.path)
          << "the operations diverged from the dry run: " << got << " instead of " << want;
      if (got.kind != want.kind || got.path != want.path) return recording;
    }
  }
  CheckRecoveredAndContinue(dir, expect);
  return recording;
}

std::string Describe(const OpRecord& op, Step step, FaultMode mode) {
  std::ostringstream os;
  os << op << " [" << StepName(step) << "], fault " << FaultModeName(mode);
  return os.str();
}

// Fails, in turn, every operation the last stage of `stages` made in `reference` (up to
// `limit`), in `mode`, each in a fresh directory.
void SweepLastStage(std::vector<StageSpec> stages, const Recording& reference, FaultMode mode,
                    uint64_t limit) {
  std::vector<std::string> failed;
  int cases = 0;
  for (const OpRecord& op : reference.ops) {
    if (op.index >= limit) break;
    if (mode == FaultMode::kShortWrite && op.kind != OpKind::kAppend) continue;
    const std::string what = Describe(op, reference.steps[op.index], mode);
    SCOPED_TRACE(what);
    const int failures = FailureCount();
    stages.back().fault_op = op.index;
    stages.back().mode = mode;
    RunStages(stages, &reference);
    ++cases;
    if (FailureCount() > failures) failed.push_back(what);
  }
  std::string list;
  for (const std::string& what : failed) list += "\n  " + what;
  EXPECT_TRUE(failed.empty()) << failed.size() << " of " << cases << " fault cases failed:" << list;
  EXPECT_GT(cases, 0);
  std::printf("[ sweep    ] %d fault cases in mode %s\n", cases,
              std::string(FaultModeName(mode)).c_str());
}

Recording RecordWorkload() {
  Recording dry = RunStages({Stage(WorkloadPlan())});
  EXPECT_EQ(dry.stage.first_failed_batch, -1) << "the workload failed without a fault";
  return dry;
}

void SweepWorkload(FaultMode mode) {
  const int failures = FailureCount();
  const Recording dry = RecordWorkload();
  ASSERT_EQ(FailureCount(), failures) << "the dry run failed";
  for (OpKind kind :
       {OpKind::kCreateDir, OpKind::kNewWritableFile, OpKind::kNewAppendableFile, OpKind::kAppend,
        OpKind::kSync, OpKind::kRename, OpKind::kSyncDir, OpKind::kMakeReadOnly}) {
    int seen = 0;
    for (const OpRecord& op : dry.ops) seen += op.kind == kind ? 1 : 0;
    EXPECT_GT(seen, 0) << "the workload made no " << OpKindName(kind);
  }
  for (Step step : kRequiredSteps) {
    int seen = 0;
    for (Step s : dry.steps) seen += s == step ? 1 : 0;
    EXPECT_GT(seen, 0) << "the workload never reached step " << StepName(step)
                       << ", so no fault was injected there";
  }
  SweepLastStage({Stage(WorkloadPlan())}, dry, mode, dry.ops.size());
}

TEST(FaultInjectionTest, EveryOperationFailsWithoutEffect) {
  SweepWorkload(FaultMode::kWithoutEffect);
}

TEST(FaultInjectionTest, EveryOperationFailsWithEffect) { SweepWorkload(FaultMode::kWithEffect); }

TEST(FaultInjectionTest, EveryWriteIsShort) { SweepWorkload(FaultMode::kShortWrite); }

// A directory left behind by a failed writer, and what recovery must do with it (format
// README, "Recovery on open").
struct BrokenState {
  const char* name;
  Step step;                            // the workload step that fails ...
  int occurrence;                       // ... the n-th time it happens (0-based) ...
  FaultMode mode;                       // ... like this.
  std::optional<OpKind> recovery_must;  // an operation recovery must then make
  // A failed writer truncates what it wrote back to the acknowledged records itself; only a
  // crash leaves a torn tail for recovery, so the torn states fail that cleanup too.
  bool cleanup_fails = false;
};

const BrokenState kBrokenStates[] = {
    {"torn frame", Step::kFrameWrite, 4, FaultMode::kShortWrite, OpKind::kTruncate, true},
    {"frames synced, ack lost", Step::kFrameSync, 4, FaultMode::kWithEffect, std::nullopt, false},
    {"torn seal", Step::kSealWrite, 1, FaultMode::kShortWrite, OpKind::kTruncate, true},
    {"seal not synced", Step::kSealSync, 1, FaultMode::kWithoutEffect, std::nullopt, false},
    {"sealed, still writable", Step::kSealChmod, 1, FaultMode::kWithoutEffect, std::nullopt, false},
    {"no next segment", Step::kNextCreate, 1, FaultMode::kWithoutEffect, std::nullopt, false},
    {"torn next header", Step::kNextWrite, 1, FaultMode::kShortWrite, OpKind::kRemoveFile, false},
    {"next segment left as .tmp", Step::kNextRename, 1, FaultMode::kWithoutEffect,
     OpKind::kRemoveFile, false},
    {"next segment not dir-synced", Step::kNextDirSync, 1, FaultMode::kWithoutEffect, std::nullopt,
     false},
};

void PrintTo(const BrokenState& state, std::ostream* os) { *os << state.name; }

class RecoveryFaultTest : public ::testing::TestWithParam<BrokenState> {};

// Breaks a directory as the state says, then fails every operation of the recovering Open and
// of the first Append after it, in every mode.
TEST_P(RecoveryFaultTest, EveryRecoveryOperationFails) {
  const BrokenState& state = GetParam();
  const int failures = FailureCount();
  const Recording dry = RecordWorkload();
  ASSERT_EQ(FailureCount(), failures) << "the dry run failed";
  std::optional<uint64_t> setup_op;
  int seen = 0;
  for (const OpRecord& op : dry.ops) {
    if (dry.steps[op.index] == state.step && seen++ == state.occurrence) {
      setup_op = op.index;
      break;
    }
  }
  ASSERT_TRUE(setup_op.has_value())
      << "the workload has no step " << StepName(state.step) << " #" << state.occurrence;
  SCOPED_TRACE("broken by " + Describe(dry.ops[*setup_op], state.step, state.mode));

  std::vector<StageSpec> stages = {Stage(WorkloadPlan(), setup_op, state.mode, state.cleanup_fails),
                                   Stage(RecoveryPlan())};
  const Recording recovery = RunStages(stages);
  ASSERT_EQ(FailureCount(), failures) << "recovery without a fault failed";
  if (state.recovery_must.has_value()) {
    bool made = false;
    for (uint64_t i = 0; i < recovery.stage.open_end; ++i) {
      made = made || recovery.ops[i].kind == *state.recovery_must;
    }
    EXPECT_TRUE(made) << "recovery of a " << state.name << " made no "
                      << OpKindName(*state.recovery_must);
  }
  const uint64_t limit =
      recovery.stage.batch_ops.size() > 1 ? recovery.stage.batch_ops[1] : recovery.ops.size();
  for (FaultMode mode :
       {FaultMode::kWithoutEffect, FaultMode::kWithEffect, FaultMode::kShortWrite}) {
    SweepLastStage(stages, recovery, mode, limit);
  }
}

INSTANTIATE_TEST_SUITE_P(BrokenStates, RecoveryFaultTest, ::testing::ValuesIn(kBrokenStates),
                         [](const ::testing::TestParamInfo<BrokenState>& param_info) {
                           std::string name;
                           for (char c : std::string_view(param_info.param.name)) {
                             if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                           }
                           return name;
                         });

// A refused Append leaves nothing that recovery would keep: not the frames a failed write got
// onto the disk (8 or 9 of 10 records used to come back after a full disk), and not a batch
// whose bytes all landed but whose fdatasync reported an error.
TEST(FaultInjectionTest, ARefusedAppendIsAbsentAfterReopenWhole) {
  struct Case {
    OpKind kind;
    Fault fault;
  };
  const Case cases[] = {
      {OpKind::kAppend, Fault(FaultMode::kShortWrite)},  // part of the frames reach the file
      {OpKind::kAppend, Fault(FaultMode::kWithEffect)},  // all of them, then an error
      {OpKind::kSync, Fault(FaultMode::kWithEffect)},    // synced, but reported failed
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(OpKindName(c.kind)) + " " + std::string(FaultModeName(c.fault.mode)));
    ScratchDir scratch("sealtrail_fault");
    const std::string dir = scratch.Sub("log");
    FaultInjectionEnv env;
    std::vector<std::string> records;
    for (int i = 0; i < 10; ++i)
      records.push_back(absl::StrCat("record-", i, std::string(200, 'x')));
    const std::vector<std::string_view> batch(records.begin(), records.end());
    {
      LogOptions options = Options(&env);
      options.leaves_per_segment_log2 = 8;
      ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> log, Log::Open(options, dir));
      ASSERT_OK(log->Append(batch).status());
      env.FailNthOfKind(c.kind, env.op_count(c.kind), c.fault);
      EXPECT_FALSE(log->Append(batch).ok());
      ASSERT_TRUE(env.injected().has_value());
      EXPECT_EQ(log->Size(), 10u);
    }
    LogOptions options;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Log> reopened, Log::Open(options, dir));
    EXPECT_EQ(reopened->Size(), 10u) << "records of the refused batch were recovered";
  }
}

// Time is read through the Env; stepping it back must not disturb appends, seals or recovery.
TEST(FaultInjectionTest, ClockSteppedBackMidWorkload) {
  ScratchDir scratch("sealtrail_fault", ScratchRootForSweeps());
  const std::string dir = scratch.Sub("log");
  FaultInjectionEnv env;
  Expectation expect;
  StageResult stage;
  const int64_t hour = int64_t{3600} * 1000 * 1000 * 1000;
  RunStage(&env, dir, WorkloadPlan(), &expect, &stage, /*judge_writer=*/true, [&](size_t batch) {
    if (batch == 10) env.SetClockOffsetNanos(-hour);
    if (batch == 20) env.SetClockOffsetNanos(-48 * hour);
    if (batch == 30) env.SetClockOffsetNanos(0);
  });
  EXPECT_EQ(stage.first_failed_batch, -1);
  env.SetClockOffsetNanos(-hour);
  stage = StageResult();
  RunStage(&env, dir, RecoveryPlan(), &expect, &stage);
  CheckRecoveredAndContinue(dir, expect);
}

}  // namespace
}  // namespace sealtrail::testing
