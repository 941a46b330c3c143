// Real-process crash test: a child process appends durably until it is SIGKILLed at a random
// moment; the parent reopens the directory, checks that every record the child reported as
// acknowledged is there byte for byte, runs VerifyDataDir, and starts the next round in the
// SAME directory, so the log grows (and seals, and recovers) across rounds.
//
// The child is this test binary re-executed (/proc/self/exe) with SEALTRAIL_CRASH_CHILD=<dir>,
// running only CrashChild.DISABLED_AppendUntilKilled. Before each Append it writes the size the
// batch will end at with kIntentBit set, and after it is acknowledged the log's new size (8
// bytes each, atomic on a pipe), to fd 3. Record i's bytes depend only on the seed and i, so
// the parent can recompute them. A kill mid-batch must leave the batch whole or absent
// (format 2's batch-commit marker), also a batch that crossed a segment boundary and had its
// first part sealed: the recovered size is a batch end (docs/format/README.md).
//
// Environment: SEALTRAIL_CRASH_SEED (default kDefaultSeed) and SEALTRAIL_CRASH_ROUNDS (default
// kDefaultRounds). The seed is in every failure message; a failing round reruns with it (the
// kill timing follows the seed, though the child's progress at that moment varies).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "sealtrail/log.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/verify.h"
#include "testing/log_workload.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

extern char** environ;

namespace sealtrail::testing {
namespace {

constexpr char kChildDirVar[] = "SEALTRAIL_CRASH_CHILD";
constexpr char kSeedVar[] = "SEALTRAIL_CRASH_SEED";
constexpr char kRoundsVar[] = "SEALTRAIL_CRASH_ROUNDS";
constexpr char kChildTest[] = "CrashChild.DISABLED_AppendUntilKilled";
constexpr uint64_t kDefaultSeed = 20240917;
constexpr int kDefaultRounds = 60;

constexpr int kAckFd = 3;                           // the child's end of the acknowledgement pipe
constexpr uint64_t kIntentBit = uint64_t{1} << 63;  // "about to append up to this size"
// "running, about to open the log": the kill delay counts from here, so that what it samples is
// recovery and appending, not the exec and sanitizer start-up, which under ASan on a loaded
// machine took longer than kMaxKillDelay and left every round without an append.
constexpr uint64_t kStartedMark = ~uint64_t{0};
constexpr uint32_t kLog2 = 4;  // 16 leaves per segment: seals happen within every round
constexpr uint32_t kMaxRecordBytes = 2000;
constexpr uint32_t kMaxBatch = 20;
// Bounds the log's growth per round when syncs are nearly free (tmpfs); a child that reaches it
// waits to be killed. On a disk, a child never gets this far in kMaxKillDelay.
constexpr int kMaxBatchesPerChild = 150;
constexpr std::chrono::microseconds kMaxKillDelay = std::chrono::milliseconds(40);
constexpr std::chrono::seconds kChildWaitCap(10);
constexpr std::chrono::seconds kChildStartCap(
    10);  // for the child to exec and report it runs  // never reached unless the parent is gone
constexpr int kDrainTimeoutMs = 10'000;

uint64_t EnvU64(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || value[0] == '\0') return fallback;
  return std::strtoull(value, nullptr, 0);
}

LogOptions CrashOptions() {
  LogOptions options;
  options.leaves_per_segment_log2 = kLog2;
  options.sync = SyncPolicy::kDurable;
  return options;
}

// ----- The child -----

[[noreturn]] void ChildDie(int code, const std::string& message) {
  std::fprintf(stderr, "crash_test child (pid %d): %s\n", static_cast<int>(::getpid()),
               message.c_str());
  std::fflush(stderr);
  ::_exit(code);
}

[[noreturn]] void RunChild(const std::string& dir, uint64_t seed) {
  if (::write(kAckFd, &kStartedMark, sizeof(kStartedMark)) !=
      static_cast<ssize_t>(sizeof(kStartedMark))) {
    ChildDie(6, std::string("write to the acknowledgement pipe: ") + std::strerror(errno));
  }
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(CrashOptions(), dir);
  if (!log.ok()) ChildDie(3, "open " + dir + ": " + log.status().ToString());
  uint64_t next = (*log)->Size();
  uint64_t rng = Mix64(seed ^ Mix64(next));
  for (int b = 0; b < kMaxBatchesPerChild; ++b) {
    rng = Mix64(rng);
    const uint32_t n = 1 + static_cast<uint32_t>(rng % kMaxBatch);
    RecordBatch batch = MakeBatch(seed, next, n, kMaxRecordBytes);
    const uint64_t intent = (next + n) | kIntentBit;
    if (::write(kAckFd, &intent, sizeof(intent)) != static_cast<ssize_t>(sizeof(intent))) {
      ChildDie(6, std::string("write to the acknowledgement pipe: ") + std::strerror(errno));
    }
    absl::StatusOr<uint64_t> first = (*log)->Append(batch.views);
    if (!first.ok())
      ChildDie(4, "append at " + std::to_string(next) + ": " + first.status().ToString());
    if (*first != next) {
      ChildDie(5, "append returned index " + std::to_string(*first) + ", expected " +
                      std::to_string(next));
    }
    next += n;
    if (::write(kAckFd, &next, sizeof(next)) != static_cast<ssize_t>(sizeof(next))) {
      ChildDie(6, std::string("write to the acknowledgement pipe: ") + std::strerror(errno));
    }
  }
  std::this_thread::sleep_for(kChildWaitCap);
  ChildDie(7, "was not killed within the wait cap");
}

TEST(CrashChild, DISABLED_AppendUntilKilled) {
  const char* dir = std::getenv(kChildDirVar);
  if (dir == nullptr) GTEST_SKIP() << "runs only as crash_test's child process";
  RunChild(dir, EnvU64(kSeedVar, kDefaultSeed));
}

// ----- The parent -----

struct ChildRun {
  uint64_t acked = 0;                // the largest size the child reported as acknowledged
  int acks = 0;                      // how many Appends it reported
  std::vector<uint64_t> batch_ends;  // where each batch it began would end
  int wait_status = 0;
};

// Starts the child on `dir`, reads its acknowledgements for `delay`, SIGKILLs it, reads what
// it had written before dying, and reaps it.
void RunChildAndKill(const std::string& dir, uint64_t seed, std::chrono::microseconds delay,
                     ChildRun* run) {
  // Everything the child needs is built before fork(); between fork() and execve() the child
  // makes only async-signal-safe calls.
  const std::string exe = "/proc/self/exe";
  const std::string filter = std::string("--gtest_filter=") + kChildTest;
  const std::string also = "--gtest_also_run_disabled_tests";
  std::vector<char*> argv = {const_cast<char*>(exe.c_str()), const_cast<char*>(filter.c_str()),
                             const_cast<char*>(also.c_str()), nullptr};
  std::vector<std::string> env_strings = {std::string(kChildDirVar) + "=" + dir,
                                          std::string(kSeedVar) + "=" + std::to_string(seed)};
  for (char** e = environ; *e != nullptr; ++e) {
    // No GTEST_* settings (output files, sharding, filters) reach the child.
    std::string_view var = *e;
    if (var.rfind("GTEST_", 0) == 0 || var.rfind(kChildDirVar, 0) == 0 ||
        var.rfind(kSeedVar, 0) == 0) {
      continue;
    }
    env_strings.emplace_back(var);
  }
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0) << std::strerror(errno);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0) << "fork: " << std::strerror(errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (fds[1] == kAckFd) {
      ::fcntl(kAckFd, F_SETFD, 0);
    } else {
      ::dup2(fds[1], kAckFd);  // The duplicate does not have FD_CLOEXEC.
    }
    const int devnull = ::open("/dev/null", O_WRONLY);  // The child's gtest chatter.
    if (devnull >= 0) ::dup2(devnull, STDOUT_FILENO);
    ::execve(exe.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);

  std::string pending;
  // Takes the whole reports out of `pending`; with until_started, stops after the start mark
  // (returning true) and leaves the rest for the next call.
  auto take_reports = [&](bool until_started) {
    while (pending.size() >= sizeof(uint64_t)) {
      uint64_t size;
      std::memcpy(&size, pending.data(), sizeof(size));
      pending.erase(0, sizeof(size));
      if (size == kStartedMark) {
        if (until_started) return true;
        continue;
      }
      if ((size & kIntentBit) != 0) {
        run->batch_ends.push_back(size & ~kIntentBit);
        continue;
      }
      run->acked = std::max(run->acked, size);
      ++run->acks;
    }
    return false;
  };
  // Reads what the child reports until `deadline` (or, until_eof, until the pipe closes), or with
  // until_started until the child's start mark. Returns false if draining timed out or, with
  // until_started, if the child ended or the deadline passed before it started.
  auto consume = [&](bool until_eof, std::chrono::steady_clock::time_point deadline,
                     bool until_started) {
    char buf[4096];
    while (true) {
      if (take_reports(until_started)) return true;
      int timeout_ms = kDrainTimeoutMs;
      if (!until_eof) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return !until_started;
        timeout_ms = static_cast<int>(left.count());
      }
      pollfd p = {.fd = fds[0], .events = POLLIN, .revents = 0};
      const int ready = ::poll(&p, 1, timeout_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) return !until_eof && !until_started;  // Draining timed out: never closed.
      const ssize_t n = ::read(fds[0], buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {  // EOF: the child is gone.
        take_reports(/*until_started=*/false);
        return !until_started;
      }
      pending.append(buf, static_cast<size_t>(n));
    }
  };
  // Until the child says it runs (bounded: a child that never starts is killed all the same and
  // its round is unproductive), then for `delay`.
  if (consume(/*until_eof=*/false, start + kChildStartCap, /*until_started=*/true)) {
    consume(/*until_eof=*/false, std::chrono::steady_clock::now() + delay,
            /*until_started=*/false);
  }
  ::kill(pid, SIGKILL);
  const bool drained = consume(/*until_eof=*/true, {}, /*until_started=*/false);
  ::close(fds[0]);
  pid_t reaped;
  do {
    reaped = ::waitpid(pid, &run->wait_status, 0);
  } while (reaped < 0 && errno == EINTR);
  ASSERT_EQ(reaped, pid) << "waitpid: " << std::strerror(errno);
  ASSERT_TRUE(drained) << "the acknowledgement pipe stayed open after the child was killed";
  EXPECT_TRUE(pending.empty()) << "a torn acknowledgement: " << pending.size() << " bytes";
}

// Reopens `dir` after a crash and checks it against what is known to be durable; then makes
// what it found the new floor (records a reopened log serves are acknowledged).
void CheckAfterCrash(const std::string& dir, uint64_t seed, const ChildRun& run, uint64_t* durable,
                     TreeHead* last, VerifyReport* report) {
  TreeHead head;
  {
    absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(CrashOptions(), dir);
    ASSERT_OK(log) << "reopen after the crash";
    const uint64_t size = (*log)->Size();
    ASSERT_GE(size, *durable) << "acknowledged records were lost";
    const bool batch_end =
        size == *durable ||
        std::find(run.batch_ends.begin(), run.batch_ends.end(), size) != run.batch_ends.end();
    EXPECT_TRUE(batch_end) << "recovery kept part of a batch: " << size
                           << " records, which is not the end of a batch the child began (the "
                           << "floor was " << *durable << ")";
    for (uint64_t i = 0; i < size; ++i) {
      absl::StatusOr<std::string> got = (*log)->Read(i);
      ASSERT_OK(got) << "record " << i;
      const std::string want = RecordAt(seed, i, kMaxRecordBytes);
      ASSERT_TRUE(*got == want) << "record " << i << " differs from what was appended ("
                                << got->size() << " bytes read, " << want.size() << " written)";
    }
    absl::StatusOr<TreeHead> got_head = (*log)->Head();
    ASSERT_OK(got_head);
    head = *got_head;
    ASSERT_EQ(head.size, size);
    // Append-only: the previous round's tree is a prefix of this one.
    if (last->size > 0) {
      absl::StatusOr<Hash> old_root = (*log)->Root(last->size);
      ASSERT_OK(old_root);
      EXPECT_EQ(HashToBase64(*old_root), HashToBase64(last->root))
          << "the root of the first " << last->size << " records changed";
      absl::StatusOr<ConsistencyProof> proof = (*log)->ProveConsistency(last->size, size);
      ASSERT_OK(proof);
      EXPECT_OK(VerifyConsistency(last->size, size, last->root, head.root, proof->path));
    }
  }
  absl::StatusOr<VerifyReport> verified = VerifyDataDir(dir);
  ASSERT_OK(verified) << "VerifyDataDir after the crash";
  EXPECT_EQ(verified->records, head.size);
  EXPECT_EQ(HashToBase64(verified->root), HashToBase64(head.root));
  *durable = head.size;
  *last = head;
  *report = *verified;
}

TEST(CrashTest, AcknowledgedRecordsSurviveSigkill) {
  const uint64_t seed = EnvU64(kSeedVar, kDefaultSeed);
  const int rounds = static_cast<int>(EnvU64(kRoundsVar, kDefaultRounds));
  SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun with " + kSeedVar + "=" +
               std::to_string(seed) + ")");
  ScratchDir scratch("sealtrail_crash");
  const std::string dir = scratch.Sub("log");
  uint64_t durable = 0;
  TreeHead last;
  VerifyReport report;
  uint64_t rng = Mix64(seed);
  int productive_rounds = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < rounds; ++round) {
    rng = Mix64(rng);
    const auto delay = std::chrono::microseconds(
        1000 + static_cast<int64_t>(rng % static_cast<uint64_t>(kMaxKillDelay.count() - 999)));
    SCOPED_TRACE("round " + std::to_string(round) + ", killed after " +
                 std::to_string(delay.count()) + " us");
    ChildRun run;
    RunChildAndKill(dir, seed, delay, &run);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(WIFSIGNALED(run.wait_status) && WTERMSIG(run.wait_status) == SIGKILL)
        << "the child ended on its own before it was killed (exit code "
        << (WIFEXITED(run.wait_status) ? WEXITSTATUS(run.wait_status) : -1)
        << "); its stderr is above";
    if (run.acked > durable) ++productive_rounds;
    durable = std::max(durable, run.acked);
    CheckAfterCrash(dir, seed, run, &durable, &last, &report);
    if (HasFatalFailure()) return;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "[ crash    ] seed %llu: %d rounds in %.1f s, %d acknowledged new records; log has %llu "
      "records in %llu segments (%llu sealed)\n",
      static_cast<unsigned long long>(seed), rounds, seconds, productive_rounds,
      static_cast<unsigned long long>(report.records),
      static_cast<unsigned long long>(report.segments),
      static_cast<unsigned long long>(report.sealed_segments));
  // Without progress the rounds only ever killed a starting process: nothing was tested.
  EXPECT_GT(productive_rounds, 0) << "no child acknowledged anything before it was killed";
  EXPECT_GT(report.sealed_segments, 0u) << "no segment was sealed during the run";
}

}  // namespace
}  // namespace sealtrail::testing
