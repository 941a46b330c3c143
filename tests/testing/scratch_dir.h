// ScratchDir: a fresh directory for one test case (or one round of a test), removed with
// everything in it when the object is destroyed.
//
// Created with mkdtemp under $TEST_TMPDIR, else $TMPDIR, else /tmp, so a run can be pointed at
// a tmpfs (TEST_TMPDIR=/dev/shm) or at a real disk. Removal copes with what the engine leaves
// behind: read-only (0444) sealed segments and directories whose write bits were removed.
//
// Thread-safety: none; each test owns its ScratchDir.
#ifndef SEALTRAIL_TESTS_TESTING_SCRATCH_DIR_H_
#define SEALTRAIL_TESTS_TESTING_SCRATCH_DIR_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace sealtrail::testing {

class ScratchDir {
 public:
  // Aborts the process if no directory can be created: no test can run without one.
  // `prefix` becomes the start of the directory's name, for whoever reads a leftover. A
  // non-empty `root` is used instead of the environment's choice.
  explicit ScratchDir(std::string_view prefix = "sealtrail_scratch", std::string_view root = "");
  // Removes the tree; a failure to remove it fails the current test.
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // Absolute path, no trailing slash.
  const std::string& path() const { return path_; }
  // path() + "/" + name. Nothing is created.
  std::string Sub(std::string_view name) const;

 private:
  std::string path_;
};

// Removes `path` and everything below it. Directories are made owner-rwx before they are
// listed, so read-only files and directories are no obstacle; symlinks are unlinked, never
// followed. A missing `path` is OK.
absl::Status RemoveTree(const std::string& path);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_SCRATCH_DIR_H_
