// A temporary directory for tests, removed with everything in it when the object is destroyed.
//
// Created with mkdtemp under $TMPDIR (or /tmp). Removal copes with what the engine leaves
// behind: read-only (0444) sealed segment files and directories whose permissions a test
// changed. Not thread-safe; each test owns its own TempDir.
#ifndef SEALTRAIL_TESTS_TESTING_TEMP_DIR_H_
#define SEALTRAIL_TESTS_TESTING_TEMP_DIR_H_

#include <string>
#include <string_view>

namespace sealtrail::testing {

class TempDir {
 public:
  // Aborts the test binary if the directory cannot be created: nothing useful can follow.
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Absolute path, without a trailing slash.
  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Join(std::string_view name) const;

 private:
  std::string path_;
};

// Removes `path` and, if it is a directory, everything below it, first granting the owner
// rwx on directories so their entries can be listed and unlinked. Symlinks are removed, never
// followed. Returns false (with errno set) on the first failure.
bool RemoveRecursively(const std::string& path);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_TEMP_DIR_H_
