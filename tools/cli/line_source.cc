#include "cli/line_source.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace sealtrail::cli {
namespace {

constexpr size_t kReadBytes = 64 << 10;

// poll's timeout for `wait`: rounded up to whole milliseconds, -1 for infinite.
int PollTimeoutMs(absl::Duration wait) {
  if (wait == absl::InfiniteDuration()) return -1;
  if (wait <= absl::ZeroDuration()) return 0;
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(wait, absl::Milliseconds(1)));
  return static_cast<int>(std::min<int64_t>(ms, 1 << 30));
}

// Records the last result, which every later call returns.
NextLine Last(std::optional<NextLine>& ended, NextLine last) {
  ended = last;
  return last;
}

}  // namespace

bool FdLineSource::TakeLine(NextLine& next) {
  const size_t newline = buffer_.find('\n', scanned_);
  const size_t end = newline == std::string::npos ? buffer_.size() : newline;
  if (end - start_ > max_line_bytes_) {
    next = Last(ended_, NextLine{NextLine::kTooLong});
    return true;
  }
  if (newline == std::string::npos) {
    scanned_ = buffer_.size();
    if (!eof_) return false;
    if (start_ == buffer_.size()) {
      next = Last(ended_, NextLine{NextLine::kEnd});
      return true;
    }
  }
  next = NextLine{NextLine::kLine, buffer_.substr(start_, end - start_)};
  start_ = scanned_ = newline == std::string::npos ? end : end + 1;
  return true;
}

NextLine FdLineSource::Next(absl::Duration wait) {
  if (ended_.has_value()) return *ended_;
  const absl::Time deadline =
      wait == absl::InfiniteDuration() ? absl::InfiniteFuture() : absl::Now() + wait;
  NextLine next;
  while (!TakeLine(next)) {
    // Drop what was returned before reading more, so that the buffer holds at most one line
    // and one read.
    buffer_.erase(0, start_);
    scanned_ -= start_;
    start_ = 0;
    pollfd readable{fd_, POLLIN, 0};
    const int ready = poll(&readable, 1, PollTimeoutMs(deadline - absl::Now()));
    if (ready == 0) return NextLine{NextLine::kPause};
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Last(ended_,
                  NextLine{NextLine::kError, "", absl::StrCat("poll: ", std::strerror(errno))});
    }
    const size_t old_size = buffer_.size();
    buffer_.resize(old_size + kReadBytes);
    const ssize_t got = read(fd_, buffer_.data() + old_size, kReadBytes);
    const int read_errno = errno;
    buffer_.resize(old_size + (got > 0 ? static_cast<size_t>(got) : 0));
    if (got == 0) eof_ = true;
    if (got < 0 && read_errno != EINTR && read_errno != EAGAIN) {
      return Last(ended_, NextLine{NextLine::kError, "",
                                   absl::StrCat("read: ", std::strerror(read_errno))});
    }
  }
  return next;
}

NextLine IstreamLineSource::Next(absl::Duration /*wait*/) {
  if (ended_.has_value()) return *ended_;
  std::string line;
  if (!std::getline(in_, line, '\n')) {
    if (in_.bad()) return Last(ended_, NextLine{NextLine::kError, "", "the input stream failed"});
    return Last(ended_, NextLine{NextLine::kEnd});
  }
  if (line.size() > max_line_bytes_) return Last(ended_, NextLine{NextLine::kTooLong});
  return NextLine{NextLine::kLine, std::move(line)};
}

}  // namespace sealtrail::cli
