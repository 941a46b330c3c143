// Condition and Match: the compiled form of a rule's `match:` (docs/detection.md, "match").
//
// A Match is the conjunction of its conditions, one per field the rule names. Conditions are
// evaluated cheapest first (an outcome or a literal action before a CIDR or a time-zone lookup),
// and the first that fails ends the evaluation, so a record that concerns no rule costs a few
// comparisons per rule. Nothing here allocates while matching.
//
// Thread-safety: immutable after construction; Matches may be called concurrently.
#ifndef SEALTRAIL_SERVER_DETECT_CONDITION_H_
#define SEALTRAIL_SERVER_DETECT_CONDITION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sealtrail/v1/audit_record.pb.h"
#include "server/detect/business_hours.h"
#include "server/detect/glob.h"
#include "server/detect/ip_network.h"
#include "server/detect/record_field.h"

namespace sealtrail::detect {

class Condition {
 public:
  virtual ~Condition() = default;
  virtual bool Matches(const v1::AuditRecord& record) const = 0;
  // Relative cost of Matches; Match evaluates the cheapest first.
  virtual int cost() const = 0;
};

// A text field against patterns (any may match), and for source_ip CIDRs too. `negated`: the
// field must match none of them. An absent attribute matches no pattern, so it fails a plain
// condition and passes a negated one.
std::unique_ptr<Condition> MakeTextCondition(RecordField field, std::vector<Glob> patterns,
                                             std::vector<IpNetwork> networks, bool negated);

// A number field: equal to one of `equals` (when not empty; none of them when `negated`), and
// within [at_least, at_most] where given. An attribute that is absent or not a whole number
// fails a plain condition and passes a negated one.
struct NumberBounds {
  std::vector<int64_t> equals;
  std::optional<int64_t> at_least;
  std::optional<int64_t> at_most;
  bool negated = false;
};
std::unique_ptr<Condition> MakeNumberCondition(RecordField field, NumberBounds bounds);

// outcome.result is one of the results whose bit (1 << enum value) is set in `mask`.
std::unique_ptr<Condition> MakeOutcomeCondition(uint32_t mask);

// actor.verified == `verified`.
std::unique_ptr<Condition> MakeVerifiedCondition(bool verified);

// context.commit_time_ns falls outside `hours`.
std::unique_ptr<Condition> MakeOutsideHoursCondition(BusinessHours hours);

class Match {
 public:
  // An empty Match matches every record.
  Match() = default;
  explicit Match(std::vector<std::unique_ptr<Condition>> conditions);

  bool Matches(const v1::AuditRecord& record) const {
    for (const std::unique_ptr<Condition>& condition : conditions_) {
      if (!condition->Matches(record)) return false;
    }
    return true;
  }

 private:
  std::vector<std::unique_ptr<Condition>> conditions_;
};

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_CONDITION_H_
