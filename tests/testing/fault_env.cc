#include "testing/fault_env.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

namespace sealtrail::testing {

std::string_view OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kNewWritableFile:
      return "NewWritableFile";
    case OpKind::kNewAppendableFile:
      return "NewAppendableFile";
    case OpKind::kAppend:
      return "Append";
    case OpKind::kSync:
      return "Sync";
    case OpKind::kRename:
      return "RenameFile";
    case OpKind::kSyncDir:
      return "SyncDir";
    case OpKind::kMakeReadOnly:
      return "MakeReadOnly";
    case OpKind::kTruncate:
      return "TruncateFile";
    case OpKind::kCreateDir:
      return "CreateDir";
    case OpKind::kRemoveFile:
      return "RemoveFile";
    case OpKind::kMakeWritable:
      return "MakeWritable";
  }
  return "?";
}

std::string_view FaultModeName(FaultMode mode) {
  switch (mode) {
    case FaultMode::kWithoutEffect:
      return "without-effect";
    case FaultMode::kWithEffect:
      return "with-effect";
    case FaultMode::kShortWrite:
      return "short-write";
    case FaultMode::kCrash:
      return "crash";
  }
  return "?";
}

namespace {

// FaultMode::kCrash: ends the process as a kill would, with nothing flushed or destroyed.
[[noreturn]] void CrashNow() { ::_exit(kFaultCrashExitCode); }

}  // namespace

std::ostream& operator<<(std::ostream& os, const OpRecord& op) {
  os << "op #" << op.index << " " << OpKindName(op.kind) << "(" << op.path;
  if (!op.target.empty()) os << " -> " << op.target;
  if (op.kind == OpKind::kAppend || op.kind == OpKind::kTruncate) os << ", " << op.bytes;
  os << ")";
  if (op.injected) {
    os << " [fault " << FaultModeName(op.mode);
    if (op.kind == OpKind::kAppend) os << ", wrote " << op.bytes_written << " bytes";
    os << "]";
  }
  return os;
}

// Counts and, when armed, fails Append and Sync; Close is passed through.
class FaultInjectionFile final : public WritableFile {
 public:
  FaultInjectionFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  absl::Status Append(std::string_view data) override {
    FaultInjectionEnv::Decision decision = env_->Begin(OpKind::kAppend, path_, "", data.size());
    if (!decision.fault.has_value()) return base_->Append(data);
    size_t keep = 0;
    switch (decision.fault->mode) {
      case FaultMode::kWithoutEffect:
        break;
      case FaultMode::kWithEffect:
        keep = data.size();
        break;
      case FaultMode::kShortWrite:
        keep = decision.fault->short_write_bytes.value_or(data.size() / 2);
        keep = std::min(keep, data.empty() ? 0 : data.size() - 1);
        break;
      case FaultMode::kCrash:
        keep = decision.fault->short_write_bytes.value_or(0);
        keep = std::min(keep, data.empty() ? 0 : data.size() - 1);
        break;
    }
    if (keep > 0) {
      absl::Status status = base_->Append(data.substr(0, keep));
      if (!status.ok()) return status;
    }
    if (decision.fault->mode == FaultMode::kCrash) CrashNow();
    env_->NoteBytesWritten(decision.index, keep);
    return FaultInjectionEnv::InjectedError(decision, OpKind::kAppend, path_);
  }

  absl::Status Sync() override {
    return env_->Run(OpKind::kSync, path_, "", 0, [this] { return base_->Sync(); });
  }

  absl::Status Close() override { return base_->Close(); }

 private:
  FaultInjectionEnv* const env_;
  const std::string path_;
  const std::unique_ptr<WritableFile> base_;
};

FaultInjectionEnv::FaultInjectionEnv(Env* target) : EnvWrapper(target) {}

void FaultInjectionEnv::FailOp(uint64_t op_index, Fault fault) {
  absl::MutexLock lock(&mu_);
  armed_ = Armed{.by_kind = false,
                 .by_path = false,
                 .path_suffix = {},
                 .kind = OpKind::kAppend,
                 .index = op_index,
                 .fault = fault};
}

void FaultInjectionEnv::FailNthOfKind(OpKind kind, uint64_t nth, Fault fault) {
  absl::MutexLock lock(&mu_);
  armed_ = Armed{.by_kind = true,
                 .by_path = false,
                 .path_suffix = {},
                 .kind = kind,
                 .index = nth,
                 .fault = fault};
}

void FaultInjectionEnv::FailNextOnPath(OpKind kind, std::string path_suffix, Fault fault) {
  absl::MutexLock lock(&mu_);
  armed_ = Armed{.by_kind = false,
                 .by_path = true,
                 .path_suffix = std::move(path_suffix),
                 .kind = kind,
                 .index = 0,
                 .fault = fault};
}

void FaultInjectionEnv::Disarm() {
  absl::MutexLock lock(&mu_);
  armed_.reset();
}

uint64_t FaultInjectionEnv::op_count() const {
  absl::MutexLock lock(&mu_);
  return trace_.size();
}

uint64_t FaultInjectionEnv::op_count(OpKind kind) const {
  absl::MutexLock lock(&mu_);
  return kind_counts_[static_cast<int>(kind)];
}

std::vector<OpRecord> FaultInjectionEnv::trace() const {
  absl::MutexLock lock(&mu_);
  return trace_;
}

std::optional<OpRecord> FaultInjectionEnv::injected() const {
  absl::MutexLock lock(&mu_);
  if (!injected_index_.has_value()) return std::nullopt;
  return trace_[*injected_index_];
}

FaultInjectionEnv::Decision FaultInjectionEnv::Begin(OpKind kind, std::string_view path,
                                                     std::string_view target, uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  Decision decision;
  decision.index = trace_.size();
  const uint64_t nth_of_kind = kind_counts_[static_cast<int>(kind)]++;
  OpRecord& op = trace_.emplace_back();
  op.index = decision.index;
  op.kind = kind;
  op.path = std::string(path);
  op.target = std::string(target);
  op.bytes = bytes;
  op.thread = std::this_thread::get_id();
  if (armed_.has_value()) {
    const bool hit =
        armed_->by_path
            ? (armed_->kind == kind && path.size() >= armed_->path_suffix.size() &&
               path.substr(path.size() - armed_->path_suffix.size()) == armed_->path_suffix)
        : armed_->by_kind ? (armed_->kind == kind && armed_->index == nth_of_kind)
                          : armed_->index == decision.index;
    if (hit) {
      decision.fault = armed_->fault;
      if (kind != OpKind::kAppend && decision.fault->mode == FaultMode::kShortWrite) {
        decision.fault->mode = FaultMode::kWithoutEffect;
      }
      op.injected = true;
      op.mode = decision.fault->mode;
      injected_index_ = decision.index;
      armed_.reset();
      if (decision.fault->then_fail_next.has_value()) {
        armed_ = Armed{.by_kind = false,
                       .by_path = true,
                       .path_suffix = {},
                       .kind = *decision.fault->then_fail_next,
                       .index = 0,
                       .fault = Fault(FaultMode::kWithoutEffect)};
      }
    }
  }
  return decision;
}

void FaultInjectionEnv::NoteBytesWritten(uint64_t index, uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  trace_[index].bytes_written = bytes;
}

absl::Status FaultInjectionEnv::InjectedError(const Decision& decision, OpKind kind,
                                              std::string_view path) {
  std::string message = "injected fault (";
  message += FaultModeName(decision.fault->mode);
  message += ") in ";
  message += OpKindName(kind);
  message += " of ";
  message += path;
  message += ", op #" + std::to_string(decision.index);
  return absl::InternalError(message);
}

template <typename Op>
absl::Status FaultInjectionEnv::Run(OpKind kind, const std::string& path, const std::string& target,
                                    uint64_t bytes, Op op) {
  Decision decision = Begin(kind, path, target, bytes);
  if (!decision.fault.has_value()) return op();
  if (decision.fault->mode == FaultMode::kCrash) CrashNow();
  if (decision.fault->mode == FaultMode::kWithEffect) {
    absl::Status status = op();
    if (!status.ok()) return status;
  }
  return InjectedError(decision, kind, path);
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultInjectionEnv::OpenFile(OpKind kind,
                                                                          const std::string& path) {
  absl::StatusOr<std::unique_ptr<WritableFile>> base;
  absl::Status status = Run(kind, path, "", 0, [&]() -> absl::Status {
    base = kind == OpKind::kNewWritableFile ? target()->NewWritableFile(path)
                                            : target()->NewAppendableFile(path);
    return base.status();
  });
  if (!status.ok()) return status;  // With effect, the file was created and is closed here.
  return std::make_unique<FaultInjectionFile>(this, path, *std::move(base));
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewAppendableFile(
    const std::string& path) {
  return OpenFile(OpKind::kNewAppendableFile, path);
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(
    const std::string& path) {
  return OpenFile(OpKind::kNewWritableFile, path);
}

absl::Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  return Run(OpKind::kRename, from, to, 0, [&] { return target()->RenameFile(from, to); });
}

absl::Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  return Run(OpKind::kSyncDir, dir, "", 0, [&] { return target()->SyncDir(dir); });
}

absl::Status FaultInjectionEnv::TruncateFile(const std::string& path, uint64_t size) {
  return Run(OpKind::kTruncate, path, "", size, [&] { return target()->TruncateFile(path, size); });
}

absl::Status FaultInjectionEnv::MakeReadOnly(const std::string& path) {
  return Run(OpKind::kMakeReadOnly, path, "", 0, [&] { return target()->MakeReadOnly(path); });
}

absl::Status FaultInjectionEnv::MakeWritable(const std::string& path) {
  return Run(OpKind::kMakeWritable, path, "", 0, [&] { return target()->MakeWritable(path); });
}

absl::Status FaultInjectionEnv::CreateDir(const std::string& path) {
  return Run(OpKind::kCreateDir, path, "", 0, [&] { return target()->CreateDir(path); });
}

absl::Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  return Run(OpKind::kRemoveFile, path, "", 0, [&] { return target()->RemoveFile(path); });
}

}  // namespace sealtrail::testing
