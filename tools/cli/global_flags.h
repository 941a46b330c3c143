// Flags that may come before the command, as git and kubectl users type them:
// `sealtrail --server H append`, `sealtrail --token-file F query --tenant acme`,
// `sealtrail --data ./log local verify`. They are the flags the server commands share (--server
// and the credential flags of credential_flags.h, --data among them) and mean exactly what they
// mean after the command: HoistGlobalFlags moves them from before the command to just after its
// last subcommand name, where that command's own parser reads them. A command that does not take
// one rejects it as it would after its name (exit 1).
//
// Given both before and after the command, a flag is a usage error: which value was meant cannot
// be told, and for a server address or a credential guessing is worse than refusing.
#ifndef SEALTRAIL_TOOLS_CLI_GLOBAL_FLAGS_H_
#define SEALTRAIL_TOOLS_CLI_GLOBAL_FLAGS_H_

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"

namespace sealtrail::cli {

// Each takes a value, as `--flag VALUE` or `--flag=VALUE`.
inline constexpr std::array<std::string_view, 7> kGlobalFlags = {
    "--server", "--token", "--token-file", "--tls-ca", "--tls-cert", "--tls-key", "--data"};

// What --help says about them.
inline constexpr std::string_view kGlobalFlagsHelp =
    "--server, --token, --token-file, --tls-ca, --tls-cert, --tls-key and --data may also come "
    "before the command (sealtrail --server HOST:PORT query ...), meaning the same; a flag given "
    "both before and after the command is a usage error.";

// `args` (the command line without the program name) with every global flag that comes before
// the command's last subcommand name (of `app`'s tree) moved to just after it, in order; the
// rest is untouched, and so is a command line with no subcommand name or no global flag before
// it. Moving stops at the first other flag (such as --help) or "--". INVALID_ARGUMENT naming the
// flag and the command for a global flag that is also given after the command.
absl::StatusOr<std::vector<std::string>> HoistGlobalFlags(const CLI::App& app,
                                                          std::vector<std::string> args);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_GLOBAL_FLAGS_H_
