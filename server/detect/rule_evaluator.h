// RuleEvaluator: one rule's state in a Detector (its windows and counters), and the
// evaluation of a threshold rule, which has no state. rate_evaluator.h and
// sequence_evaluator.h are the others.
//
// Internal to server/detect. Thread-safety: Observe on the Detector's Observe thread only; the
// counters (Stats) may be read from any thread: they are atomics with a single writer.
#ifndef SEALTRAIL_SERVER_DETECT_RULE_EVALUATOR_H_
#define SEALTRAIL_SERVER_DETECT_RULE_EVALUATOR_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "server/detect/detector.h"
#include "server/detect/rule.h"

namespace sealtrail::detect {

class RuleEvaluator {
 public:
  // `evaluated_before`: the Detector's count of evaluated records when this evaluator starts, so
  // that its evaluations are counted without a per-record increment of its own.
  RuleEvaluator(std::shared_ptr<const Rule> rule, size_t max_triggers, uint64_t evaluated_before)
      : rule_(std::move(rule)), max_triggers_(max_triggers), evaluated_before_(evaluated_before) {}
  virtual ~RuleEvaluator() = default;
  RuleEvaluator(const RuleEvaluator&) = delete;
  RuleEvaluator& operator=(const RuleEvaluator&) = delete;

  const Rule& rule() const { return *rule_; }

  // Evaluates one record (not IsDetectorBlind) at commit time `now_ns` (non-decreasing across
  // calls) and appends the rule's firings, if any, to `firings`.
  virtual void Observe(const ObservedRecord& r, int64_t now_ns, std::vector<Firing>* firings) = 0;

  // `evaluated`: the Detector's count of evaluated records, read after this rule's own counters
  // (both sides release/acquire), so a snapshot never shows more matches than evaluations.
  RuleStats Stats(const std::atomic<uint64_t>& evaluated) const;

 protected:
  // The single writer's increment: a plain load and store, no locked instruction.
  static void Add(std::atomic<uint64_t>& counter, uint64_t n) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_release);
  }
  static void Set(std::atomic<uint64_t>& counter, uint64_t n) {
    counter.store(n, std::memory_order_relaxed);
  }

  // A firing of this rule with its id, severity, kind and description, in `tenant`.
  Firing NewFiring(absl::string_view tenant) const;
  size_t max_triggers() const { return max_triggers_; }

  std::atomic<uint64_t> matches_{0};
  std::atomic<uint64_t> firings_{0};
  std::atomic<uint64_t> window_entries_{0};
  std::atomic<uint64_t> cap_hits_{0};

 private:
  const std::shared_ptr<const Rule> rule_;
  const size_t max_triggers_;
  const uint64_t evaluated_before_;
};

// The evaluator of `rule`'s kind.
std::unique_ptr<RuleEvaluator> MakeRuleEvaluator(std::shared_ptr<const Rule> rule,
                                                 size_t max_triggers, uint64_t evaluated_before);

// Keys of windows are per tenant: the same actor name in two tenants is two keys, and an alert
// belongs to one tenant. Writes the key of (`tenant`, `value`) to `key`, reusing its capacity,
// and returns the offset at which `value` starts in it.
size_t ComposeKey(absl::string_view tenant, absl::string_view value, std::string* key);

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_RULE_EVALUATOR_H_
