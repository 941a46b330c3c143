#include "server/detect/rate_evaluator.h"

#include <deque>
#include <limits>
#include <utility>

#include "server/detect/keyed_slots.h"

namespace sealtrail::detect {
namespace {

constexpr uint64_t kNoEntry = std::numeric_limits<uint64_t>::max();

class RateEvaluator final : public RuleEvaluator {
 public:
  RateEvaluator(std::shared_ptr<const Rule> rule, size_t max_triggers, uint64_t evaluated_before)
      : RuleEvaluator(std::move(rule), max_triggers, evaluated_before),
        spec_(std::get<RateSpec>(this->rule().spec)) {}

  void Observe(const ObservedRecord& r, int64_t now_ns, std::vector<Firing>* firings) override;

 private:
  // One matching record in the queue. It counts for its key while the key's slot is in use with
  // the same generation; a firing or a released slot ends that (a new generation), and the entry
  // stays only until it leaves the window or is evicted.
  struct Entry {
    int64_t time_ns;
    uint64_t seq;
    Hash leaf_hash;
    int64_t value;  // Of the summed field; 0 without a sum, or when the record has none.
    uint32_t slot;
    uint32_t generation;
    uint64_t next;  // Queue position of the key's next record, or kNoEntry.
  };
  struct KeySlot {
    std::string key;  // ComposeKey's form
    size_t value_offset = 0;
    uint32_t generation = 0;
    bool in_use = false;
    uint64_t count = 0;
    __int128 sum = 0;          // int64 values: no overflow within max_entries of them.
    uint64_t head = kNoEntry;  // Queue positions of the key's oldest and newest counting record.
    uint64_t tail = kNoEntry;
  };

  Entry& At(uint64_t position) { return queue_[position - front_position_]; }
  bool Counts(const Entry& entry) const {
    const KeySlot& slot = slots_[entry.slot];
    return slot.in_use && slot.generation == entry.generation;
  }
  // Removes the oldest entry; `evicted`: to make room (a cap hit if it still counted).
  void PopFront(bool evicted);
  uint32_t SlotFor(absl::string_view key, size_t value_offset);
  void Release(uint32_t slot);
  void Fire(uint32_t slot_index, const ObservedRecord& r, int64_t now_ns,
            std::vector<Firing>* firings);

  const RateSpec& spec_;
  std::deque<Entry> queue_;
  uint64_t front_position_ = 0;  // Queue position of queue_.front().
  KeyedSlots<KeySlot> slots_;
  uint64_t counting_ = 0;  // Entries that count for their key.
  std::string key_;        // Reused for every record's key.
};

void RateEvaluator::PopFront(bool evicted) {
  const Entry& entry = queue_.front();
  if (Counts(entry)) {
    KeySlot& slot = slots_[entry.slot];
    --slot.count;
    slot.sum -= entry.value;
    slot.head = entry.next;
    --counting_;
    if (evicted) Add(cap_hits_, 1);
    if (slot.count == 0) Release(entry.slot);
  }
  queue_.pop_front();
  ++front_position_;
}

uint32_t RateEvaluator::SlotFor(absl::string_view key, size_t value_offset) {
  if (const uint32_t found = slots_.Find(key); found != slots_.kNone) return found;
  bool fresh = false;
  const uint32_t index = slots_.Add(key, &fresh);
  KeySlot& slot = slots_[index];  // A reused slot keeps its generation.
  slot.value_offset = value_offset;
  slot.in_use = true;
  slot.count = 0;
  slot.sum = 0;
  slot.head = kNoEntry;
  slot.tail = kNoEntry;
  return index;
}

void RateEvaluator::Release(uint32_t index) {
  KeySlot& slot = slots_[index];
  counting_ -= slot.count;
  slot.count = 0;
  slot.in_use = false;
  ++slot.generation;  // Its entries still queued no longer count.
  slots_.Remove(index);
}

void RateEvaluator::Fire(uint32_t slot_index, const ObservedRecord& r, int64_t now_ns,
                         std::vector<Firing>* firings) {
  KeySlot& slot = slots_[slot_index];
  Firing& firing = firings->emplace_back(NewFiring(r.record->context().tenant_id()));
  firing.key_field = spec_.key.name;
  firing.key_value = slot.key.substr(slot.value_offset);
  firing.window_start_ns = At(slot.head).time_ns;
  firing.window_end_ns = now_ns;
  firing.trigger_count = slot.count;
  constexpr __int128 kMax = std::numeric_limits<int64_t>::max();
  constexpr __int128 kMin = std::numeric_limits<int64_t>::min();
  firing.sum = spec_.sum_field.has_value() ? static_cast<int64_t>(slot.sum > kMax   ? kMax
                                                                  : slot.sum < kMin ? kMin
                                                                                    : slot.sum)
                                           : 0;
  // The first max_triggers - 1, then the last (this record).
  const size_t listed = std::min<uint64_t>(slot.count, max_triggers());
  firing.triggers.reserve(listed);
  for (uint64_t position = slot.head; position != kNoEntry && firing.triggers.size() + 1 < listed;
       position = At(position).next) {
    const Entry& entry = At(position);
    firing.triggers.push_back(Trigger{entry.seq, entry.leaf_hash});
  }
  const Entry& last = At(slot.tail);
  firing.triggers.push_back(Trigger{last.seq, last.leaf_hash});
  Add(firings_, 1);
  // Re-arm: the key starts over.
  Release(slot_index);
}

void RateEvaluator::Observe(const ObservedRecord& r, int64_t now_ns, std::vector<Firing>* firings) {
  while (!queue_.empty() && now_ns - queue_.front().time_ns > spec_.window_nanos) {
    PopFront(/*evicted=*/false);
  }
  if (rule().match.Matches(*r.record)) {
    Add(matches_, 1);
    // A record without a value for the key (no source_ip, say) belongs to no key.
    const std::optional<absl::string_view> value = TextOf(*r.record, spec_.key);
    if (value.has_value() && !value->empty()) {
      // Room first: eviction may release a slot, so it must not happen between finding the
      // record's slot and linking the record in.
      if (queue_.size() >= spec_.max_entries) PopFront(/*evicted=*/true);
      const size_t value_offset = ComposeKey(r.record->context().tenant_id(), *value, &key_);
      const uint32_t slot_index = SlotFor(key_, value_offset);
      KeySlot& slot = slots_[slot_index];
      const int64_t summed =
          spec_.sum_field.has_value() ? NumberOf(*r.record, *spec_.sum_field).value_or(0) : 0;
      const uint64_t position = front_position_ + queue_.size();
      queue_.push_back(
          Entry{now_ns, r.seq, r.leaf_hash, summed, slot_index, slot.generation, kNoEntry});
      if (slot.tail != kNoEntry) At(slot.tail).next = position;
      if (slot.head == kNoEntry) slot.head = position;
      slot.tail = position;
      ++slot.count;
      slot.sum += summed;
      ++counting_;
      if (slot.count >= spec_.at_least &&
          (!spec_.sum_field.has_value() || slot.sum > spec_.sum_above)) {
        Fire(slot_index, r, now_ns, firings);
      }
    }
  }
  Set(window_entries_, queue_.size());
}

}  // namespace

std::unique_ptr<RuleEvaluator> MakeRateEvaluator(std::shared_ptr<const Rule> rule,
                                                 size_t max_triggers, uint64_t evaluated_before) {
  return std::make_unique<RateEvaluator>(std::move(rule), max_triggers, evaluated_before);
}

}  // namespace sealtrail::detect
