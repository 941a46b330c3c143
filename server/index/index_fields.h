// IndexFields: what the secondary indexes need from one audit record. The record model
// (server/record/record.h, IndexFieldsFromStoredBytes) extracts them from the stored bytes; the
// index (server/index/) stores them. Keeping this small struct between the two lets the index be
// tested, rebuilt and reasoned about without the protobuf types.
#ifndef SEALTRAIL_SERVER_INDEX_INDEX_FIELDS_H_
#define SEALTRAIL_SERVER_INDEX_INDEX_FIELDS_H_

#include <cstdint>
#include <string>

namespace sealtrail {

struct IndexFields {
  std::string tenant_id;       // context.tenant_id; never empty.
  std::string actor;           // actor.user_id, or actor.service when there is no user.
  std::string action;          // action.name, e.g. "call.barge".
  int64_t commit_time_ns = 0;  // context.commit_time_ns; non-decreasing in sequence order.
  std::string trace_id;        // correlation.trace_id: 16 raw bytes, or empty.
  int32_t outcome = 0;         // outcome.result enum value (0 = unspecified).
  std::string leaf_hash;       // RFC 9162 leaf hash of the stored bytes, 32 raw bytes
                               // (HashLeaf in sealtrail/hash.h); AuditIndex::Add refuses any
                               // other length.
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_INDEX_INDEX_FIELDS_H_
