// The delay between delivery attempts: exponential backoff with full jitter. After the n-th
// failed attempt in a row the cap is min(max_backoff, initial_backoff * 2^(n-1)), and the delay
// is drawn uniformly from [0, cap], so that the retries of many alerts (or of many senders) after
// one outage spread out instead of arriving together.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_SERVER_WEBHOOK_RETRY_BACKOFF_H_
#define SEALTRAIL_SERVER_WEBHOOK_RETRY_BACKOFF_H_

#include <cstdint>

#include "absl/time/time.h"

namespace sealtrail {

// min(max_backoff, initial_backoff * 2^(failed_attempts - 1)); initial_backoff for 0 or 1.
// REQUIRES: 0 < initial_backoff <= max_backoff, both finite.
absl::Duration BackoffCap(uint32_t failed_attempts, absl::Duration initial_backoff,
                          absl::Duration max_backoff);

// `unit_random` scaled onto [0, BackoffCap(...)]. REQUIRES: 0 <= unit_random <= 1.
absl::Duration FullJitterBackoff(uint32_t failed_attempts, absl::Duration initial_backoff,
                                 absl::Duration max_backoff, double unit_random);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_WEBHOOK_RETRY_BACKOFF_H_
