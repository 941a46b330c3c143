// The POSIX Env: the only place the engine makes file-system and clock system calls.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "sealtrail/env.h"
#include "status_util.h"

namespace sealtrail {
namespace {

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  absl::Status Append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError(errno, "write", path_);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    // fdatasync also persists the file size, which is all the metadata an append changes.
    if (::fdatasync(fd_) != 0) return IoError(errno, "fdatasync", path_);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0) return IoError(errno, "close", path_);
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  absl::Status ReadAt(uint64_t offset, size_t n, char* scratch) const override {
    while (n > 0) {
      ssize_t r = ::pread(fd_, scratch, n, static_cast<off_t>(offset));
      if (r < 0) {
        if (errno == EINTR) continue;
        return IoError(errno, "read", path_);
      }
      if (r == 0) {
        return absl::OutOfRangeError("read " + path_ + ": unexpected end of file at offset " +
                                     std::to_string(offset));
      }
      scratch += r;
      offset += static_cast<uint64_t>(r);
      n -= static_cast<size_t>(r);
    }
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  const int fd_;
};

// A read-only mapping of a file that does not change (a sealed segment): a read is a memcpy,
// with no system call, which is what keeps a proof's ~20 node reads in the microseconds.
// Caveat: if someone with write access truncates the file while it is mapped, touching the lost
// pages raises SIGBUS. Sealed segments are mode 0444, so only deliberate tampering does that,
// and the offline verifier names such a file.
class PosixMappedFile final : public RandomAccessFile {
 public:
  PosixMappedFile(std::string path, const char* base, uint64_t length)
      : path_(std::move(path)), base_(base), length_(length) {}
  ~PosixMappedFile() override { ::munmap(const_cast<char*>(base_), length_); }

  absl::Status ReadAt(uint64_t offset, size_t n, char* scratch) const override {
    if (offset > length_ || n > length_ - offset) {
      return absl::OutOfRangeError("read " + path_ + ": " + std::to_string(n) +
                                   " bytes at offset " + std::to_string(offset) +
                                   " run past the end of file (" + std::to_string(length_) +
                                   " bytes)");
    }
    std::memcpy(scratch, base_ + offset, n);
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  const char* const base_;
  const uint64_t length_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // Closing releases the flock.

 private:
  const int fd_;
};

class PosixEnv final : public Env {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return IoError(errno, "open for append", path);
    return std::make_unique<PosixWritableFile>(path, fd);
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewExclusiveFile(const std::string& path,
                                                                 uint32_t mode) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
                    static_cast<mode_t>(mode));
    if (fd < 0) return IoError(errno, "create", path);
    // The umask may have cleared bits but never adds any; set exactly what was asked.
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
      absl::Status status = IoError(errno, "chmod", path);
      ::close(fd);
      return status;
    }
    return std::make_unique<PosixWritableFile>(path, fd);
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return IoError(errno, "create", path);
    return std::make_unique<PosixWritableFile>(path, fd);
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return IoError(errno, "open for reading", path);
    return std::make_unique<PosixRandomAccessFile>(path, fd);
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewImmutableFile(
      const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return IoError(errno, "open for reading", path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      absl::Status status = IoError(errno, "stat", path);
      ::close(fd);
      return status;
    }
    if (st.st_size == 0) {
      return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd));
    }
    void* base = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    const int err = errno;
    ::close(fd);  // The mapping keeps the file open.
    if (base == MAP_FAILED) return IoError(err, "mmap", path);
    return std::unique_ptr<RandomAccessFile>(new PosixMappedFile(
        path, static_cast<const char*>(base), static_cast<uint64_t>(st.st_size)));
  }

  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return IoError(errno, "list directory", dir);
    std::vector<std::string> names;
    while (struct dirent* entry = ::readdir(d)) {
      std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    ::closedir(d);
    return names;
  }

  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return IoError(errno, "stat", path);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::StatusOr<uint32_t> GetFileMode(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return IoError(errno, "stat", path);
    return static_cast<uint32_t>(st.st_mode & 07777);
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  absl::Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return IoError(errno, "create directory", path);
    }
    return absl::OkStatus();
  }

  absl::Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0)
      return IoError(errno, "rename", from + " to " + to);
    return absl::OkStatus();
  }

  absl::Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return IoError(errno, "remove", path);
    return absl::OkStatus();
  }

  absl::Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return IoError(errno, "open directory", dir);
    absl::Status status;
    if (::fsync(fd) != 0) status = IoError(errno, "fsync directory", dir);
    ::close(fd);
    return status;
  }

  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return IoError(errno, "open for truncation", path);
    absl::Status status;
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
      status = IoError(errno, "truncate", path);
    } else if (::fdatasync(fd) != 0) {
      status = IoError(errno, "fdatasync", path);
    }
    ::close(fd);
    return status;
  }

  absl::Status MakeReadOnly(const std::string& path) override {
    if (::chmod(path.c_str(), 0444) != 0) return IoError(errno, "chmod", path);
    return absl::OkStatus();
  }

  absl::Status MakeWritable(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return IoError(errno, "open for chmod", path);
    absl::Status status;
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      status = IoError(errno, "stat", path);
    } else if (::fchmod(fd, (st.st_mode & 07777) | S_IWUSR) != 0) {
      status = IoError(errno, "chmod", path);
    } else if (::fsync(fd) != 0) {
      // fsync, not fdatasync: the mode is metadata that reading the data does not need.
      status = IoError(errno, "fsync", path);
    }
    ::close(fd);
    return status;
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return IoError(errno, "open lock file", path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return LockHeldError(path + " is locked by another process or open handle");
      }
      return IoError(err, "lock", path);
    }
    return std::make_unique<PosixFileLock>(fd);
  }

  int64_t NowNanos() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Env* Env::Default() {
  static Env* const env = new PosixEnv;
  return env;
}

}  // namespace sealtrail
