// Lines of input for `sealtrail append`, read as they arrive: from a file descriptor (stdin: a
// pipe kept open, a file, a terminal) with a bounded wait, so that the caller can send what it
// has when the input pauses; or from a std::istream (for tests and in-memory input), which
// cannot wait and so never pauses.
//
// A line is the bytes up to a '\n' (not included); a last line without one counts. No line is
// held beyond `max_line_bytes`: a longer one is reported as too long as soon as that many bytes
// have come without a newline, so memory stays bounded whatever the input.
//
// Thread-safety: one thread at a time.
#ifndef SEALTRAIL_TOOLS_CLI_LINE_SOURCE_H_
#define SEALTRAIL_TOOLS_CLI_LINE_SOURCE_H_

#include <cstddef>
#include <istream>
#include <optional>
#include <string>

#include "absl/time/time.h"

namespace sealtrail::cli {

struct NextLine {
  enum Kind {
    kLine,     // `line` holds the next line.
    kPause,    // No whole line came within the wait.
    kEnd,      // End of input: every line has been returned.
    kTooLong,  // The next line is longer than the limit; nothing after it is read.
    kError,    // Reading failed; `error` says why.
  };
  Kind kind = kEnd;
  std::string line{};
  std::string error{};
};

class LineSource {
 public:
  virtual ~LineSource() = default;
  // The next line if one is complete within `wait` (zero: only if one is here already; infinite:
  // until one is). After kEnd, kTooLong or kError, every call returns the same again.
  virtual NextLine Next(absl::Duration wait) = 0;
};

// Reads `fd` (not owned, left open) with poll and read, in 64 KiB reads.
class FdLineSource final : public LineSource {
 public:
  FdLineSource(int fd, size_t max_line_bytes) : fd_(fd), max_line_bytes_(max_line_bytes) {}
  NextLine Next(absl::Duration wait) override;

 private:
  // Moves the next complete line (or a too-long one) out of the buffer, if there is one.
  bool TakeLine(NextLine& next);

  const int fd_;
  const size_t max_line_bytes_;
  std::string buffer_;
  size_t start_ = 0;    // buffer_[start_..] is not returned yet.
  size_t scanned_ = 0;  // buffer_[start_..scanned_) holds no newline.
  bool eof_ = false;
  std::optional<NextLine> ended_;  // Once set: what every later call returns.
};

// Reads `in` with std::getline; never returns kPause. A line is read whole before its length is
// checked (istreams hold their input already, in tests).
class IstreamLineSource final : public LineSource {
 public:
  IstreamLineSource(std::istream& in, size_t max_line_bytes)
      : in_(in), max_line_bytes_(max_line_bytes) {}
  NextLine Next(absl::Duration wait) override;

 private:
  std::istream& in_;
  const size_t max_line_bytes_;
  std::optional<NextLine> ended_;  // Once set: what every later call returns.
};

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_LINE_SOURCE_H_
