// DaemonProcess: the sealtraild binary run as a real child process, for tests that stop it with
// signals (SIGTERM for an orderly shutdown, SIGKILL for a crash). The child listens on
// 127.0.0.1 port 0 and reports its port through --port-file; its stderr (the structured event
// log) goes to a file the test can read.
//
// Thread-safety: none; one test thread owns it.
#ifndef SEALTRAIL_TESTS_SERVER_TESTING_DAEMON_PROCESS_H_
#define SEALTRAIL_TESTS_SERVER_TESTING_DAEMON_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"

namespace sealtrail::testing {

class DaemonProcess {
 public:
  // Starts `binary --data DATA_DIR --listen 127.0.0.1:0 --port-file WORK_DIR/port EXTRA_ARGS...`
  // (without the --listen when EXTRA_ARGS has one) with stderr to WORK_DIR/stderr, and waits (at
  // most `timeout`) for the port file. On a timeout or an early exit the child is killed and the
  // error carries its stderr.
  static absl::StatusOr<std::unique_ptr<DaemonProcess>> Start(
      const std::string& binary, const std::string& data_dir, const std::string& work_dir,
      const std::vector<std::string>& extra_args, absl::Duration timeout = absl::Seconds(60));

  // SIGKILLs a child that is still running, and reaps it.
  ~DaemonProcess();

  int port() const { return port_; }
  std::string address() const;
  // The dev token the server wrote to DATA/dev-token (empty if none), and a new channel (its own
  // connection) to the server that sends it on every call.
  const std::string& dev_token() const { return dev_token_; }
  std::shared_ptr<grpc::Channel> NewChannel() const;
  pid_t pid() const { return pid_; }

  // Sends `signal`; does not wait.
  void Signal(int signal);
  // Waits (at most `timeout`) for the child to exit and returns its wait status; DEADLINE_EXCEEDED
  // if it did not (the child is then SIGKILLed and reaped).
  absl::StatusOr<int> Wait(absl::Duration timeout);
  // The child's stderr so far.
  std::string Stderr() const;

 private:
  DaemonProcess(pid_t pid, std::string work_dir) : pid_(pid), work_dir_(std::move(work_dir)) {}
  pid_t pid_;
  std::string work_dir_;
  std::string dev_token_;
  int port_ = 0;
  bool reaped_ = false;
};

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_SERVER_TESTING_DAEMON_PROCESS_H_
