// Env: every file and clock access the engine makes goes through this interface, so tests can
// fail a write, write only part of it, fail an fsync or a rename, and step the clock back.
//
// Thread-safety: Env implementations must be safe for concurrent use. A WritableFile is used by
// one thread at a time (the log serializes its writers); RandomAccessFile::ReadAt is safe to call
// concurrently.
#ifndef SEALTRAIL_ENV_H_
#define SEALTRAIL_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sealtrail {

// A file opened for appending only. Nothing in the engine ever rewrites bytes in place.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of `data` or returns an error; after an error the file may hold any prefix of it.
  [[nodiscard]] virtual absl::Status Append(std::string_view data) = 0;
  // Returns after every byte appended so far is durable (fdatasync). After a failed Sync the
  // caller must assume that any unsynced bytes are lost and must not retry.
  [[nodiscard]] virtual absl::Status Sync() = 0;
  [[nodiscard]] virtual absl::Status Close() = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads exactly `n` bytes at `offset` into `scratch`. OUT_OF_RANGE if the file ends first.
  [[nodiscard]] virtual absl::Status ReadAt(uint64_t offset, size_t n, char* scratch) const = 0;
};

// Held while a data directory is open for writing; released on destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never destroyed.
  static Env* Default();

  // Opens an existing file for appending (O_APPEND). NOT_FOUND if it does not exist.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) = 0;
  // Creates a new file `path` with permission bits `mode` (e.g. 0600 for a private key).
  // ALREADY_EXISTS if it exists: never replaces a file.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& path,
                                                                         uint32_t mode) = 0;
  // Creates `path`, or empties it if it exists. Used only for temporary files that are renamed
  // into place once complete.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  // For a file that never changes while open (a sealed, read-only segment). An implementation
  // may map it into memory so that reads cost no system call; this default uses
  // NewRandomAccessFile. Reads beyond the size the file had when opened are OUT_OF_RANGE.
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewImmutableFile(
      const std::string& path) {
    return NewRandomAccessFile(path);
  }

  // Names (not paths) of the entries in `dir`, excluding "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) = 0;
  virtual absl::StatusOr<uint64_t> GetFileSize(const std::string& path) = 0;
  // The permission bits (st_mode & 07777) of `path`.
  virtual absl::StatusOr<uint32_t> GetFileMode(const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // OK if the directory already exists.
  virtual absl::Status CreateDir(const std::string& path) = 0;
  // Atomically replaces `to` with `from`. Durable only after SyncDir on the parent.
  virtual absl::Status RenameFile(const std::string& from, const std::string& to) = 0;
  // The engine removes only its own temporary files, and segment files that hold nothing but
  // part of a batch that was never acknowledged; never an acknowledged record.
  virtual absl::Status RemoveFile(const std::string& path) = 0;
  // Makes directory entries (creations, renames, removals) in `dir` durable.
  virtual absl::Status SyncDir(const std::string& dir) = 0;
  // Shortens `path` to `size` bytes and makes that durable. Used only to drop what was never
  // acknowledged: a torn tail, an unfinished batch (with the seal after it).
  virtual absl::Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Removes every write permission bit (sealed segments).
  virtual absl::Status MakeReadOnly(const std::string& path) = 0;
  // Adds the owner's write permission bit back and makes the new mode durable (fsync). Used only
  // by recovery, to unseal the segment where a never-acknowledged batch began before cutting
  // it back (docs/format/README.md, "Recovery on open").
  virtual absl::Status MakeWritable(const std::string& path) = 0;
  // Takes an exclusive advisory lock. If another process (or another open handle in this one)
  // holds it: UNAVAILABLE with IsLockHeldError(status) true (LockHeldError).
  virtual absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;

  // Wall-clock time in nanoseconds since the Unix epoch. May step backwards.
  virtual int64_t NowNanos() = 0;
};

// The one error for "a lock is held by someone else", from every lock sealtrail takes (the data
// directory's LOCK, the index's RocksDB LOCK): UNAVAILABLE (the holder may exit; retry later),
// marked so that callers can tell it from every other UNAVAILABLE without reading the message
// (IsLockHeldError). `message` should name what is locked, e.g. "PATH is locked by another
// process or open handle".
absl::Status LockHeldError(std::string_view message);
bool IsLockHeldError(const absl::Status& status);

// Forwards every call to another Env; fault-injecting test Envs override what they need.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override {
    return target_->NewAppendableFile(path);
  }
  absl::StatusOr<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& path,
                                                                 uint32_t mode) override {
    return target_->NewExclusiveFile(path, mode);
  }
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return target_->NewWritableFile(path);
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return target_->NewRandomAccessFile(path);
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewImmutableFile(
      const std::string& path) override {
    return target_->NewImmutableFile(path);
  }
  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    return target_->GetChildren(dir);
  }
  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    return target_->GetFileSize(path);
  }
  absl::StatusOr<uint32_t> GetFileMode(const std::string& path) override {
    return target_->GetFileMode(path);
  }
  bool FileExists(const std::string& path) override { return target_->FileExists(path); }
  absl::Status CreateDir(const std::string& path) override { return target_->CreateDir(path); }
  absl::Status RenameFile(const std::string& from, const std::string& to) override {
    return target_->RenameFile(from, to);
  }
  absl::Status RemoveFile(const std::string& path) override { return target_->RemoveFile(path); }
  absl::Status SyncDir(const std::string& dir) override { return target_->SyncDir(dir); }
  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    return target_->TruncateFile(path, size);
  }
  absl::Status MakeReadOnly(const std::string& path) override {
    return target_->MakeReadOnly(path);
  }
  absl::Status MakeWritable(const std::string& path) override {
    return target_->MakeWritable(path);
  }
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    return target_->LockFile(path);
  }
  int64_t NowNanos() override { return target_->NowNanos(); }

 private:
  Env* target_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_ENV_H_
