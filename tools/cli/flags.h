// Checks on flag values that the flag parser (CLI11 2.1) does not make itself.
#ifndef SEALTRAIL_TOOLS_CLI_FLAGS_H_
#define SEALTRAIL_TOOLS_CLI_FLAGS_H_

#include <string>

#include "CLI/CLI.hpp"

namespace sealtrail::cli {

// "" if `text` is a plain decimal number that fits in uint64_t, else why not. CLI11 2.1 parses
// integers with strtoull base 0, which takes "-1" as 2^64-1, "010" as octal 8 and saturates on
// overflow; every integer flag is checked with this first so that none of those gets through.
std::string CheckDecimalUint64(const std::string& text);

// CheckDecimalUint64 as a CLI11 validator, for every integer flag of sealtrail and
// sealtrail-bench: `->check(DecimalUint64())`, before any range check.
CLI::Validator DecimalUint64();

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_FLAGS_H_
