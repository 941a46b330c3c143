#include "server/detect/rule_evaluator.h"

#include <cstring>
#include <utility>

#include "server/detect/rate_evaluator.h"
#include "server/detect/sequence_evaluator.h"

namespace sealtrail::detect {
namespace {

// Every matching record fires on its own: no window, nothing to re-arm.
class ThresholdEvaluator final : public RuleEvaluator {
 public:
  ThresholdEvaluator(std::shared_ptr<const Rule> rule, size_t max_triggers,
                     uint64_t evaluated_before)
      : RuleEvaluator(std::move(rule), max_triggers, evaluated_before),
        spec_(std::get<ThresholdSpec>(this->rule().spec)) {}

  void Observe(const ObservedRecord& r, int64_t now_ns, std::vector<Firing>* firings) override {
    if (!rule().match.Matches(*r.record)) return;
    Add(matches_, 1);
    int64_t value = 0;
    if (spec_.field.has_value()) {
      const std::optional<int64_t> number = NumberOf(*r.record, *spec_.field);
      if (!number.has_value() || *number <= spec_.above) return;
      value = *number;
    }
    Firing& firing = firings->emplace_back(NewFiring(r.record->context().tenant_id()));
    firing.window_start_ns = now_ns;
    firing.window_end_ns = now_ns;
    firing.triggers.push_back(Trigger{r.seq, r.leaf_hash});
    firing.trigger_count = 1;
    firing.sum = value;
    Add(firings_, 1);
  }

 private:
  const ThresholdSpec& spec_;
};

}  // namespace

RuleStats RuleEvaluator::Stats(const std::atomic<uint64_t>& evaluated) const {
  RuleStats stats;
  stats.rule_id = rule_->id;
  stats.matches = matches_.load(std::memory_order_acquire);
  stats.firings = firings_.load(std::memory_order_acquire);
  stats.window_entries = window_entries_.load(std::memory_order_acquire);
  stats.cap_hits = cap_hits_.load(std::memory_order_acquire);
  stats.evaluations = evaluated.load(std::memory_order_acquire) - evaluated_before_;
  return stats;
}

Firing RuleEvaluator::NewFiring(absl::string_view tenant) const {
  Firing firing;
  firing.rule_id = rule_->id;
  firing.severity = rule_->severity;
  firing.kind = rule_->kind;
  firing.description = rule_->description;
  firing.tenant = std::string(tenant);
  return firing;
}

std::unique_ptr<RuleEvaluator> MakeRuleEvaluator(std::shared_ptr<const Rule> rule,
                                                 size_t max_triggers, uint64_t evaluated_before) {
  if (std::holds_alternative<RateSpec>(rule->spec)) {
    return MakeRateEvaluator(std::move(rule), max_triggers, evaluated_before);
  }
  if (std::holds_alternative<SequenceSpec>(rule->spec)) {
    return MakeSequenceEvaluator(std::move(rule), max_triggers, evaluated_before);
  }
  return std::make_unique<ThresholdEvaluator>(std::move(rule), max_triggers, evaluated_before);
}

// A 4-byte length prefix keeps (tenant, value) pairs apart whatever bytes they hold.
size_t ComposeKey(absl::string_view tenant, absl::string_view value, std::string* key) {
  const uint32_t length = static_cast<uint32_t>(tenant.size());
  key->resize(sizeof(length));
  std::memcpy(key->data(), &length, sizeof(length));
  key->append(tenant.data(), tenant.size());
  const size_t value_offset = key->size();
  key->append(value.data(), value.size());
  return value_offset;
}

}  // namespace sealtrail::detect
