#include "testing/small_filesystem.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace sealtrail::testing {

absl::StatusOr<std::unique_ptr<SmallFilesystem>> SmallFilesystem::Mount(const std::string& dir,
                                                                        uint64_t bytes) {
  if (::mkdir(dir.c_str(), 0755) != 0) {
    return absl::InternalError(absl::StrCat("mkdir ", dir, ": ", std::strerror(errno)));
  }
  const std::string data = absl::StrCat("size=", bytes, ",mode=0755");
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, data.c_str()) != 0) {
    const int err = errno;
    ::rmdir(dir.c_str());
    const std::string why = absl::StrCat("mounting a ", bytes, "-byte tmpfs on ", dir, ": ",
                                         std::strerror(err), " (needs root or CAP_SYS_ADMIN)");
    if (err == EPERM || err == EACCES) return absl::PermissionDeniedError(why);
    return absl::FailedPreconditionError(why);
  }
  return std::unique_ptr<SmallFilesystem>(new SmallFilesystem(dir));
}

SmallFilesystem::~SmallFilesystem() {
  ::umount2(dir_.c_str(), MNT_DETACH);
  ::rmdir(dir_.c_str());
}

absl::StatusOr<uint64_t> SmallFilesystem::Fill(const std::string& name) const {
  const std::string path = absl::StrCat(dir_, "/", name);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == ENOSPC) return 0;
    return absl::InternalError(absl::StrCat("open ", path, ": ", std::strerror(errno)));
  }
  const std::string block(4096, 'f');
  uint64_t written = 0;
  // Whole blocks first, then single bytes, until the kernel says the disk is full.
  for (size_t chunk : {block.size(), size_t{1}}) {
    while (true) {
      const ssize_t n = ::write(fd, block.data(), chunk);
      if (n > 0) {
        written += static_cast<uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != ENOSPC) {
        const int err = errno;
        ::close(fd);
        return absl::InternalError(absl::StrCat("write ", path, ": ", std::strerror(err)));
      }
      break;
    }
  }
  ::close(fd);
  return written;
}

}  // namespace sealtrail::testing
