#include "server/index/rocks_info_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <utility>

#include "server/index/rocks_status.h"

namespace sealtrail::index_internal {
namespace {

class DiskFullProofLogger final : public rocksdb::Logger {
 public:
  DiskFullProofLogger(int fd, rocksdb::InfoLogLevel level) : rocksdb::Logger(level), fd_(fd) {}
  ~DiskFullProofLogger() override {
    if (fd_ >= 0) ::close(fd_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (fd_ < 0) return;
    char line[2048];
    const int n = std::vsnprintf(line, sizeof(line) - 1, format, ap);
    if (n < 0) return;
    size_t length = std::min(static_cast<size_t>(n), sizeof(line) - 2);
    line[length++] = '\n';
    // One write per line; a short or failed write (ENOSPC) loses the line, nothing else.
    (void)!::write(fd_, line, length);
  }

 private:
  rocksdb::Status CloseImpl() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return rocksdb::Status::OK();
  }

  int fd_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> MakeInfoLog(const std::string& dir, rocksdb::InfoLogLevel level) {
  const std::string path = dir + "/LOG";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  return std::make_shared<DiskFullProofLogger>(fd, level);
}

void BackgroundErrorListener::SetHandler(Handler handler) {
  absl::MutexLock lock(&mu_);
  handler_ = std::move(handler);
}

void BackgroundErrorListener::OnBackgroundError(rocksdb::BackgroundErrorReason reason,
                                                rocksdb::Status* error) {
  if (error == nullptr || error->ok()) return;
  const char* what = "write";
  switch (reason) {
    case rocksdb::BackgroundErrorReason::kFlush:
    case rocksdb::BackgroundErrorReason::kFlushNoWAL:
      what = "flush";
      break;
    case rocksdb::BackgroundErrorReason::kCompaction:
      what = "compaction";
      break;
    case rocksdb::BackgroundErrorReason::kManifestWrite:
    case rocksdb::BackgroundErrorReason::kManifestWriteNoWAL:
      what = "manifest write";
      break;
    default:
      break;
  }
  const absl::Status status = FromRocks(*error, std::string("index background ") + what);
  absl::MutexLock lock(&mu_);
  if (handler_) handler_(status);
}

}  // namespace sealtrail::index_internal
