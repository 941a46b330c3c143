// PipedProcess: a program run as a child process whose stdin and stdout are pipes the test
// holds, for tests of tools that stream: write a line, see what the child answers while its
// input stays open, stop reading its output to see back-pressure, and close stdin for EOF. No
// shell is involved (posix_spawn); stderr goes to a file. Every wait is bounded.
//
// Thread-safety: Write* and CloseStdin from one thread, ReadLine from one (possibly another).
#ifndef SEALTRAIL_TESTS_TESTING_PIPED_PROCESS_H_
#define SEALTRAIL_TESTS_TESTING_PIPED_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sealtrail::testing {

class PipedProcess {
 public:
  // Starts `binary args...` with stdin and stdout piped and stderr to `stderr_path`.
  static absl::StatusOr<std::unique_ptr<PipedProcess>> Start(const std::string& binary,
                                                             const std::vector<std::string>& args,
                                                             const std::string& stderr_path);
  // SIGKILLs a child that is still running, and reaps it.
  ~PipedProcess();

  // Writes `bytes` to the child's stdin, waiting at most `timeout` for the child to read; returns
  // how many bytes were written: all of them, or fewer if the time ran out (the child is not
  // reading) or the pipe broke.
  size_t Write(std::string_view bytes, absl::Duration timeout);
  // Closes the child's stdin: end of input.
  void CloseStdin();

  // The next line of the child's stdout (without its '\n'), or none if no whole line came
  // within `timeout` or stdout ended.
  std::optional<std::string> ReadLine(absl::Duration timeout);

  // Waits (at most `timeout`) for the child to exit; its exit code, or -1 if it was killed by a
  // signal. DEADLINE_EXCEEDED if it did not exit (it is then SIGKILLed and reaped).
  absl::StatusOr<int> Wait(absl::Duration timeout);

  pid_t pid() const { return pid_; }

 private:
  PipedProcess(pid_t pid, int stdin_fd, int stdout_fd)
      : pid_(pid), stdin_fd_(stdin_fd), stdout_fd_(stdout_fd) {}

  pid_t pid_;
  int stdin_fd_;
  int stdout_fd_;
  std::string out_buffer_;
  bool out_ended_ = false;
  bool reaped_ = false;
};

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_PIPED_PROCESS_H_
