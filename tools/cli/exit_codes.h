// Process exit codes of the `sealtrail` tool, and the one place that maps an absl::Status to them.
// Scripts depend on these numbers; never renumber them.
#ifndef SEALTRAIL_TOOLS_CLI_EXIT_CODES_H_
#define SEALTRAIL_TOOLS_CLI_EXIT_CODES_H_

#include <ostream>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sealtrail::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,         // Bad flags or arguments (reported by the flag parser).
  kExitInvalidInput = 2,  // NOT_FOUND, OUT_OF_RANGE, INVALID_ARGUMENT.
  kExitDataLoss = 3,      // Verification failed: DATA_LOSS (data damaged or tampered with, a
                          // fork or rollback), UNAUTHENTICATED (a signature, key or origin).
  kExitInternal = 4,      // Anything else: other I/O errors, locked directory, internal errors.
  kExitPermission = 5,    // PERMISSION_DENIED (the server's, or a local file's), and the
                          // server's UNAUTHENTICATED (a token or certificate refused).
};

// The text of `--help`'s footer.
inline constexpr std::string_view kExitCodeHelp =
    "Exit codes:\n"
    "  0  ok\n"
    "  1  usage error (bad flags or arguments)\n"
    "  2  not found, out of range, invalid input, or a file that already exists\n"
    "  3  verification failed or data damaged (DATA_LOSS): a hash, chain, signature, key or\n"
    "     origin that does not verify, a checkpoint that does not match the data, a fork, a\n"
    "     witness shown a smaller tree than it trusts, or a bundle that does not verify\n"
    "  4  other I/O or internal error, an unreachable server, or the data directory is locked\n"
    "     by another process\n"
    "  5  permission denied: the server refused the credentials (UNAUTHENTICATED) or the\n"
    "     caller's rights (PERMISSION_DENIED), or a local file may not be read or written\n"
    "Results are printed to stdout as one JSON object per line; errors to stderr.";

// The exit code for the outcome of a command. The only status-to-exit-code mapping.
// UNAUTHENTICATED means two things: a signature, key or origin that did not verify here (exit 3),
// or the server refusing the caller (exit 5); MarkFromServer tells them apart.
ExitCode ExitCodeForStatus(const absl::Status& status);

// `status` marked as the server's answer (a payload that WithContext keeps), so that the
// server's UNAUTHENTICATED is a permission error and not a failed verification. Only
// FromGrpcStatus (server_channel.h) calls it.
absl::Status MarkFromServer(absl::Status status);
bool IsFromServer(const absl::Status& status);

// `status` with "<context>: " prepended to its message; the code and payloads, and so the exit
// code, are kept.
absl::Status WithContext(const absl::Status& status, absl::string_view context);

// Writes "sealtrail: <message>" to `err` unless `status` is OK, the message escaped for a
// terminal (DisplayMessage, display_text.h); returns ExitCodeForStatus.
int ReportStatus(const absl::Status& status, std::ostream& err);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_EXIT_CODES_H_
