// Rule: one compiled detection rule, as the parser (rule_parser.h) makes it from YAML and the
// Detector evaluates it. The language is specified in docs/detection.md ("Rules").
//
// Internal to server/detect. Thread-safety: immutable once built; shared by every RuleSet and
// Detector that holds it.
#ifndef SEALTRAIL_SERVER_DETECT_RULE_H_
#define SEALTRAIL_SERVER_DETECT_RULE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "server/detect/condition.h"
#include "server/detect/record_field.h"

namespace sealtrail::detect {

// Defaults and limits of the language.
inline constexpr uint64_t kDefaultMaxEntries = 100'000;
inline constexpr uint64_t kMaxMaxEntries = 10'000'000;
inline constexpr int64_t kMaxWindowNanos = int64_t{24} * 3600 * 1'000'000'000;
inline constexpr size_t kMinSequenceSteps = 2;
inline constexpr size_t kMaxSequenceSteps = 8;

// `threshold:` Every record that passes the rule's match fires, if `field` (when given) is
// above `above`.
struct ThresholdSpec {
  std::optional<RecordField> field;
  int64_t above = 0;
};

// `rate:` Per key, the matching records of the last `window_nanos`; fires when they are at
// least `at_least` and (when `sum_field` is given) their sum of it is above `sum_above`.
struct RateSpec {
  RecordField key;
  int64_t window_nanos = 0;
  uint64_t at_least = 1;
  std::optional<RecordField> sum_field;
  int64_t sum_above = 0;
  uint64_t max_entries = kDefaultMaxEntries;
};

// One step of a sequence: records that pass `match` (and the rule's own match), keyed by `key`.
// `without`: a step that must NOT have happened (only as the first step).
struct SequenceStep {
  Match match;
  RecordField key;
  bool without = false;
};

// `sequence:` Per key, the steps in order, all within `window_nanos` of the first.
struct SequenceSpec {
  std::vector<SequenceStep> steps;
  int64_t window_nanos = 0;
  uint64_t max_entries = kDefaultMaxEntries;
};

struct Rule {
  std::string id;
  std::string severity;  // low, medium, high or critical
  std::string kind;      // threshold, rate or sequence
  std::string description;
  std::string defined_at;   // FILE:LINE:COL of the rule
  std::string fingerprint;  // The rule's definition in a canonical form: equal iff same meaning
                            // as written (comments, layout, key order aside)
  Match match;
  std::variant<ThresholdSpec, RateSpec, SequenceSpec> spec;
};

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_RULE_H_
