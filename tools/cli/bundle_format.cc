#include "cli/bundle_format.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/query_output.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::cli {
namespace {

Json OrNull(const std::string& value) { return value.empty() ? Json(nullptr) : Json(value); }
Json OrNull(const std::optional<uint64_t>& value) {
  return value.has_value() ? Json(*value) : Json(nullptr);
}

absl::StatusOr<int64_t> GetTime(const Json& json, const char* field) {
  ASSIGN_OR_RETURN(std::string text, GetJsonString(json, field));
  return ParseTimestamp(text, absl::StrCat("field \"", field, "\""));
}

// A field that is null or of the getter's type; null is the default value.
template <typename T, typename Getter>
absl::StatusOr<T> GetNullable(const Json& json, const char* field, Getter get) {
  auto it = json.find(field);
  if (it != json.end() && it->is_null()) return T{};
  return get(json, field);
}

absl::StatusOr<BundleFilters> GetFilters(const Json& json) {
  auto it = json.find("filters");
  if (it == json.end() || !it->is_object()) {
    return absl::InvalidArgumentError("field \"filters\" is missing or not an object");
  }
  BundleFilters filters;
  ASSIGN_OR_RETURN(filters.actor, GetNullable<std::string>(*it, "actor", GetJsonString));
  ASSIGN_OR_RETURN(filters.action, GetNullable<std::string>(*it, "action", GetJsonString));
  ASSIGN_OR_RETURN(filters.outcome, GetNullable<std::string>(*it, "outcome", GetJsonString));
  ASSIGN_OR_RETURN(filters.trace_id, GetNullable<std::string>(*it, "trace_id", GetJsonString));
  return filters;
}

absl::StatusOr<std::optional<uint64_t>> GetOptionalUint(const Json& json, const char* field) {
  auto it = json.find(field);
  if (it != json.end() && it->is_null()) return std::optional<uint64_t>();
  ASSIGN_OR_RETURN(uint64_t value, GetJsonUint(json, field));
  return std::optional<uint64_t>(value);
}

// The actor a query's actor filter matches: the user, or the service when there is no user.
const std::string& ActorOf(const v1::AuditRecord& record) {
  return record.actor().user_id().empty() ? record.actor().service() : record.actor().user_id();
}

}  // namespace

Json ToJson(const BundleManifest& manifest) {
  return Json{{"format", manifest.version == 1 ? kBundleFormatV1 : kBundleFormat},
              {"tenant", manifest.tenant},
              {"from", FormatCommitTime(manifest.from_ns)},
              {"to", FormatCommitTime(manifest.to_ns)},
              {"records", manifest.records},
              {"first_seq", OrNull(manifest.first_seq)},
              {"last_seq", OrNull(manifest.last_seq)},
              {"tree_size", manifest.tree_size},
              {"root", HashToBase64(manifest.root)},
              {"origin", manifest.origin},
              {"created_at", FormatCommitTime(manifest.created_at_ns)},
              {"filters",
               {{"actor", OrNull(manifest.filters.actor)},
                {"action", OrNull(manifest.filters.action)},
                {"outcome", OrNull(manifest.filters.outcome)},
                {"trace_id", OrNull(manifest.filters.trace_id)}}}};
}

absl::StatusOr<BundleManifest> ParseBundleManifest(std::string_view text) {
  ASSIGN_OR_RETURN(Json json, ParseJson(text));
  if (!json.is_object()) return absl::InvalidArgumentError("not a JSON object");
  ASSIGN_OR_RETURN(std::string format, GetJsonString(json, "format"));
  if (format != kBundleFormat && format != kBundleFormatV1) {
    return absl::InvalidArgumentError(absl::StrCat("format is \"", format, "\", expected \"",
                                                   kBundleFormat, "\" (or \"", kBundleFormatV1,
                                                   "\")"));
  }
  BundleManifest manifest;
  manifest.version = format == kBundleFormatV1 ? 1 : 2;
  ASSIGN_OR_RETURN(manifest.tenant, GetJsonString(json, "tenant"));
  ASSIGN_OR_RETURN(manifest.from_ns, GetTime(json, "from"));
  ASSIGN_OR_RETURN(manifest.to_ns, GetTime(json, "to"));
  ASSIGN_OR_RETURN(manifest.records, GetJsonUint(json, "records"));
  ASSIGN_OR_RETURN(manifest.first_seq, GetOptionalUint(json, "first_seq"));
  ASSIGN_OR_RETURN(manifest.last_seq, GetOptionalUint(json, "last_seq"));
  ASSIGN_OR_RETURN(manifest.tree_size, GetJsonUint(json, "tree_size"));
  ASSIGN_OR_RETURN(manifest.root, GetJsonHash(json, "root"));
  ASSIGN_OR_RETURN(manifest.origin, GetJsonString(json, "origin"));
  ASSIGN_OR_RETURN(manifest.created_at_ns, GetTime(json, "created_at"));
  ASSIGN_OR_RETURN(manifest.filters, GetFilters(json));
  return manifest;
}

v1::QueryRequest QueryOfManifest(const BundleManifest& manifest) {
  v1::QueryRequest request;
  request.set_tenant_id(manifest.tenant);
  request.set_from_ns(manifest.from_ns);
  request.set_to_ns(manifest.to_ns);
  request.set_actor(manifest.filters.actor);
  request.set_action(manifest.filters.action);
  v1::Outcome::Result outcome = v1::Outcome::RESULT_UNSPECIFIED;
  if (!manifest.filters.outcome.empty())
    v1::Outcome::Result_Parse(manifest.filters.outcome, &outcome);
  request.set_outcome(outcome);
  request.set_trace_id(absl::HexStringToBytes(manifest.filters.trace_id));
  request.set_order(v1::QueryRequest::OLDEST_FIRST);
  return request;
}

std::string RecordFileName(uint64_t seq) { return absl::StrCat(seq, kBundleRecordSuffix); }
std::string ProofFileName(uint64_t seq) { return absl::StrCat(seq, kBundleProofSuffix); }
std::string InBundleRecordsDir(std::string_view file_name) {
  return absl::StrCat(kBundleRecordsDir, "/",
                      absl::string_view(file_name.data(), file_name.size()));
}

std::optional<RecordsDirEntry> ParseRecordsDirEntry(std::string_view name) {
  const absl::string_view text(name.data(), name.size());
  RecordsDirEntry entry;
  absl::string_view digits;
  if (absl::EndsWith(text, kBundleRecordSuffix)) {
    digits = text.substr(0, text.size() - (sizeof(kBundleRecordSuffix) - 1));
  } else if (absl::EndsWith(text, kBundleProofSuffix)) {
    digits = text.substr(0, text.size() - (sizeof(kBundleProofSuffix) - 1));
    entry.is_proof = true;
  } else {
    return std::nullopt;
  }
  const bool canonical = !digits.empty() &&
                         std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) &&
                         (digits.size() == 1 || digits[0] != '0');
  if (!canonical || !absl::SimpleAtoi(digits, &entry.seq)) return std::nullopt;
  return entry;
}

absl::Status CheckRecordInBundle(const v1::AuditRecord& record, const BundleManifest& manifest) {
  const v1::Context& context = record.context();
  if (context.tenant_id() != manifest.tenant) {
    return absl::DataLossError(absl::StrCat("its tenant is \"", context.tenant_id(),
                                            "\", the bundle's is \"", manifest.tenant, "\""));
  }
  if (context.commit_time_ns() < manifest.from_ns || context.commit_time_ns() >= manifest.to_ns) {
    return absl::DataLossError(absl::StrCat(
        "its commit time ", FormatCommitTime(context.commit_time_ns()), " is outside [",
        FormatCommitTime(manifest.from_ns), ", ", FormatCommitTime(manifest.to_ns), ")"));
  }
  const BundleFilters& filters = manifest.filters;
  const auto mismatch = [](const char* field, absl::string_view got, absl::string_view want) {
    return absl::DataLossError(
        absl::StrCat("its ", field, " is \"", got, "\", the bundle's filter is \"", want, "\""));
  };
  if (!filters.actor.empty() && ActorOf(record) != filters.actor) {
    return mismatch("actor", ActorOf(record), filters.actor);
  }
  if (!filters.action.empty() && record.action().name() != filters.action) {
    return mismatch("action", record.action().name(), filters.action);
  }
  const std::string outcome = v1::Outcome::Result_Name(record.outcome().result());
  if (!filters.outcome.empty() && outcome != filters.outcome) {
    return mismatch("outcome", outcome, filters.outcome);
  }
  const std::string trace_id = absl::BytesToHexString(record.correlation().trace_id());
  if (!filters.trace_id.empty() && trace_id != filters.trace_id) {
    return mismatch("trace id", trace_id, filters.trace_id);
  }
  return absl::OkStatus();
}

absl::StatusOr<Json> RecordsJsonlLine(uint64_t seq, std::string_view data,
                                      const v1::AuditRecord& record) {
  QueryRow row;
  row.seq = seq;
  row.record = record;
  row.data = std::string(data);
  row.leaf_hash = HashLeaf(data);
  return QueryRowJson(row);
}

}  // namespace sealtrail::cli
