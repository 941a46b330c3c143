// The audit record model: the checks a record must pass before it is appended, the bytes it is
// stored as (the Merkle leaf data), and its JSON form.
//
// A record's life: RecordFromJson (CLI) or gRPC decoding -> ValidateRecord -> the server assigns
// context.commit_time_ns -> SerializeForLog -> the log stores those bytes exactly and hashes them.
// Readers ParseStoredRecord the bytes they get back; the index uses IndexFieldsFromStoredBytes.
//
// All functions are pure and thread-safe.
#ifndef SEALTRAIL_SERVER_RECORD_RECORD_H_
#define SEALTRAIL_SERVER_RECORD_RECORD_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "server/index/index_fields.h"

namespace sealtrail {

// Size limits ValidateRecord enforces, in bytes. kMaxRecordIdBytes is the one limit of a tenant
// name everywhere (records, queries, denial evidence): a longer one is refused, never cut.
inline constexpr size_t kMaxRecordIdBytes = 1024;               // ids, names, routes, roles
inline constexpr size_t kMaxRecordTextBytes = 4 * 1024;         // user_agent, outcome.reason
inline constexpr size_t kMaxRecordValueBytes = 64 * 1024;       // details.old_value, new_value
inline constexpr size_t kMaxRecordAttributesBytes = 64 * 1024;  // keys + values, all together

// Checks a record submitted by a client. OK, or INVALID_ARGUMENT with a message that names the
// offending field by its path (e.g. "context.tenant_id"). Rejects: a missing context.tenant_id or
// action.name; neither actor.user_id nor actor.service; outcome.result unspecified or not a known
// value; correlation.trace_id not 0 or 16 bytes, span_id not 0 or 8 bytes; context.source_ip
// that is not an IPv4 or IPv6 literal; a non-zero context.commit_time_ns (the server assigns it);
// negative times or row counts; strings over the limits above; fields this server does not know
// (a newer client's), since it could neither check nor index them.
[[nodiscard]] absl::Status ValidateRecord(const v1::AuditRecord& record);

// Reserved names (docs/security.md, "Reserved names"): records with them are written by the
// server alone, never accepted from a client on any ingestion path.
//   tenants   every tenant_id starting with kReservedTenantPrefix, e.g. kPlatformTenant, which
//             holds the denial evidence whose target tenant is unknown;
//   actions   kDeniedAction (denial evidence), kAlertAction (a detection rule fired),
//             kIntegrityViolationAction (the integrity auditor found damage) and every
//             action.name starting with kReservedActionPrefix (the server's own events).
inline constexpr char kReservedTenantPrefix[] = "_";
inline constexpr char kPlatformTenant[] = "_platform";
inline constexpr char kDeniedAction[] = "auth.denied";
inline constexpr char kAlertAction[] = "alert.raised";
inline constexpr char kIntegrityViolationAction[] = "integrity.violation";
inline constexpr char kReservedActionPrefix[] = "sealtrail.";
// A webhook endpoint's queue overflowed (docs/detection.md).
inline constexpr char kWebhookOverflowAction[] = "sealtrail.webhook.overflow";
bool IsReservedTenant(std::string_view tenant);
bool IsReservedAction(std::string_view action);
// OK, or PERMISSION_DENIED naming the reserved tenant or action `record` carries.
[[nodiscard]] absl::Status CheckNotReserved(const v1::AuditRecord& record);

// The record's deterministic serialization (map entries sorted by key): the leaf data the log
// stores, byte for byte. The same record always gives the same bytes with this protobuf build;
// the bytes are stored, never recomputed, so a later protobuf change cannot break old proofs.
[[nodiscard]] std::string SerializeForLog(const v1::AuditRecord& record);

// Parses stored leaf data. DATA_LOSS if the bytes are not a valid AuditRecord.
[[nodiscard]] absl::StatusOr<v1::AuditRecord> ParseStoredRecord(std::string_view bytes);

// The fields the secondary indexes key on that the record itself holds. The actor is
// actor.user_id, or actor.service when there is no user. leaf_hash stays empty: only the stored
// bytes determine it (see IndexFieldsFromStoredBytes).
[[nodiscard]] IndexFields ExtractIndexFields(const v1::AuditRecord& record);

// The IndexDecoder (server/index/audit_index.h) of sealtrail's log: ParseStoredRecord, then
// ExtractIndexFields, with leaf_hash set to HashLeaf(bytes) (sealtrail/hash.h), the leaf hash the
// log stores for these bytes. Deterministic, so a rebuild from the same log gives the same index.
// The server's live path, start-up catch-up, `sealtrail reindex` and the tests all use this one
// function. DATA_LOSS (from ParseStoredRecord) if the bytes are not a valid AuditRecord; it does
// not ValidateRecord (the log holds what was accepted then, under that build's rules).
[[nodiscard]] absl::StatusOr<IndexFields> IndexFieldsFromStoredBytes(std::string_view bytes);

// Parses a record in protobuf's proto3 JSON mapping. Field names may be the proto names used in
// the issue ("tenant_id") or lowerCamelCase ("tenantId"), not both for one field; enums are names
// ("SUCCESS") or numbers, bytes are base64 (standard or URL-safe, padding optional), 64-bit
// integers are strings or numbers, null is the default value. correlation.trace_id and span_id
// also take the W3C hex form people write (32 and 16 hex digits, either case): a string of
// exactly that many hex digits is hex, anything else base64 (no base64 of 16 or 8 bytes has that
// length, so nothing is ambiguous); an id that is neither is refused here. INVALID_ARGUMENT
// "not an AuditRecord in JSON: <where>: <what>" on malformed JSON (line and column), a key given
// twice, unknown fields, unknown enum names or values of the wrong type. The message never
// quotes the input (json_text.h): only field paths and short identifier-like names. Does not
// validate: call ValidateRecord.
[[nodiscard]] absl::StatusOr<v1::AuditRecord> RecordFromJson(std::string_view json);

// The record's canonical JSON: protobuf's proto3 JSON mapping on one line, with lowerCamelCase
// field names ("tenantId") in field-number order, enums by name, bytes (trace and span ids too)
// standard base64, 64-bit integers as strings, default values omitted, and map entries sorted by
// key (bytewise). Deterministic: equal records give the same bytes, however their maps were
// filled, across serialize/parse round trips and processes; records.jsonl and
// `query --format json` depend on it. RecordFromJson(*RecordToJson(r)) equals r.
// INVALID_ARGUMENT only for a string field that is not UTF-8 (a record built in memory; a parsed
// one always is).
[[nodiscard]] absl::StatusOr<std::string> RecordToJson(const v1::AuditRecord& record);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_RECORD_RECORD_H_
