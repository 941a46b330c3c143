#include "server/detect/sequence_evaluator.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/types/span.h"
#include "server/detect/keyed_slots.h"

namespace sealtrail::detect {
namespace {

constexpr uint32_t kNoSlot = std::numeric_limits<uint32_t>::max();  // KeyedSlots' kNone
constexpr int64_t kNoStart = std::numeric_limits<int64_t>::min();

class SequenceEvaluator final : public RuleEvaluator {
 public:
  SequenceEvaluator(std::shared_ptr<const Rule> rule, size_t max_triggers,
                    uint64_t evaluated_before)
      : RuleEvaluator(std::move(rule), max_triggers, evaluated_before),
        spec_(std::get<SequenceSpec>(this->rule().spec)),
        without_(spec_.steps.front().without),
        first_positive_(without_ ? 1 : 0),
        positive_(spec_.steps.size() - first_positive_) {}

  void Observe(const ObservedRecord& r, int64_t now_ns, std::vector<Firing>* firings) override;

 private:
  // A key's progress. Partial sequence i has completed positive steps 0..i (i < positive_ - 1:
  // a completed last step fires at once); chain row i holds its i + 1 triggers.
  struct KeySlot {
    std::string key;  // ComposeKey's form
    size_t value_offset = 0;
    uint32_t older = kNoSlot;  // The least-recently-touched list.
    uint32_t newer = kNoSlot;
    int64_t touched_ns = 0;
    bool has_without = false;
    int64_t without_ns = 0;
    std::vector<int64_t> start_ns;  // Per partial: its first record's time, or kNoStart.
    std::vector<Trigger> chain;     // (positive_ - 1) rows of positive_ triggers.
  };

  uint32_t Find(absl::string_view key) const { return slots_.Find(key); }
  uint32_t Create(absl::string_view key, size_t value_offset);
  void Release(uint32_t index);
  void Unlink(uint32_t index);
  void Touch(uint32_t index, int64_t now_ns);
  bool WithoutStepSeen(uint32_t index, int64_t now_ns) const {
    return index != kNoSlot && slots_[index].has_without &&
           now_ns - slots_[index].without_ns <= spec_.window_nanos;
  }
  // The positive step `step` (0-based among the positive ones) matched record `r` of the key
  // in key_. Returns true if the rule fired.
  bool Advance(size_t step, size_t value_offset, const ObservedRecord& r, int64_t now_ns,
               std::vector<Firing>* firings);
  // Fires with the `earlier` triggers of the key's partial sequence, then `r`.
  void Fire(absl::Span<const Trigger> earlier, absl::string_view key_value, int64_t start_ns,
            const ObservedRecord& r, int64_t now_ns, const RecordField& key_field,
            std::vector<Firing>* firings);

  const SequenceSpec& spec_;
  const bool without_;
  const size_t first_positive_;
  const size_t positive_;
  KeyedSlots<KeySlot> slots_;
  uint32_t oldest_ = kNoSlot;
  uint32_t newest_ = kNoSlot;
  std::string key_;        // Reused for every record's key.
  std::string fired_key_;  // The key the current record fired for.
};

uint32_t SequenceEvaluator::Create(absl::string_view key, size_t value_offset) {
  if (slots_.in_use() >= spec_.max_entries) {
    Release(oldest_);
    Add(cap_hits_, 1);
  }
  bool fresh = false;
  const uint32_t index = slots_.Add(key, &fresh);
  KeySlot& slot = slots_[index];
  if (fresh) {
    slot.start_ns.resize(positive_ - 1);
    slot.chain.resize((positive_ - 1) * positive_);
  }
  slot.value_offset = value_offset;
  slot.has_without = false;
  std::fill(slot.start_ns.begin(), slot.start_ns.end(), kNoStart);
  slot.older = newest_;
  slot.newer = kNoSlot;
  if (newest_ != kNoSlot) slots_[newest_].newer = index;
  newest_ = index;
  if (oldest_ == kNoSlot) oldest_ = index;
  return index;
}

void SequenceEvaluator::Unlink(uint32_t index) {
  KeySlot& slot = slots_[index];
  if (slot.older != kNoSlot) {
    slots_[slot.older].newer = slot.newer;
  } else {
    oldest_ = slot.newer;
  }
  if (slot.newer != kNoSlot) {
    slots_[slot.newer].older = slot.older;
  } else {
    newest_ = slot.older;
  }
  slot.older = kNoSlot;
  slot.newer = kNoSlot;
}

void SequenceEvaluator::Release(uint32_t index) {
  Unlink(index);
  slots_.Remove(index);
}

void SequenceEvaluator::Touch(uint32_t index, int64_t now_ns) {
  slots_[index].touched_ns = now_ns;
  if (newest_ == index) return;
  Unlink(index);
  KeySlot& slot = slots_[index];
  slot.older = newest_;
  if (newest_ != kNoSlot) slots_[newest_].newer = index;
  newest_ = index;
  if (oldest_ == kNoSlot) oldest_ = index;
}

void SequenceEvaluator::Fire(absl::Span<const Trigger> earlier, absl::string_view key_value,
                             int64_t start_ns, const ObservedRecord& r, int64_t now_ns,
                             const RecordField& key_field, std::vector<Firing>* firings) {
  Firing& firing = firings->emplace_back(NewFiring(r.record->context().tenant_id()));
  firing.key_field = key_field.name;
  firing.key_value = std::string(key_value);
  firing.window_start_ns = start_ns;
  firing.window_end_ns = now_ns;
  // At most kMaxSequenceSteps triggers; were max_triggers smaller, the first max_triggers - 1
  // and this record would be listed.
  const size_t listed = std::min(earlier.size(), max_triggers() - 1);
  firing.triggers.reserve(listed + 1);
  firing.triggers.assign(earlier.begin(), earlier.begin() + static_cast<ptrdiff_t>(listed));
  firing.triggers.push_back(Trigger{r.seq, r.leaf_hash});
  firing.trigger_count = earlier.size() + 1;
  Add(firings_, 1);
}

bool SequenceEvaluator::Advance(size_t step, size_t value_offset, const ObservedRecord& r,
                                int64_t now_ns, std::vector<Firing>* firings) {
  const RecordField& key_field = spec_.steps[first_positive_ + step].key;
  uint32_t index = Find(key_);
  if (step == 0) {
    if (without_ && WithoutStepSeen(index, now_ns)) return false;
    if (positive_ == 1) {
      // "B without a preceding A": B alone completes it.
      Fire({}, absl::string_view(key_).substr(value_offset), now_ns - spec_.window_nanos, r, now_ns,
           key_field, firings);
      return true;
    }
    if (index == kNoSlot) index = Create(key_, value_offset);
    KeySlot& slot = slots_[index];
    slot.start_ns[0] = now_ns;
    slot.chain[0] = Trigger{r.seq, r.leaf_hash};
    Touch(index, now_ns);
    return false;
  }
  if (index == kNoSlot) return false;
  KeySlot& slot = slots_[index];
  const int64_t start_ns = slot.start_ns[step - 1];
  if (start_ns == kNoStart || now_ns - start_ns > spec_.window_nanos) return false;
  if (step + 1 == positive_) {
    Fire(absl::MakeConstSpan(&slot.chain[(step - 1) * positive_], step),
         absl::string_view(slot.key).substr(slot.value_offset), start_ns, r, now_ns, key_field,
         firings);
    // Re-arm: the key's partial sequences are dropped; a without step seen is kept.
    if (slot.has_without) {
      std::fill(slot.start_ns.begin(), slot.start_ns.end(), kNoStart);
      Touch(index, now_ns);
    } else {
      Release(index);
    }
    return true;
  }
  slot.start_ns[step] = start_ns;
  Trigger* row = &slot.chain[step * positive_];
  std::copy_n(&slot.chain[(step - 1) * positive_], step, row);
  row[step] = Trigger{r.seq, r.leaf_hash};
  Touch(index, now_ns);
  return false;
}

void SequenceEvaluator::Observe(const ObservedRecord& r, int64_t now_ns,
                                std::vector<Firing>* firings) {
  while (oldest_ != kNoSlot && now_ns - slots_[oldest_].touched_ns > spec_.window_nanos) {
    Release(oldest_);
  }
  if (rule().match.Matches(*r.record)) {
    const std::string& tenant = r.record->context().tenant_id();
    bool matched = false;
    bool fired = false;
    // Last step first, so that the record extends only sequences that existed before it.
    for (size_t step = positive_; step-- > 0;) {
      const SequenceStep& spec_step = spec_.steps[first_positive_ + step];
      if (!spec_step.match.Matches(*r.record)) continue;
      matched = true;
      const std::optional<absl::string_view> value = TextOf(*r.record, spec_step.key);
      if (!value.has_value() || value->empty()) continue;
      const size_t value_offset = ComposeKey(tenant, *value, &key_);
      // A record that completed a key's sequence starts nothing new for that key.
      if (fired && key_ == fired_key_) continue;
      if (Advance(step, value_offset, r, now_ns, firings)) {
        fired = true;
        fired_key_ = key_;
      }
    }
    if (without_ && spec_.steps[0].match.Matches(*r.record)) {
      matched = true;
      const std::optional<absl::string_view> value = TextOf(*r.record, spec_.steps[0].key);
      if (value.has_value() && !value->empty()) {
        const size_t value_offset = ComposeKey(tenant, *value, &key_);
        uint32_t index = Find(key_);
        if (index == kNoSlot) index = Create(key_, value_offset);
        slots_[index].has_without = true;
        slots_[index].without_ns = now_ns;
        Touch(index, now_ns);
      }
    }
    if (matched) Add(matches_, 1);
  }
  Set(window_entries_, slots_.in_use());
}

}  // namespace

std::unique_ptr<RuleEvaluator> MakeSequenceEvaluator(std::shared_ptr<const Rule> rule,
                                                     size_t max_triggers,
                                                     uint64_t evaluated_before) {
  return std::make_unique<SequenceEvaluator>(std::move(rule), max_triggers, evaluated_before);
}

}  // namespace sealtrail::detect
