// The message for a command line the flag parser (CLI11) refused, for `sealtrail` and
// `sealtrail-bench`. CLI11's own message lists the arguments it did not expect, and one may be a
// token pasted in the wrong place (`sealtrail query eyJ...`): such an argument is described, not
// shown. The message is escaped for the terminal (DisplayMessage).
#ifndef SEALTRAIL_TOOLS_CLI_USAGE_ERROR_H_
#define SEALTRAIL_TOOLS_CLI_USAGE_ERROR_H_

#include <string>

#include "CLI/CLI.hpp"

namespace sealtrail::cli {

// "<program>: <what is wrong>\nRun with --help for more information.\n". Arguments CLI11 did not
// expect are shown only when they are short words (at most 24 characters, none of them a space,
// control character or '=', not starting like a JWT); any other is "(an argument of N
// characters, not shown)".
std::string UsageErrorText(const CLI::ParseError& error, const std::string& program);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_USAGE_ERROR_H_
