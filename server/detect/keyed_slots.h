// KeyedSlots: the per-key state of a rate or sequence rule. Slots live in one vector and are
// reused through a free list, so a key that comes and goes allocates nothing once its slot
// exists; they are found by key (ComposeKey's form) without copying it, and named by index, which
// stays valid while the slot is in use (the vector may move, so references do not).
//
// Internal to server/detect. Thread-safety: none (the Detector's Observe thread).
#ifndef SEALTRAIL_SERVER_DETECT_KEYED_SLOTS_H_
#define SEALTRAIL_SERVER_DETECT_KEYED_SLOTS_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace sealtrail::detect {

// `Slot` is default-constructible and has a member `std::string key`.
template <typename Slot>
class KeyedSlots {
 public:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  // The slot of `key`, or kNone.
  uint32_t Find(absl::string_view key) const {
    const auto found = index_of_key_.find(key);
    return found == index_of_key_.end() ? kNone : found->second;
  }

  // A slot for `key`. REQUIRES: Find(key) == kNone. `*fresh` says whether it was just
  // constructed; a reused slot keeps every member from its last use but `key`, and the caller
  // resets what it must.
  uint32_t Add(absl::string_view key, bool* fresh) {
    uint32_t index = 0;
    *fresh = free_.empty();
    if (*fresh) {
      index = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    } else {
      index = free_.back();
      free_.pop_back();
    }
    Slot& slot = slots_[index];
    slot.key.assign(key.data(), key.size());
    index_of_key_.emplace(slot.key, index);
    return index;
  }

  // Frees the slot for reuse. REQUIRES: `index` is in use.
  void Remove(uint32_t index) {
    index_of_key_.erase(slots_[index].key);
    free_.push_back(index);
  }

  Slot& operator[](uint32_t index) { return slots_[index]; }
  const Slot& operator[](uint32_t index) const { return slots_[index]; }
  size_t in_use() const { return index_of_key_.size(); }

 private:
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  absl::flat_hash_map<std::string, uint32_t> index_of_key_;
};

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_KEYED_SLOTS_H_
