#include "server/webhook/retry_backoff.h"

#include <algorithm>

namespace sealtrail {

absl::Duration BackoffCap(uint32_t failed_attempts, absl::Duration initial_backoff,
                          absl::Duration max_backoff) {
  absl::Duration cap = initial_backoff;
  // Doubling stops at max_backoff, so neither the loop nor the product can overflow.
  for (uint32_t i = 1; i < failed_attempts && cap < max_backoff; ++i) cap *= 2;
  return std::min(cap, max_backoff);
}

absl::Duration FullJitterBackoff(uint32_t failed_attempts, absl::Duration initial_backoff,
                                 absl::Duration max_backoff, double unit_random) {
  const double unit = std::clamp(unit_random, 0.0, 1.0);
  return BackoffCap(failed_attempts, initial_backoff, max_backoff) * unit;
}

}  // namespace sealtrail
