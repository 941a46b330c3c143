#include "testing/scratch_dir.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace sealtrail::testing {
namespace {

std::string ScratchRoot() {
  for (const char* var : {"TEST_TMPDIR", "TMPDIR"}) {
    const char* value = std::getenv(var);
    if (value != nullptr && value[0] != '\0') {
      std::string root = value;
      while (root.size() > 1 && root.back() == '/') root.pop_back();
      return root;
    }
  }
  return "/tmp";
}

absl::Status ErrnoStatus(int error, std::string_view what, const std::string& path) {
  return absl::ErrnoToStatus(error, std::string(what) + " " + path);
}

}  // namespace

ScratchDir::ScratchDir(std::string_view prefix, std::string_view root) {
  std::string pattern =
      (root.empty() ? ScratchRoot() : std::string(root)) + "/" + std::string(prefix) + ".XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    std::fprintf(stderr, "mkdtemp(%s): %s\n", pattern.c_str(), std::strerror(errno));
    std::abort();
  }
  path_ = buf.data();
}

ScratchDir::~ScratchDir() {
  absl::Status status = RemoveTree(path_);
  if (!status.ok()) ADD_FAILURE() << "cannot remove scratch directory: " << status;
}

std::string ScratchDir::Sub(std::string_view name) const {
  std::string out = path_;
  out += '/';
  out += name;
  return out;
}

absl::Status RemoveTree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoStatus(errno, "lstat", path);
  }
  if (!S_ISDIR(st.st_mode)) {
    // Unlinking needs write permission on the parent only, so a 0444 file is no obstacle.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus(errno, "unlink", path);
    return absl::OkStatus();
  }
  if ((st.st_mode & S_IRWXU) != S_IRWXU && ::chmod(path.c_str(), st.st_mode | S_IRWXU) != 0) {
    return ErrnoStatus(errno, "chmod", path);
  }
  std::vector<std::string> children;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return ErrnoStatus(errno, "opendir", path);
  while (struct dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") children.push_back(path + "/" + std::string(name));
  }
  ::closedir(dir);
  for (const std::string& child : children) {
    absl::Status status = RemoveTree(child);
    if (!status.ok()) return status;
  }
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus(errno, "rmdir", path);
  return absl::OkStatus();
}

}  // namespace sealtrail::testing
