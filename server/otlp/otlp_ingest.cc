#include "server/otlp/otlp_ingest.h"

#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sealtrail/v1/audit_service.pb.h"

namespace sealtrail {
namespace {

// The most bytes `record` can take when stored: with the largest commit time, as the pipeline
// computes it, so a record that passes here is never refused there.
size_t MaxStoredSize(v1::AuditRecord& record) {
  record.mutable_context()->set_commit_time_ns(std::numeric_limits<int64_t>::max());
  size_t size = record.ByteSizeLong();
  record.mutable_context()->set_commit_time_ns(0);
  return size;
}

}  // namespace

OtlpIngest::OtlpIngest(AppendPipeline* pipeline, const AccessControl* access,
                       OtlpIngestOptions options)
    : pipeline_(pipeline),
      options_(std::move(options)),
      admission_(access, options_.max_batch_records, options_.require_verified_actor) {}

std::string FirstTenant(const MappedExport& mapped) {
  return mapped.records.empty() ? std::string() : mapped.records.front().context().tenant_id();
}

void OtlpIngest::Submit(const Call& call, MappedExport mapped, const std::string& call_actor_token,
                        Done done) const {
  OtlpExportResult result{mapped.rejected, std::move(mapped.first_error)};
  if (mapped.records.empty()) {
    done(std::move(result));
    return;
  }
  v1::AppendRequest request;
  request.mutable_records()->Reserve(static_cast<int>(mapped.records.size()));
  for (v1::AuditRecord& record : mapped.records) *request.add_records() = std::move(record);
  bool any_token = !call_actor_token.empty();
  for (const std::string& token : mapped.actor_tokens) any_token |= !token.empty();
  if (any_token) {
    for (std::string& token : mapped.actor_tokens) {
      request.add_actor_tokens(token.empty() ? call_actor_token : std::move(token));
    }
  }
  absl::StatusOr<std::vector<v1::AuditRecord>> admitted = admission_.Admit(call, request);
  if (!admitted.ok()) {
    done(admitted.status());
    return;
  }
  // Stamping added the server's fields: a record near the limit may now be over it. It is
  // rejected alone (a mapping problem, found first, stays the one reported).
  std::vector<v1::AuditRecord> records;
  records.reserve(admitted->size());
  for (size_t i = 0; i < admitted->size(); ++i) {
    v1::AuditRecord& record = (*admitted)[i];
    size_t size = MaxStoredSize(record);
    if (size <= options_.max_record_bytes) {
      records.push_back(std::move(record));
      continue;
    }
    if (result.rejected++ == 0) {
      result.error_message =
          absl::StrCat(LogRecordPathText(mapped.paths[i]), ": the record is ", size,
                       " bytes when stored, over the limit of ", options_.max_record_bytes);
    }
  }
  if (records.empty()) {
    done(std::move(result));
    return;
  }
  pipeline_->Submit(std::move(records),
                    [result = std::move(result), done = std::move(done)](
                        absl::StatusOr<std::vector<CommittedRecord>> committed) mutable {
                      if (!committed.ok()) {
                        done(committed.status());
                      } else {
                        done(std::move(result));
                      }
                    });
}

}  // namespace sealtrail
