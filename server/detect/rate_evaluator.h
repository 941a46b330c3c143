// The evaluator of a rate rule: per key (and tenant), the matching records of the last
// `window`; the rule fires when they are at least `at_least` and, with a sum, their sum of the
// field is above `sum.above`. Re-arming: a firing empties that key's window, so the next firing
// of the key needs a fresh set of records, all committed after the firing's last.
//
// Memory: the records of all keys sit in one queue in commit order (the window is the same for
// every key, so the oldest record is always the first to leave); each key links its own records
// through the queue. At most max_entries records are held, those a firing used (until they
// leave the window) included; one more evicts the oldest, counted as a cap hit if it was still
// counting for its key.
//
// Internal to server/detect.
#ifndef SEALTRAIL_SERVER_DETECT_RATE_EVALUATOR_H_
#define SEALTRAIL_SERVER_DETECT_RATE_EVALUATOR_H_

#include <memory>

#include "server/detect/rule_evaluator.h"

namespace sealtrail::detect {

// REQUIRES: rule->spec holds a RateSpec.
std::unique_ptr<RuleEvaluator> MakeRateEvaluator(std::shared_ptr<const Rule> rule,
                                                 size_t max_triggers, uint64_t evaluated_before);

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_RATE_EVALUATOR_H_
