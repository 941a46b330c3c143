// SmallFilesystem: a real file system of a few megabytes (tmpfs) mounted on a fresh directory,
// so a test can fill the disk for real (ENOSPC from the kernel, not from a fake Env).
//
// Mounting needs root (CAP_SYS_ADMIN); Mount says why it could not, and the test should then
// GTEST_SKIP with that reason. The file system is unmounted (lazily, so open files in a child
// that is still exiting do not block it) when the object is destroyed; what was on it is gone.
//
// Thread-safety: none; one test owns it.
#ifndef SEALTRAIL_TESTS_TESTING_SMALL_FILESYSTEM_H_
#define SEALTRAIL_TESTS_TESTING_SMALL_FILESYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace sealtrail::testing {

class SmallFilesystem {
 public:
  // Creates `dir` (it must not exist) and mounts a tmpfs of `bytes` on it. PERMISSION_DENIED
  // (or the mount's own error) when this process may not mount.
  static absl::StatusOr<std::unique_ptr<SmallFilesystem>> Mount(const std::string& dir,
                                                                uint64_t bytes);
  ~SmallFilesystem();
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;

  const std::string& dir() const { return dir_; }
  // Fills the remaining space with a file named `name` (ENOSPC is the expected end); returns
  // the bytes written.
  absl::StatusOr<uint64_t> Fill(const std::string& name) const;

 private:
  explicit SmallFilesystem(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_SMALL_FILESYSTEM_H_
