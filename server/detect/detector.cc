#include "server/detect/detector.h"

#include <algorithm>
#include <utility>

#include "server/detect/rule.h"
#include "server/detect/rule_evaluator.h"
#include "server/record/record.h"

namespace sealtrail::detect {
namespace {

// The single writer's increment (see RuleEvaluator::Add).
// Release: a Stats that sees a rule's counter grow (acquire) then sees this count grown too.
void Increment(std::atomic<uint64_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

}  // namespace

bool IsDetectorBlind(std::string_view action) {
  return IsReservedAction(action) && action != kDeniedAction;
}

Detector::Detector(std::shared_ptr<const RuleSet> rules, DetectorOptions options)
    : options_{.max_triggers = std::max<size_t>(options.max_triggers, 2)} {
  SetRules(std::move(rules));
  InstallPendingRules();
}

Detector::~Detector() = default;

void Detector::SetRules(std::shared_ptr<const RuleSet> rules) {
  absl::MutexLock lock(&pending_mu_);
  pending_ = rules != nullptr
                 ? std::move(rules)
                 : std::make_shared<const RuleSet>(std::vector<std::shared_ptr<const Rule>>());
  has_pending_.store(true, std::memory_order_release);
}

void Detector::InstallPendingRules() {
  std::shared_ptr<const RuleSet> rules;
  {
    absl::MutexLock lock(&pending_mu_);
    rules = std::move(pending_);
    pending_ = nullptr;
    has_pending_.store(false, std::memory_order_relaxed);
  }
  if (rules == nullptr) return;
  const uint64_t evaluated = records_evaluated_.load(std::memory_order_relaxed);
  std::vector<std::unique_ptr<RuleEvaluator>> next;
  next.reserve(rules->size());
  for (const std::shared_ptr<const Rule>& rule : rules->rules()) {
    // An unchanged rule keeps its evaluator: its windows and counters.
    const auto kept = std::find_if(evaluators_.begin(), evaluators_.end(), [&](const auto& old) {
      return old != nullptr && old->rule().id == rule->id &&
             old->rule().fingerprint == rule->fingerprint;
    });
    if (kept != evaluators_.end()) {
      next.push_back(std::move(*kept));
    } else {
      next.push_back(MakeRuleEvaluator(rule, options_.max_triggers, evaluated));
    }
  }
  {
    absl::MutexLock lock(&stats_mu_);
    published_.clear();
    for (const std::unique_ptr<RuleEvaluator>& evaluator : next) {
      published_.push_back(evaluator.get());
    }
  }
  // The replaced evaluators are destroyed here, after Stats can no longer reach them.
  evaluators_.swap(next);
}

std::vector<Firing> Detector::Observe(const ObservedRecord& r) {
  if (has_pending_.load(std::memory_order_acquire)) InstallPendingRules();
  Increment(records_observed_);
  std::vector<Firing> firings;
  if (IsDetectorBlind(r.record->action().name())) {
    Increment(records_ignored_);
    return firings;
  }
  Increment(records_evaluated_);
  last_time_ns_ = std::max(last_time_ns_, r.record->context().commit_time_ns());
  for (const std::unique_ptr<RuleEvaluator>& evaluator : evaluators_) {
    evaluator->Observe(r, last_time_ns_, &firings);
  }
  return firings;
}

DetectorStats Detector::Stats() const {
  DetectorStats stats;
  absl::MutexLock lock(&stats_mu_);
  stats.records_observed = records_observed_.load(std::memory_order_relaxed);
  stats.records_ignored = records_ignored_.load(std::memory_order_relaxed);
  stats.rules.reserve(published_.size());
  for (const RuleEvaluator* evaluator : published_) {
    stats.rules.push_back(evaluator->Stats(records_evaluated_));
  }
  return stats;
}

}  // namespace sealtrail::detect
