// The index's key and value encoding. Specified in docs/index.md ("Key layout"); change both
// together and bump kIndexFormat.
//
// All entries live in RocksDB's default column family and are told apart by a one-byte tag:
//   T lp(tenant) ord(time) be64(seq)               (tenant, time)
//   A lp(tenant) lp(actor) ord(time) be64(seq)     (tenant, actor, time)
//   X lp(tenant) lp(action) ord(time) be64(seq)    (tenant, action, time)
//   R lp(tenant) trace[16] be64(seq)               (tenant, trace id)
//   H leaf_hash[0..8) be64(seq)                    leaf hash -> seq, all tenants; empty value
//   G ord(time) be64(seq)                          (time) of every tenant, for all-tenants queries
//   M name                                         meta: format marker, covered sequence number
// lp(s) is a LEB128 length then the bytes, so no prefix of one tenant's keys is another's.
// ord(t) is the int64 time with its sign bit flipped, big-endian, so byte order is time order.
#ifndef SEALTRAIL_SERVER_INDEX_INDEX_KEYS_H_
#define SEALTRAIL_SERVER_INDEX_INDEX_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/index/index_fields.h"

namespace sealtrail::index_internal {

inline constexpr char kTimeTag = 'T';
inline constexpr char kActorTag = 'A';
inline constexpr char kActionTag = 'X';
inline constexpr char kTraceTag = 'R';
inline constexpr char kLeafHashTag = 'H';
inline constexpr char kAllTenantsTag = 'G';
inline constexpr char kMetaTag = 'M';

inline constexpr size_t kTraceIdSize = 16;
inline constexpr size_t kLeafHashSize = 32;
// H keys hold this many leading bytes of the leaf hash: enough to make a false candidate rare
// (about n / 2^64 per lookup in a log of n records), and the caller confirms against the log.
inline constexpr size_t kLeafHashKeyBytes = 8;
inline constexpr std::string_view kIndexFormat = "sealtrail-index/3";

std::string FormatKey();   // value: kIndexFormat
std::string CoveredKey();  // value: be64(next sequence number to index)

void AppendBe64(std::string* out, uint64_t v);
uint64_t DecodeBe64(std::string_view bytes);  // REQUIRES: bytes.size() >= 8.
uint64_t TimeOrdinal(int64_t time_ns);
int64_t TimeFromOrdinal(uint64_t ordinal);

// Key prefixes: every key of one (tenant[, actor|action|trace]) starts with these.
std::string TimePrefix(std::string_view tenant);
std::string ActorPrefix(std::string_view tenant, std::string_view actor);
std::string ActionPrefix(std::string_view tenant, std::string_view action);
std::string TracePrefix(std::string_view tenant, std::string_view trace_id);
// 'G': every G key starts with it.
std::string AllTenantsPrefix();
// 'H' and the first kLeafHashKeyBytes of `leaf_hash`. REQUIRES: leaf_hash.size() >= 8.
std::string LeafHashPrefix(std::string_view leaf_hash);

// prefix + ord(time) + be64(seq), for T, A, X and G keys.
std::string TimeSeqKey(std::string_view prefix, int64_t time_ns, uint64_t seq);
// prefix + be64(seq), for R and H keys.
std::string SeqKey(std::string_view prefix, uint64_t seq);

// The smallest string greater than every string that starts with `prefix`.
// REQUIRES: prefix contains a byte other than 0xff.
std::string PrefixSuccessor(std::string_view prefix);

// The length of an R key's (tenant, trace) prefix, or 0 if `key` is not a well-formed R key.
size_t TracePrefixLength(std::string_view key);
// The length of the prefix a lookup scans within: an R key's (tenant, trace) prefix or an H key's
// 'H' + hash bytes; 0 for every other key. What the prefix bloom filters are built on.
size_t LookupPrefixLength(std::string_view key);
// The prefix RocksDB keeps one memtable insert hint for (the position of the previous insert
// under the same prefix), so that an insert starts from there instead of searching the memtable
// from the top:
//  - T, A, X: the part before time and sequence number. Within one such prefix new keys always
//    sort after every earlier one (commit times never decrease), so the hint is exact.
//  - G: the tag alone; its keys ascend like those of one T prefix.
//  - R: the tag and tenant; H: the tag alone. Their keys are random, so AuditIndex::Add sorts
//    each batch's R and H entries: consecutive inserts then ascend and each starts near the
//    last instead of at the top. A per-trace or per-hash prefix would add one hint per record.
// 0 for M keys and malformed keys (no hint).
size_t InsertRunPrefixLength(std::string_view key);

// The value of every T, A, X and R entry: ord(time) be32(outcome) lp(actor) lp(action). The same
// for all four indexes, so a scan of any of them can apply the other filters without reading the
// log. A G entry's value is the same followed by the trace id (16 bytes, or none), since an
// all-tenants scan has no trace index to use. (H entries have an empty value.)
struct EntryValue {
  int64_t time_ns = 0;
  int32_t outcome = 0;
  std::string actor;
  std::string action;
  std::string trace_id;  // G entries only; empty for the others.
};
std::string EncodeEntryValue(const IndexFields& fields);
std::string EncodeAllTenantsValue(const IndexFields& fields);
// DATA_LOSS if `bytes` is not a well-formed value (of a G entry when `all_tenants`).
absl::StatusOr<EntryValue> DecodeEntryValue(std::string_view bytes, bool all_tenants = false);

}  // namespace sealtrail::index_internal

#endif  // SEALTRAIL_SERVER_INDEX_INDEX_KEYS_H_
