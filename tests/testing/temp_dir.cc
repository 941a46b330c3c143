#include "testing/temp_dir.h"

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

std::string TempRoot() {
  const char* env = std::getenv("TMPDIR");
  std::string root = (env != nullptr && env[0] != '\0') ? env : "/tmp";
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = TempRoot() + "/sealtrail_test.XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    std::fprintf(stderr, "mkdtemp(%s): %s\n", pattern.c_str(), std::strerror(errno));
    std::abort();
  }
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (!RemoveRecursively(path_)) {
    ADD_FAILURE() << "cannot remove temporary directory " << path_ << ": " << std::strerror(errno);
  }
}

std::string TempDir::Join(std::string_view name) const {
  std::string out = path_;
  out += '/';
  out += name;
  return out;
}

bool RemoveRecursively(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return errno == ENOENT;
  if (!S_ISDIR(st.st_mode)) return unlink(path.c_str()) == 0 || errno == ENOENT;

  // Unlinking an entry needs write and search permission on its directory, not on the entry.
  if ((st.st_mode & S_IRWXU) != S_IRWXU && chmod(path.c_str(), st.st_mode | S_IRWXU) != 0) {
    return false;
  }
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return false;
  std::vector<std::string> children;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    children.emplace_back(name);
  }
  closedir(dir);
  for (const std::string& child : children) {
    if (!RemoveRecursively(path + "/" + child)) return false;
  }
  return rmdir(path.c_str()) == 0;
}

}  // namespace sealtrail::testing
