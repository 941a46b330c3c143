#include "server/detect/business_hours.h"

#include <array>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sealtrail::detect {
namespace {

// Monday first, as the weekday bits.
constexpr std::array<absl::string_view, 7> kWeekdays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

// "HH:MM", 00:00 to 24:00, as minutes since midnight; -1 if malformed.
int ParseClock(absl::string_view text) {
  int hours = 0;
  int minutes = 0;
  if (text.size() != 5 || text[2] != ':' || !absl::ascii_isdigit(text[0]) ||
      !absl::ascii_isdigit(text[1]) || !absl::ascii_isdigit(text[3]) ||
      !absl::ascii_isdigit(text[4]) || !absl::SimpleAtoi(text.substr(0, 2), &hours) ||
      !absl::SimpleAtoi(text.substr(3, 2), &minutes) || minutes > 59 || hours > 24 ||
      (hours == 24 && minutes != 0)) {
    return -1;
  }
  return hours * 60 + minutes;
}

}  // namespace

bool BusinessHours::Contains(int64_t unix_nanos) const {
  const absl::TimeZone::CivilInfo local = zone_.At(absl::FromUnixNanos(unix_nanos));
  // absl::Weekday counts from Monday = 0, as the mask's bits do.
  const int weekday = static_cast<int>(absl::GetWeekday(absl::CivilDay(local.cs)));
  if ((weekday_mask_ & (1u << weekday)) == 0) return false;
  const int minute = local.cs.hour() * 60 + local.cs.minute();
  return minute >= from_minute_ && minute < to_minute_;
}

absl::StatusOr<absl::TimeZone> LoadZone(absl::string_view name) {
  absl::TimeZone zone;
  // Only tz database names: not "localtime" (the machine's own zone, which would make a rule mean
  // different things on different servers) and no path that leaves the zoneinfo directory.
  const bool plausible = !name.empty() && name != "localtime" && name[0] != '/' &&
                         name.find("..") == absl::string_view::npos;
  if (!plausible || !absl::LoadTimeZone(std::string(name), &zone)) {
    return absl::InvalidArgumentError(
        "not a time zone of the tz database (e.g. Europe/Berlin, America/New_York, UTC)");
  }
  return zone;
}

uint8_t WeekdayBit(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  for (size_t i = 0; i < kWeekdays.size(); ++i) {
    if (lower == kWeekdays[i] || (lower.size() == 3 && absl::StartsWith(kWeekdays[i], lower))) {
      return static_cast<uint8_t>(1u << i);
    }
  }
  return 0;
}

absl::StatusOr<std::pair<int, int>> ParseHoursRange(absl::string_view text) {
  const size_t dash = text.find('-');
  const int from = dash == absl::string_view::npos ? -1 : ParseClock(text.substr(0, dash));
  const int to = dash == absl::string_view::npos ? -1 : ParseClock(text.substr(dash + 1));
  if (from < 0 || to < 0) {
    return absl::InvalidArgumentError(
        "expected business hours as HH:MM-HH:MM, e.g. 08:00-18:00 (00:00 to 24:00)");
  }
  if (from >= to) {
    return absl::InvalidArgumentError(
        "the business hours must start before they end on the same day (e.g. 08:00-18:00)");
  }
  return std::make_pair(from, to);
}

}  // namespace sealtrail::detect
