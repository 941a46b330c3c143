#include "cli/query_output.h"

#include <algorithm>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/display_text.h"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"

namespace sealtrail::cli {
namespace {

const std::vector<std::string>& Header(QueryColumns columns) {
  static const auto* const kRecordHeader = new std::vector<std::string>{
      "seq", "time", "tenant", "actor", "action", "outcome", "route", "trace_id"};
  static const auto* const kAlertHeader = new std::vector<std::string>{
      "seq", "time", "tenant", "severity", "rule", "key", "triggers", "reason"};
  return columns == QueryColumns::kAlerts ? *kAlertHeader : *kRecordHeader;
}

std::string Attribute(const v1::AuditRecord& record, const std::string& key) {
  auto it = record.details().attributes().find(key);
  return it == record.details().attributes().end() ? std::string() : it->second;
}

// The row's values, unescaped; each format escapes them (display_text.h).
std::vector<std::string> Cells(const QueryRow& row, QueryColumns columns) {
  const v1::AuditRecord& record = row.record;
  if (columns == QueryColumns::kAlerts) {
    std::string key = Attribute(record, "key_field");
    if (!key.empty()) key = absl::StrCat(key, "=", Attribute(record, "key_value"));
    if (record.action().name() == kIntegrityViolationAction) {
      key = absl::StrCat(Attribute(record, "file"), "@", Attribute(record, "offset"));
    }
    std::string triggers = Attribute(record, "trigger_seqs");
    const std::string count = Attribute(record, "trigger_count");
    if (!count.empty()) triggers = absl::StrCat(count, ": ", triggers);
    return {absl::StrCat(row.seq),
            FormatCommitTime(record.context().commit_time_ns()),
            record.context().tenant_id(),
            Attribute(record, "severity"),
            Attribute(record, "rule"),
            key,
            triggers,
            record.outcome().reason()};
  }
  return {absl::StrCat(row.seq),        FormatCommitTime(record.context().commit_time_ns()),
          record.context().tenant_id(), ExtractIndexFields(record).actor,
          record.action().name(),       v1::Outcome::Result_Name(record.outcome().result()),
          record.action().route(),      absl::BytesToHexString(record.correlation().trace_id())};
}

// Code points in UTF-8 text: every byte that is not a continuation byte.
size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

absl::Status Flushed(std::ostream& out) {
  out << std::flush;
  if (!out) return absl::UnknownError("cannot write to the output stream");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<QueryFormat> ParseQueryFormat(std::string_view name) {
  if (name == "table") return QueryFormat::kTable;
  if (name == "json") return QueryFormat::kJson;
  if (name == "csv") return QueryFormat::kCsv;
  return absl::InvalidArgumentError(absl::StrCat("--format must be table, json or csv, got '",
                                                 absl::string_view(name.data(), name.size()), "'"));
}

absl::StatusOr<Json> QueryRowJson(const QueryRow& row) {
  ASSIGN_OR_RETURN(std::string record_json, RecordToJson(row.record));
  ASSIGN_OR_RETURN(Json record, ParseJson(record_json));
  Json json{{"seq", row.seq},
            {"record", std::move(record)},
            {"data", absl::Base64Escape(row.data)},
            {"leaf_hash", HashToBase64(row.leaf_hash)}};
  if (row.inclusion.has_value()) json["inclusion"] = ToJson(*row.inclusion);
  return json;
}

absl::Status QueryPrinter::Print(absl::Span<const QueryRow> rows) {
  if (format_ == QueryFormat::kJson) {
    for (const QueryRow& row : rows) {
      ASSIGN_OR_RETURN(Json json, QueryRowJson(row));
      RETURN_IF_ERROR(WriteJsonLine(out_, json));
    }
    return absl::OkStatus();
  }
  std::vector<std::vector<std::string>> cells;
  if (!header_printed_) cells.push_back(Header(columns_));
  header_printed_ = true;
  for (const QueryRow& row : rows) cells.push_back(Cells(row, columns_));
  return format_ == QueryFormat::kTable ? PrintTable(cells) : PrintCsv(cells);
}

absl::Status QueryPrinter::PrintTable(const std::vector<std::vector<std::string>>& cells) {
  const size_t kColumns = Header(columns_).size();
  widths_.resize(kColumns, 0);
  std::vector<std::vector<std::string>> shown;
  for (const std::vector<std::string>& line : cells) {
    std::vector<std::string>& shown_line = shown.emplace_back();
    for (size_t i = 0; i < kColumns; ++i) {
      shown_line.push_back(DisplayText(line[i]));
      widths_[i] = std::max(widths_[i], DisplayWidth(shown_line[i]));
    }
  }
  for (const std::vector<std::string>& line : shown) {
    std::string text;
    for (size_t i = 0; i < kColumns; ++i) {
      text += line[i];
      if (i + 1 < kColumns) text.append(widths_[i] - DisplayWidth(line[i]) + 2, ' ');
    }
    text.erase(text.find_last_not_of(' ') + 1);  // An empty last column leaves padding.
    out_ << text << '\n';
  }
  return Flushed(out_);
}

absl::Status QueryPrinter::PrintCsv(const std::vector<std::vector<std::string>>& cells) {
  for (const std::vector<std::string>& line : cells) out_ << CsvLine(line);
  return Flushed(out_);
}

}  // namespace sealtrail::cli
