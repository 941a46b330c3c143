#include "testing/piped_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/status/status.h"
#include "absl/time/clock.h"

extern char** environ;

namespace sealtrail::testing {
namespace {

int RemainingMs(absl::Time deadline) {
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(
      absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))), 1 << 30));
}

}  // namespace

absl::StatusOr<std::unique_ptr<PipedProcess>> PipedProcess::Start(
    const std::string& binary, const std::vector<std::string>& args,
    const std::string& stderr_path) {
  // A write to a child that has exited must fail, not kill the test.
  signal(SIGPIPE, SIG_IGN);
  int in_pipe[2];
  int out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    close(in_pipe[0]);
    close(in_pipe[1]);
    return absl::InternalError("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (spawned != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    return absl::InternalError("posix_spawn failed");
  }
  // Non-blocking ends for the test, which waits with poll and its own deadlines.
  fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  return std::unique_ptr<PipedProcess>(new PipedProcess(pid, in_pipe[1], out_pipe[0]));
}

PipedProcess::~PipedProcess() {
  CloseStdin();
  if (!reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(stdout_fd_);
}

size_t PipedProcess::Write(std::string_view bytes, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  size_t written = 0;
  while (written < bytes.size() && stdin_fd_ >= 0) {
    const ssize_t wrote = write(stdin_fd_, bytes.data() + written, bytes.size() - written);
    if (wrote > 0) {
      written += static_cast<size_t>(wrote);
      continue;
    }
    if (wrote < 0 && errno != EAGAIN && errno != EINTR) break;
    pollfd writable{stdin_fd_, POLLOUT, 0};
    const int ready = poll(&writable, 1, RemainingMs(deadline));
    if (ready == 0 || (ready < 0 && errno != EINTR)) break;
  }
  return written;
}

void PipedProcess::CloseStdin() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  stdin_fd_ = -1;
}

std::optional<std::string> PipedProcess::ReadLine(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const size_t newline = out_buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = out_buffer_.substr(0, newline);
      out_buffer_.erase(0, newline + 1);
      return line;
    }
    if (out_ended_) return std::nullopt;
    char chunk[4096];
    const ssize_t got = read(stdout_fd_, chunk, sizeof chunk);
    if (got > 0) {
      out_buffer_.append(chunk, static_cast<size_t>(got));
      continue;
    }
    if (got == 0) {
      out_ended_ = true;
      continue;
    }
    if (errno != EAGAIN && errno != EINTR) return std::nullopt;
    pollfd readable{stdout_fd_, POLLIN, 0};
    const int ready = poll(&readable, 1, RemainingMs(deadline));
    if (ready == 0) return std::nullopt;
    if (ready < 0 && errno != EINTR) return std::nullopt;
  }
}

absl::StatusOr<int> PipedProcess::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      reaped_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (absl::Now() >= deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      reaped_ = true;
      return absl::DeadlineExceededError("the child did not exit in time");
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

}  // namespace sealtrail::testing
