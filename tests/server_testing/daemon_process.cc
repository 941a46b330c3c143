#include "server_testing/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "cli/server_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

extern char** environ;

namespace sealtrail::testing {
namespace {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(
    const std::string& binary, const std::string& data_dir, const std::string& work_dir,
    const std::vector<std::string>& extra_args, absl::Duration timeout) {
  std::string port_file = work_dir + "/port";
  std::string stderr_file = work_dir + "/stderr";
  ::unlink(port_file.c_str());
  // No OTLP/HTTP listener: its default port would collide between tests run in parallel.
  std::vector<std::string> args = {
      binary, "--data", data_dir, "--port-file", port_file, "--otlp-http-listen", ""};
  // The extra arguments may name the address (a test of two servers on one port).
  if (std::find(extra_args.begin(), extra_args.end(), "--listen") == extra_args.end()) {
    args.insert(args.end(), {"--listen", "127.0.0.1:0"});
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  int error = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    return absl::InternalError(absl::StrCat("posix_spawn ", binary, ": ", std::strerror(error)));
  }
  std::unique_ptr<DaemonProcess> process(new DaemonProcess(pid, work_dir));

  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::string text(absl::StripAsciiWhitespace(ReadWholeFile(port_file)));
    if (!text.empty() && absl::SimpleAtoi(text, &process->port_)) {
      // Written before the server listens, so present once the port is.
      process->dev_token_ =
          std::string(absl::StripAsciiWhitespace(ReadWholeFile(data_dir + "/dev-token")));
      return process;
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      process->reaped_ = true;
      return absl::InternalError(absl::StrCat("sealtraild exited during start-up (status ", status,
                                              "): ", process->Stderr()));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "sealtraild did not listen within ", absl::FormatDuration(timeout), ": ", process->Stderr()));
}

DaemonProcess::~DaemonProcess() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

std::string DaemonProcess::address() const { return absl::StrCat("127.0.0.1:", port_); }

std::shared_ptr<grpc::Channel> DaemonProcess::NewChannel() const {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // A connection of its own.
  return cli::CreateBearerChannel(address(), grpc::InsecureChannelCredentials(), args, dev_token_);
}

void DaemonProcess::Signal(int signal) {
  if (!reaped_) ::kill(pid_, signal);
}

absl::StatusOr<int> DaemonProcess::Wait(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (!reaped_) {
    int status = 0;
    pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      reaped_ = true;
      return status;
    }
    if (absl::Now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      reaped_ = true;
      return absl::DeadlineExceededError(
          absl::StrCat("sealtraild did not exit within ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::FailedPreconditionError("the process was already reaped");
}

std::string DaemonProcess::Stderr() const { return ReadWholeFile(work_dir_ + "/stderr"); }

}  // namespace sealtrail::testing
