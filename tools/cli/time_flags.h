// Times and durations as people type them on the command line, parsed in one place for every
// command and tool that takes them (query, export, dev-token --ttl, query --follow-for).
//
//   duration  a number and a unit: 90s, 30m, 1h, 7d; combined: 1h30m, 1d12h; fractions and
//             smaller units as absl::ParseDuration takes them: 1.5s, 250ms. No sign.
//   time      RFC 3339 (2026-11-23T10:00:00Z, 2026-11-23T11:00:00.5+01:00); a date (2026-03-01,
//             meaning 00:00:00 UTC of that day); `now`; a duration, meaning that long before now
//             (1h: an hour ago); or a decimal count of nanoseconds since 1970 (digits only).
//
// Times are nanoseconds since the Unix epoch, from 1970 to 2262 (what int64 holds). Every error
// is INVALID_ARGUMENT naming the flag and quoting what was given.
#ifndef SEALTRAIL_TOOLS_CLI_TIME_FLAGS_H_
#define SEALTRAIL_TOOLS_CLI_TIME_FLAGS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sealtrail::cli {

// A duration as above, finite and not negative (0s is allowed).
absl::StatusOr<absl::Duration> ParseDurationFlag(std::string_view text, std::string_view flag);

// A time as above; `now` is the instant `now` and relative times are counted from (pass the
// same one for every flag of a command, so that `--from 1h --to now` is exactly an hour).
absl::StatusOr<int64_t> ParseTimeFlag(std::string_view text, std::string_view flag, absl::Time now);

// Only the absolute forms: RFC 3339 or nanoseconds since 1970. For times in files (a bundle's
// manifest), which must mean the same whenever they are read.
absl::StatusOr<int64_t> ParseTimestamp(std::string_view text, std::string_view what);

// OK if from < to: the range [from, to) is not empty. Else INVALID_ARGUMENT naming both flags
// with the values as given and as times ("--from '2h' (2026-11-23T08:00:00Z) is not before
// --to '3h' (...)").
absl::Status CheckTimeRange(std::string_view from_text, int64_t from_ns, std::string_view to_text,
                            int64_t to_ns);

// "2026-11-23T10:00:00.000000000Z".
std::string FormatCommitTime(int64_t unix_nanos);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_TIME_FLAGS_H_
