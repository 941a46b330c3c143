// How `sealtrail query` prints the records it found (times are read in time_flags.h).
//
//   json   one line per record: {"seq":I,"record":{...},"data":"<base64>","leaf_hash":"<base64>"}
//          and, with proofs, "inclusion":{...} as `local prove-inclusion` prints it (evidence.h).
//          "record" is the record in protobuf's canonical JSON mapping (RecordToJson), as an
//          object; "data" the stored bytes the leaf hash is over.
//   table  columns seq, time, tenant, actor, action, outcome, route, trace_id (32 hex digits,
//          W3C; empty without one), aligned, for people. Values are escaped (DisplayText,
//          display_text.h): no control, bidi or invisible character and no invalid UTF-8 reaches
//          the terminal raw.
//   csv    a header line and one line per record, the same columns and escaping as the table,
//          as RFC 4180 says (CsvLine: fields with a comma or quote in double quotes, quotes
//          doubled, lines end with CRLF), and a leading ' before a field that would start with
//          = + - @ (formula injection).
// Times are the server's commit time in RFC 3339, UTC, with nanoseconds.
// `sealtrail alerts` prints table and csv with the alert columns instead: seq, time, tenant,
// severity, rule, key (key_field=key_value; file@offset for an integrity violation), triggers
// (the count, then the sequence numbers listed) and reason (server/service/alert_record.h).
#ifndef SEALTRAIL_TOOLS_CLI_QUERY_OUTPUT_H_
#define SEALTRAIL_TOOLS_CLI_QUERY_OUTPUT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "cli/evidence.h"
#include "cli/output.h"
#include "cli/time_flags.h"  // FormatCommitTime, the times printed.
#include "sealtrail/hash.h"
#include "sealtrail/v1/audit_record.pb.h"

namespace sealtrail::cli {

enum class QueryFormat { kTable, kJson, kCsv };
enum class QueryColumns { kRecords, kAlerts };

// "table", "json" or "csv"; INVALID_ARGUMENT for anything else.
absl::StatusOr<QueryFormat> ParseQueryFormat(std::string_view name);

// One query result, already verified (see server_commands.h).
struct QueryRow {
  uint64_t seq = 0;
  v1::AuditRecord record;  // Parsed from data.
  std::string data;        // The stored bytes.
  Hash leaf_hash{};
  std::optional<InclusionEvidence> inclusion;
};

// The json line of one row. INTERNAL if the record cannot be printed as JSON.
absl::StatusOr<Json> QueryRowJson(const QueryRow& row);

// Prints rows as they arrive, in one format. The table's and csv's header is printed before
// the first rows, once. A table aligns each call's rows; a later call (`query --follow`) widens
// columns that need it, so only its rows line up with each other.
class QueryPrinter {
 public:
  QueryPrinter(QueryFormat format, std::ostream& out, QueryColumns columns = QueryColumns::kRecords)
      : format_(format), columns_(columns), out_(out) {}

  // Prints `rows` and flushes. UNKNOWN if the stream fails.
  [[nodiscard]] absl::Status Print(absl::Span<const QueryRow> rows);

 private:
  absl::Status PrintTable(const std::vector<std::vector<std::string>>& cells);
  absl::Status PrintCsv(const std::vector<std::vector<std::string>>& cells);

  const QueryFormat format_;
  const QueryColumns columns_;
  std::ostream& out_;
  bool header_printed_ = false;
  std::vector<size_t> widths_;  // The table's column widths so far, in code points.
};

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_QUERY_OUTPUT_H_
