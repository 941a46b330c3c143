// FaultInjectionEnv: an Env over a real one (Env::Default() unless told otherwise) that counts
// every mutating file-system operation in one global sequence and can fail one chosen
// operation, so a test can walk a fault through every step of the write and seal paths.
//
// Counted (each is one operation, numbered 0, 1, 2, ... in the order the calls start):
//   NewWritableFile, NewAppendableFile, WritableFile::Append, WritableFile::Sync, RenameFile,
//   SyncDir, MakeReadOnly, MakeWritable, TruncateFile, CreateDir, RemoveFile.
// Not counted: reads, listings, LockFile, WritableFile::Close (they are passed through).
//
// A fault is one-shot: it fires on the first operation that matches it and is then spent.
// The failed operation returns an INTERNAL error whose message starts with "injected fault",
// except in FaultMode::kCrash, where the process ends there (for a child process of a test).
//
// Thread-safety: every method may be called concurrently. The operation's number and the
// decision to fail it are taken under one lock; the real I/O runs outside it, so concurrent
// writers are not serialized. Files returned by this Env must not outlive it.
#ifndef SEALTRAIL_TESTS_TESTING_FAULT_ENV_H_
#define SEALTRAIL_TESTS_TESTING_FAULT_ENV_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "sealtrail/env.h"

namespace sealtrail::testing {

enum class OpKind {
  kNewWritableFile,
  kNewAppendableFile,
  kAppend,
  kSync,
  kRename,
  kSyncDir,
  kMakeReadOnly,
  kTruncate,
  kCreateDir,
  kRemoveFile,
  kMakeWritable,
};
inline constexpr int kNumOpKinds = 11;
std::string_view OpKindName(OpKind kind);

enum class FaultMode {
  // Nothing reaches the file system; the error is returned.
  kWithoutEffect,
  // The operation is performed in full, then the error is returned (a write that landed but
  // whose acknowledgement was lost; an fsync that synced but reported EIO).
  kWithEffect,
  // Append only: a prefix of the bytes is written, then the error is returned. Any other
  // operation armed with this mode fails as kWithoutEffect.
  kShortWrite,
  // The process ends at once with _exit(kFaultCrashExitCode), no destructor or flush running,
  // as a kill at that moment would end it: the files stay as that moment left them (what was
  // written is in the page cache, nothing is lost). The operation is not performed, except that
  // an Append first writes `short_write_bytes` of its bytes (unset: none). Only for a process
  // that may die: a gtest death test's child (EXPECT_EXIT) or a child process.
  kCrash,
};
// The exit code of a process that FaultMode::kCrash ended.
inline constexpr int kFaultCrashExitCode = 86;
std::string_view FaultModeName(FaultMode mode);

struct Fault {
  Fault(FaultMode fault_mode = FaultMode::kWithoutEffect,  // NOLINT: implicit is the point
        std::optional<size_t> short_write = std::nullopt,
        std::optional<OpKind> then_fail_next_of = std::nullopt)
      : mode(fault_mode), short_write_bytes(short_write), then_fail_next(then_fail_next_of) {}

  FaultMode mode;
  // kShortWrite: bytes of the Append that reach the file, clamped to size - 1 (so something is
  // always missing). Unset: half of the Append, rounded down. kCrash: the same clamp; unset,
  // none.
  std::optional<size_t> short_write_bytes;
  // Once this fault fires, the next operation of this kind fails too (without effect): e.g.
  // kTruncate, so the writer cannot remove what it wrote, as after a crash at that moment.
  std::optional<OpKind> then_fail_next;
};

// One counted operation.
struct OpRecord {
  uint64_t index = 0;  // position in the global sequence
  OpKind kind = OpKind::kAppend;
  std::string path;    // the file or directory; for RenameFile, the source
  std::string target;  // RenameFile: the destination; otherwise empty
  uint64_t bytes = 0;  // Append: the size asked for; TruncateFile: the new size
  std::thread::id thread;
  // Set on the one operation the fault hit.
  bool injected = false;
  FaultMode mode = FaultMode::kWithoutEffect;
  uint64_t bytes_written = 0;  // Append with a fault: bytes that reached the file
};
std::ostream& operator<<(std::ostream& os, const OpRecord& op);

class FaultInjectionEnv : public EnvWrapper {
 public:
  // `target` is not owned and must outlive this Env.
  explicit FaultInjectionEnv(Env* target = Env::Default());

  // Arms a fault for the operation numbered `op_index` in the global sequence. Replaces any
  // fault still armed.
  void FailOp(uint64_t op_index, Fault fault);
  // Arms a fault for the `nth` (0-based) operation of `kind`, counted like op_count(kind).
  void FailNthOfKind(OpKind kind, uint64_t nth, Fault fault);
  // Arms a fault for the next operation of `kind` on a path that ends with `path_suffix`
  // (e.g. "/checkpoints"), whatever its number: for a long-running server whose operation count
  // is not known in advance.
  void FailNextOnPath(OpKind kind, std::string path_suffix, Fault fault);
  // Removes an armed fault that has not fired yet.
  void Disarm();

  // Operations counted so far, in total and per kind.
  uint64_t op_count() const;
  uint64_t op_count(OpKind kind) const;
  // Every counted operation so far, in sequence order (the record of a running operation is
  // complete except for bytes_written).
  std::vector<OpRecord> trace() const;
  // The operation the fault hit, once it has fired.
  std::optional<OpRecord> injected() const;

  // NowNanos() returns the target's clock plus this offset; negative steps the clock back.
  void SetClockOffsetNanos(int64_t offset) { clock_offset_nanos_.store(offset); }
  int64_t NowNanos() override { return target()->NowNanos() + clock_offset_nanos_.load(); }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  absl::Status RenameFile(const std::string& from, const std::string& to) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::Status TruncateFile(const std::string& path, uint64_t size) override;
  absl::Status MakeReadOnly(const std::string& path) override;
  absl::Status MakeWritable(const std::string& path) override;
  absl::Status CreateDir(const std::string& path) override;
  absl::Status RemoveFile(const std::string& path) override;

 private:
  friend class FaultInjectionFile;

  // The fault to apply to an operation, if it is the one armed.
  struct Decision {
    uint64_t index = 0;
    std::optional<Fault> fault;
  };
  // Numbers the operation, records it, and says whether the armed fault fires on it.
  Decision Begin(OpKind kind, std::string_view path, std::string_view target, uint64_t bytes);
  // Records how many bytes a faulted Append wrote.
  void NoteBytesWritten(uint64_t index, uint64_t bytes);
  static absl::Status InjectedError(const Decision& decision, OpKind kind, std::string_view path);
  // Shared by every operation that is not an Append: perform `op` unless the fault says not
  // to, and turn a fault into an error.
  template <typename Op>
  absl::Status Run(OpKind kind, const std::string& path, const std::string& target, uint64_t bytes,
                   Op op);
  absl::StatusOr<std::unique_ptr<WritableFile>> OpenFile(OpKind kind, const std::string& path);

  struct Armed {
    bool by_kind = false;
    bool by_path = false;  // FailNextOnPath: kind and path_suffix must match.
    std::string path_suffix;
    OpKind kind = OpKind::kAppend;
    uint64_t index = 0;  // global index, or the nth of `kind`
    Fault fault;
  };

  mutable absl::Mutex mu_;
  std::vector<OpRecord> trace_ ABSL_GUARDED_BY(mu_);
  uint64_t kind_counts_[kNumOpKinds] ABSL_GUARDED_BY(mu_) = {};
  std::optional<Armed> armed_ ABSL_GUARDED_BY(mu_);
  std::optional<uint64_t> injected_index_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> clock_offset_nanos_{0};
};

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_FAULT_ENV_H_
