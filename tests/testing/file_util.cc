#include "testing/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sealtrail::testing {
namespace {

absl::Status PosixError(std::string_view what, const std::string& path) {
  return absl::InternalError(
      absl::StrCat(std::string(what), "(", path, "): ", std::strerror(errno)));
}

// Closes the descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return PosixError("write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status SnapshotInto(const std::string& root, const std::string& relative,
                          std::map<std::string, std::string>& out) {
  const std::string dir = relative.empty() ? root : root + "/" + relative;
  absl::StatusOr<std::vector<std::string>> names = ListDir(dir);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    const std::string rel = relative.empty() ? name : relative + "/" + name;
    const std::string path = root + "/" + rel;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) return PosixError("lstat", path);
    if (S_ISDIR(st.st_mode)) {
      absl::Status status = SnapshotInto(root, rel, out);
      if (!status.ok()) return status;
    } else if (S_ISREG(st.st_mode)) {
      absl::StatusOr<std::string> contents = ReadWholeFile(path);
      if (!contents.ok()) return contents.status();
      out[rel] = *std::move(contents);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return PosixError("open", path);
  std::string out;
  char buf[1 << 16];
  while (true) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return PosixError("read", path);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

absl::Status WriteWholeFile(const std::string& path, std::string_view data) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return PosixError("open", path);
  return WriteAll(fd.get(), data, path);
}

absl::Status AppendToFile(const std::string& path, std::string_view data) {
  Fd fd(open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (fd.get() < 0) return PosixError("open", path);
  return WriteAll(fd.get(), data, path);
}

absl::Status OverwriteAt(const std::string& path, uint64_t offset, std::string_view data) {
  absl::StatusOr<uint64_t> size = FileSizeOf(path);
  if (!size.ok()) return size.status();
  if (offset + data.size() > *size) {
    return absl::OutOfRangeError(
        absl::StrCat("OverwriteAt(", path, "): ", offset, "+", data.size(), " > ", *size));
  }
  Fd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (fd.get() < 0) return PosixError("open", path);
  while (!data.empty()) {
    ssize_t n = pwrite(fd.get(), data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return PosixError("pwrite", path);
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return absl::OkStatus();
}

absl::Status FlipByteAt(const std::string& path, uint64_t offset, uint8_t mask) {
  absl::StatusOr<std::string> contents = ReadWholeFile(path);
  if (!contents.ok()) return contents.status();
  if (offset >= contents->size()) {
    return absl::OutOfRangeError(
        absl::StrCat("FlipByteAt(", path, "): offset ", offset, " >= size ", contents->size()));
  }
  const char flipped = static_cast<char>((*contents)[offset] ^ static_cast<char>(mask));
  return OverwriteAt(path, offset, std::string_view(&flipped, 1));
}

absl::Status TruncateTo(const std::string& path, uint64_t size) {
  if (truncate(path.c_str(), static_cast<off_t>(size)) != 0) return PosixError("truncate", path);
  return absl::OkStatus();
}

absl::Status RemovePath(const std::string& path) {
  if (unlink(path.c_str()) != 0) return PosixError("unlink", path);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> FileSizeOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return PosixError("stat", path);
  return static_cast<uint64_t>(st.st_size);
}

absl::StatusOr<mode_t> FileModeOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return PosixError("stat", path);
  return st.st_mode & 07777;
}

absl::Status MakeOwnerWritable(const std::string& path) {
  absl::StatusOr<mode_t> mode = FileModeOf(path);
  if (!mode.ok()) return mode.status();
  if (chmod(path.c_str(), *mode | S_IWUSR) != 0) return PosixError("chmod", path);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return PosixError("opendir", dir);
  std::vector<std::string> names;
  while (const dirent* entry = readdir(d)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<std::map<std::string, std::string>> SnapshotTree(const std::string& dir) {
  std::map<std::string, std::string> out;
  absl::Status status = SnapshotInto(dir, "", out);
  if (!status.ok()) return status;
  return out;
}

}  // namespace sealtrail::testing
