#include "cli/time_flags.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::cli {
namespace {

absl::string_view View(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

absl::Status Invalid(std::string_view flag, std::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(View(flag), " '", View(text), "': ", why));
}

bool AllDigits(absl::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

// The nanoseconds of a time from 1970 to 2262.
absl::StatusOr<int64_t> InRange(absl::Time time, std::string_view flag, std::string_view text) {
  if (time < absl::UnixEpoch() || time > absl::FromUnixNanos(std::numeric_limits<int64_t>::max())) {
    return Invalid(flag, text,
                   absl::StrCat("is ", absl::FormatTime(time, absl::UTCTimeZone()),
                                "; times must be from 1970 to 2262"));
  }
  return absl::ToUnixNanos(time);
}

// YYYY-MM-DD exactly.
bool LooksLikeDate(absl::string_view text) {
  return text.size() == 10 && text[4] == '-' && text[7] == '-' && AllDigits(text.substr(0, 4)) &&
         AllDigits(text.substr(5, 2)) && AllDigits(text.substr(8, 2));
}

// Whether `text` is meant as a duration: a digit or '.' first and a unit letter last.
bool LooksLikeDuration(absl::string_view text) {
  return !text.empty() &&
         (absl::ascii_isdigit(static_cast<unsigned char>(text.front())) || text.front() == '.') &&
         absl::ascii_isalpha(static_cast<unsigned char>(text.back()));
}

constexpr char kTimeForms[] =
    "expected RFC 3339 (2026-11-23T10:00:00Z), a date (2026-11-23, midnight UTC), now, a "
    "duration before now (90s, 30m, 1h, 7d), or nanoseconds since 1970";

}  // namespace

absl::StatusOr<absl::Duration> ParseDurationFlag(std::string_view text, std::string_view flag) {
  const absl::string_view input = View(text);
  const auto invalid = [&]() {
    return Invalid(flag, text, "expected a duration such as 90s, 30m, 1h, 7d or 1h30m");
  };
  if (!LooksLikeDuration(input)) return invalid();
  absl::Duration total = absl::ZeroDuration();
  absl::string_view rest = input;
  // Whole days first (absl's durations stop at hours).
  if (const size_t d = rest.find('d'); d != absl::string_view::npos) {
    int64_t days = 0;
    if (!AllDigits(rest.substr(0, d)) || !absl::SimpleAtoi(rest.substr(0, d), &days) ||
        days > 106751) {  // About 292 years: what absl::Duration's int64 nanoseconds hold.
      return invalid();
    }
    total = absl::Hours(24 * days);
    rest = rest.substr(d + 1);
  }
  if (!rest.empty()) {
    absl::Duration part;
    if (!LooksLikeDuration(rest) || !absl::ParseDuration(rest, &part) ||
        part == absl::InfiniteDuration()) {
      return invalid();
    }
    total += part;
  }
  return total;
}

absl::StatusOr<int64_t> ParseTimestamp(std::string_view text, std::string_view what) {
  const absl::string_view input = View(text);
  if (AllDigits(input)) {
    int64_t nanos = 0;
    if (!absl::SimpleAtoi(input, &nanos)) {
      return Invalid(what, text, "nanoseconds since 1970 must fit in 64 bits");
    }
    return nanos;
  }
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, input, &time, &error)) {
    return Invalid(what, text,
                   absl::StrCat("expected RFC 3339 (e.g. 2026-11-23T10:00:00Z) or nanoseconds "
                                "since 1970: ",
                                error));
  }
  return InRange(time, what, text);
}

absl::StatusOr<int64_t> ParseTimeFlag(std::string_view text, std::string_view flag,
                                      absl::Time now) {
  const absl::string_view input = View(text);
  if (input == "now") return InRange(now, flag, text);
  if (LooksLikeDate(input)) {
    absl::Time midnight;
    std::string error;
    if (!absl::ParseTime("%Y-%m-%d", input, absl::UTCTimeZone(), &midnight, &error)) {
      return Invalid(flag, text, absl::StrCat("not a date: ", error));
    }
    return InRange(midnight, flag, text);
  }
  // RFC 3339 has colons and durations never do.
  if (AllDigits(input) || input.find(':') != absl::string_view::npos) {
    return ParseTimestamp(text, flag);
  }
  if (LooksLikeDuration(input)) {
    ASSIGN_OR_RETURN(absl::Duration ago, ParseDurationFlag(text, flag));
    return InRange(now - ago, flag, text);
  }
  return Invalid(flag, text, kTimeForms);
}

absl::Status CheckTimeRange(std::string_view from_text, int64_t from_ns, std::string_view to_text,
                            int64_t to_ns) {
  if (from_ns < to_ns) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--from '", View(from_text), "' (", FormatCommitTime(from_ns), ") is ",
                   from_ns == to_ns ? "the same time as" : "after", " --to '", View(to_text), "' (",
                   FormatCommitTime(to_ns),
                   "): the range [from, to) holds no time; --from must be before --to"));
}

std::string FormatCommitTime(int64_t unix_nanos) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E9SZ", absl::FromUnixNanos(unix_nanos),
                          absl::UTCTimeZone());
}

}  // namespace sealtrail::cli
