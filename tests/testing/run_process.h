// Runs a program as a child process with given stdin bytes and captures its exit code, stdout
// and stderr, for tests of command-line tools. No shell is involved (posix_spawn), so arguments
// are passed exactly as given.
//
// Thread-safety: none needed; each call uses its own temporary files in `scratch`.
#ifndef SEALTRAIL_TESTS_TESTING_RUN_PROCESS_H_
#define SEALTRAIL_TESTS_TESTING_RUN_PROCESS_H_

#include <string>
#include <vector>

#include "testing/scratch_dir.h"

namespace sealtrail::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 if the child could not be started or did not exit normally.
  std::string out;
  std::string err;
};

// Runs `binary` with `args` and `input` on stdin and waits for it. The child's stdin, stdout
// and stderr are files in `scratch` (replaced by each call).
ProcessResult RunProcess(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& input, const ScratchDir& scratch);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_RUN_PROCESS_H_
