// The export bundle, format "sealtrail-bundle/v2": what `sealtrail export` writes and
// `sealtrail verify-bundle` checks (docs/cli.md#export-bundles is the specification). A bundle is a
// directory:
//
//   manifest.json          what the bundle claims (BundleManifest, below)
//   checkpoint             the signed checkpoint note, verbatim, that every proof is against
//   records/<seq>.pb       a record's exact stored bytes (a serialized sealtrail.v1.AuditRecord),
//                          whose RFC 9162 leaf hash is what its proof proves
//   records/<seq>.tlog-proof  its C2SP tlog-proof (sealtrail/tlog_proof.h), whose checkpoint is
//                          `checkpoint` byte for byte
//   completeness.pb        a serialized sealtrail.v1.BundleCompleteness: the proof that records/
//                          holds every record of the filter in the range (docs/completeness.md)
//   records.jsonl          optional: one line per record in seq order, as `query --format json`
//                          prints it, for people; NOT authoritative (verify-bundle only checks that
//                          it agrees with the .pb files)
//
// <seq> is decimal without leading zeros. Nothing else may be in the directory. Version 1
// bundles (made before completeness proofs) are the same without completeness.pb; they still
// verify, and verify-bundle says their completeness is not proven.
#ifndef SEALTRAIL_TOOLS_CLI_BUNDLE_FORMAT_H_
#define SEALTRAIL_TOOLS_CLI_BUNDLE_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/output.h"
#include "sealtrail/hash.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "sealtrail/v1/audit_service.pb.h"

namespace sealtrail::cli {

inline constexpr char kBundleFormat[] = "sealtrail-bundle/v2";
inline constexpr char kBundleFormatV1[] = "sealtrail-bundle/v1";
inline constexpr char kBundleCompletenessFile[] = "completeness.pb";
inline constexpr char kBundleManifestFile[] = "manifest.json";
inline constexpr char kBundleCheckpointFile[] = "checkpoint";
inline constexpr char kBundleRecordsDir[] = "records";
inline constexpr char kBundleRecordsJsonlFile[] = "records.jsonl";
inline constexpr char kBundleRecordSuffix[] = ".pb";
inline constexpr char kBundleProofSuffix[] = ".tlog-proof";

// The query filters an export was made with; empty: not filtered on.
struct BundleFilters {
  std::string actor{};     // actor.user_id, or actor.service when there is no user.
  std::string action{};    // action.name.
  std::string outcome{};   // SUCCESS, FAILURE or DENIED.
  std::string trace_id{};  // 32 lower-case hex digits.
};

// manifest.json:
//   {"format":"sealtrail-bundle/v1","tenant":T,"from":TIME,"to":TIME,"records":N,
//    "first_seq":I|null,"last_seq":J|null,"tree_size":S,"root":"<base64>","origin":O,
//    "created_at":TIME,"filters":{"actor":A|null,"action":X|null,"outcome":R|null,
//    "trace_id":HEX|null}}
// TIMEs are RFC 3339 UTC with nanoseconds; the records' commit times are in [from, to).
struct BundleManifest {
  int version = 2;  // 1: kBundleFormatV1, without completeness.pb.
  std::string tenant{};
  int64_t from_ns = 0;
  int64_t to_ns = 0;
  uint64_t records = 0;
  std::optional<uint64_t> first_seq{};  // None when there are no records.
  std::optional<uint64_t> last_seq{};
  uint64_t tree_size = 0;  // The checkpoint's.
  Hash root{};             // The checkpoint's.
  std::string origin{};    // The checkpoint's.
  int64_t created_at_ns = 0;
  BundleFilters filters{};
};

Json ToJson(const BundleManifest& manifest);

// Parses manifest.json's text. INVALID_ARGUMENT naming the field that is missing or wrong, or a
// format other than kBundleFormat or kBundleFormatV1.
absl::StatusOr<BundleManifest> ParseBundleManifest(std::string_view text);

// The query an export with `manifest` asks (tenant, range, filters, oldest first), the one
// its completeness proof answers.
v1::QueryRequest QueryOfManifest(const BundleManifest& manifest);

// "<seq>.pb" and "<seq>.tlog-proof", and their paths relative to the bundle ("records/7.pb").
std::string RecordFileName(uint64_t seq);
std::string ProofFileName(uint64_t seq);
std::string InBundleRecordsDir(std::string_view file_name);

// A name in records/: the seq and which of the two files it is; none for any other name.
struct RecordsDirEntry {
  uint64_t seq = 0;
  bool is_proof = false;  // Else the record's bytes.
};
std::optional<RecordsDirEntry> ParseRecordsDirEntry(std::string_view name);

// OK if `record` belongs in a bundle with `manifest`: its tenant, a commit time in [from, to),
// and every filter. Else DATA_LOSS saying which does not hold.
absl::Status CheckRecordInBundle(const v1::AuditRecord& record, const BundleManifest& manifest);

// The records.jsonl line of the record with `seq`, stored bytes `data` and `record` parsed from
// them: QueryRowJson (query_output.h) without a proof. INTERNAL if it cannot be printed as JSON.
absl::StatusOr<Json> RecordsJsonlLine(uint64_t seq, std::string_view data,
                                      const v1::AuditRecord& record);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_BUNDLE_FORMAT_H_
