// BusinessHours: the working week of a rule's `outside_hours` condition: a set of weekdays and a
// time-of-day range [from, to) on each of them, in a named IANA time zone (absl::LoadTimeZone,
// so daylight saving time is followed: 08:00 in Europe/Berlin is 07:00 UTC in winter and 06:00
// UTC in summer).
//
// Thread-safety: immutable; Contains may be called concurrently.
#ifndef SEALTRAIL_SERVER_DETECT_BUSINESS_HOURS_H_
#define SEALTRAIL_SERVER_DETECT_BUSINESS_HOURS_H_

#include <cstdint>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sealtrail::detect {

class BusinessHours {
 public:
  // `weekday_mask`: bit 0 Monday .. bit 6 Sunday. `from_minute` < `to_minute`, minutes since
  // local midnight, to_minute at most 24 * 60.
  BusinessHours(absl::TimeZone zone, uint8_t weekday_mask, int from_minute, int to_minute)
      : zone_(zone),
        weekday_mask_(weekday_mask),
        from_minute_(from_minute),
        to_minute_(to_minute) {}

  // True if the instant, in the zone, falls on one of the weekdays within [from, to).
  bool Contains(int64_t unix_nanos) const;

 private:
  absl::TimeZone zone_;
  uint8_t weekday_mask_;
  int from_minute_;
  int to_minute_;
};

// "Europe/Berlin", "UTC", ...: INVALID_ARGUMENT if the name is not a time zone this machine's
// tz database knows.
[[nodiscard]] absl::StatusOr<absl::TimeZone> LoadZone(absl::string_view name);

// "Mon", "monday", "SUN", ...: the weekday's bit (bit 0 Monday .. bit 6 Sunday), or 0 if the
// text is not a weekday.
uint8_t WeekdayBit(absl::string_view name);

// "08:00-18:00": minutes since midnight of both ends. INVALID_ARGUMENT unless both are HH:MM
// (00:00 to 24:00) and the start is before the end.
[[nodiscard]] absl::StatusOr<std::pair<int, int>> ParseHoursRange(absl::string_view text);

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_BUSINESS_HOURS_H_
