// The evaluator of a sequence rule: per key (and tenant), records matching the steps in order,
// the last within `window` of the first; the rule fires on the record that completes the
// sequence. A record may serve several steps, but never twice in one sequence: it extends the
// partial sequences that existed before it. Of several partial sequences the one that started
// last is kept (it has the most window left, so it completes whenever any would).
//
// Negative form (a first `without` step): the positive steps must complete, and no record
// matching the without step may have come, by the same key, within `window` before the first
// positive step's record.
//
// Re-arming: a firing drops the key's partial sequences; the next firing needs a new first
// step after it (a without step seen stays remembered).
//
// Memory: at most max_entries keys are tracked; one more evicts the key least recently
// touched, counted as a cap hit. A key idle for longer than the window is dropped.
//
// Internal to server/detect.
#ifndef SEALTRAIL_SERVER_DETECT_SEQUENCE_EVALUATOR_H_
#define SEALTRAIL_SERVER_DETECT_SEQUENCE_EVALUATOR_H_

#include <memory>

#include "server/detect/rule_evaluator.h"

namespace sealtrail::detect {

// REQUIRES: rule->spec holds a SequenceSpec.
std::unique_ptr<RuleEvaluator> MakeSequenceEvaluator(std::shared_ptr<const Rule> rule,
                                                     size_t max_triggers,
                                                     uint64_t evaluated_before);

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_SEQUENCE_EVALUATOR_H_
