// The keys a record is chained under for completeness proofs (docs/completeness.md): the same
// keys the indexes serve, derived from the record alone, so that a verifier holding only the
// record can tell which chains it belongs to and where each chain goes back to.
//
// All functions are pure and thread-safe.
#ifndef SEALTRAIL_SERVER_RECORD_RECORD_KEYS_H_
#define SEALTRAIL_SERVER_RECORD_RECORD_KEYS_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "sealtrail/hash.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "server/keymap/key_map_format.h"

namespace sealtrail {

// One key of a record. `value` views into the record it came from: the actor (user_id, or
// service when there is no user), the action name, the 16 trace-id bytes, or empty for the
// tenant key.
struct RecordKey {
  keymap::KeyKind kind;
  std::string_view tenant;
  std::string_view value;
};

// The record's keys: tenant, actor, action, and trace when correlation.trace_id is set, in that
// order (the order of KeyLinks' fields).
[[nodiscard]] absl::InlinedVector<RecordKey, 4> RecordKeysOf(const v1::AuditRecord& record);

// The record's key of `kind`, if it has one (only a trace key may be missing).
[[nodiscard]] std::optional<RecordKey> RecordKeyOf(const v1::AuditRecord& record,
                                                   keymap::KeyKind kind);

// The key map path of `key` (docs/format/keymap.md).
[[nodiscard]] Hash KeyPathOf(const RecordKey& key);

// One key's back-pointer in v1::KeyLinks. count 0: the record has no link for that key.
struct Link {
  uint64_t count = 0;
  uint64_t prev_seq = 0;  // Meaningful when count > 1.
};
[[nodiscard]] Link LinkOf(const v1::KeyLinks& links, keymap::KeyKind kind);
void SetLink(v1::KeyLinks* links, keymap::KeyKind kind, const Link& link);

// "actor \"agent-7\" of tenant \"acme\"", for messages; a trace id is shown in hex.
[[nodiscard]] std::string DescribeKey(keymap::KeyKind kind, std::string_view tenant,
                                      std::string_view value);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_RECORD_RECORD_KEYS_H_
