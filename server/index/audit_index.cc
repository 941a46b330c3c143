#include "server/index/audit_index.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "server/index/index_dir.h"
#include "server/index/index_keys.h"
#include "server/index/index_scan.h"
#include "server/index/rocks_info_log.h"
#include "server/index/rocks_options.h"
#include "server/index/rocks_status.h"

namespace sealtrail {

using index_internal::FromRocks;

struct AuditIndex::Store {
  std::shared_ptr<index_internal::BackgroundErrorListener> background_errors =
      std::make_shared<index_internal::BackgroundErrorListener>();
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::WriteOptions write = index_internal::MakeWriteOptions();
};

namespace {

absl::StatusOr<uint64_t> ReadCovered(rocksdb::DB& db) {
  std::string format;
  rocksdb::Status s = db.Get(rocksdb::ReadOptions(), index_internal::FormatKey(), &format);
  if (s.IsNotFound()) return absl::DataLossError("index format marker is missing");
  RETURN_IF_ERROR(FromRocks(s, "reading the index format marker"));
  if (format != index_internal::kIndexFormat) {
    return absl::FailedPreconditionError(absl::StrCat("index format is '", format, "', expected '",
                                                      std::string(index_internal::kIndexFormat),
                                                      "'"));
  }
  std::string covered;
  s = db.Get(rocksdb::ReadOptions(), index_internal::CoveredKey(), &covered);
  if (s.IsNotFound()) return absl::DataLossError("index covered sequence number is missing");
  RETURN_IF_ERROR(FromRocks(s, "reading the index covered sequence number"));
  if (covered.size() != 8) return absl::DataLossError("malformed index covered sequence number");
  return index_internal::DecodeBe64(covered);
}

std::string CoveredValue(uint64_t covered) {
  std::string value;
  index_internal::AppendBe64(&value, covered);
  return value;
}

absl::Status ValidateFields(uint64_t seq, const IndexFields& fields) {
  if (fields.tenant_id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("record ", seq, ": empty tenant_id"));
  }
  if (!fields.trace_id.empty() && fields.trace_id.size() != index_internal::kTraceIdSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "record ", seq, ": trace_id must be empty or 16 bytes, got ", fields.trace_id.size()));
  }
  if (fields.leaf_hash.size() != index_internal::kLeafHashSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "record ", seq, ": leaf_hash must be 32 bytes, got ", fields.leaf_hash.size()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditIndex>> AuditIndex::Open(const std::string& dir,
                                                             const IndexOptions& options) {
  ASSIGN_OR_RETURN(const index_internal::IndexDirState state, index_internal::InspectIndexDir(dir));
  if (state == index_internal::IndexDirState::kOther) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " is not empty and holds no index (no CURRENT file)"));
  }
  const bool create = state == index_internal::IndexDirState::kMissingOrEmpty;
  if (create) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("creating ", dir, ": ", ec.message()));
  }
  rocksdb::Options db_options = index_internal::MakeDbOptions(options);
  db_options.info_log = index_internal::MakeInfoLog(dir, db_options.info_log_level);
  auto store = std::make_unique<Store>();
  db_options.listeners.push_back(store->background_errors);
  db_options.create_if_missing = create;
  db_options.error_if_exists = create;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(db_options, dir, &raw), "opening index " + dir));
  store->db.reset(raw);

  if (create) {
    // The marker and covered = 0 go in one batch, so a crash leaves either nothing or both.
    // This batch is synced through the WAL: a directory with a CURRENT file but no marker
    // then means damage, never an interrupted creation.
    rocksdb::WriteBatch batch;
    RETURN_IF_ERROR(FromRocks(batch.Put(index_internal::FormatKey(), index_internal::kIndexFormat),
                              "creating index"));
    RETURN_IF_ERROR(
        FromRocks(batch.Put(index_internal::CoveredKey(), CoveredValue(0)), "creating index"));
    rocksdb::WriteOptions sync_write;
    sync_write.sync = true;
    RETURN_IF_ERROR(FromRocks(store->db->Write(sync_write, &batch), "creating index"));
  } else if (options.verify_checksums_on_open) {
    RETURN_IF_ERROR(FromRocks(store->db->VerifyChecksum(), "verifying index " + dir));
  }
  ASSIGN_OR_RETURN(const uint64_t covered, ReadCovered(*store->db));
  return std::unique_ptr<AuditIndex>(new AuditIndex(dir, options, std::move(store), covered));
}

absl::StatusOr<std::unique_ptr<AuditIndex>> AuditIndex::Rebuild(const std::string& dir,
                                                                const Log& log,
                                                                const IndexDecoder& decoder,
                                                                const IndexOptions& options) {
  RETURN_IF_ERROR(index_internal::ClearIndexDir(dir));
  ASSIGN_OR_RETURN(std::unique_ptr<AuditIndex> index, Open(dir, options));
  RETURN_IF_ERROR(index->CatchUp(log, decoder));
  return index;
}

AuditIndex::AuditIndex(std::string dir, IndexOptions options, std::unique_ptr<Store> store,
                       uint64_t covered)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      store_(std::move(store)),
      covered_(covered) {}

AuditIndex::~AuditIndex() {
  // A failed flush loses only index batches; the next open catches them up from the log.
  if (store_->db != nullptr) Close().IgnoreError();
}

absl::Status AuditIndex::Close() {
  absl::MutexLock lock(&write_mu_);
  if (store_->db == nullptr) return absl::FailedPreconditionError("index already closed");
  absl::Status status =
      FromRocks(store_->db->Flush(rocksdb::FlushOptions()), "flushing index " + dir_);
  const absl::Status closed = FromRocks(store_->db->Close(), "closing index " + dir_);
  store_->db.reset();
  if (status.ok()) status = closed;
  return status;
}

void AuditIndex::OnBackgroundError(std::function<void(const absl::Status&)> handler) {
  store_->background_errors->SetHandler(std::move(handler));
}

uint64_t AuditIndex::covered() const {
  absl::MutexLock lock(&write_mu_);
  return covered_;
}

absl::Status AuditIndex::Add(uint64_t first_seq, absl::Span<const IndexFields> records) {
  absl::MutexLock lock(&write_mu_);
  return AddLocked(first_seq, records);
}

absl::Status AuditIndex::AddLocked(uint64_t first_seq, absl::Span<const IndexFields> records) {
  if (first_seq != covered_) {
    return absl::FailedPreconditionError(
        absl::StrCat("index covers records [0, ", covered_, "); a batch starting at ", first_seq,
                     first_seq > covered_ ? " would leave a gap" : " would index records again"));
  }
  if (records.empty()) return absl::OkStatus();
  for (size_t i = 0; i < records.size(); ++i) {
    RETURN_IF_ERROR(ValidateFields(first_seq + i, records[i]));
  }
  // The batch's entries go in sorted by key. RocksDB then inserts each from the memtable's
  // hint for its key family (InsertRunPrefixLength), next to the previous insert instead of
  // searching from the top: the trace and leaf-hash keys are random, and the records of one
  // tenant, actor or action are interleaved with the others in sequence order. This takes about
  // a third off the indexer's CPU per record (bench/index_bench.cc).
  std::vector<std::string> values;
  values.reserve(records.size() * 2);
  std::vector<std::pair<std::string, uint32_t>> entries;  // Key, index into values (or kNoValue).
  constexpr uint32_t kNoValue = ~uint32_t{0};
  entries.reserve(records.size() * 6);
  for (size_t i = 0; i < records.size(); ++i) {
    const IndexFields& f = records[i];
    const uint64_t seq = first_seq + i;
    const auto value = static_cast<uint32_t>(values.size());
    values.push_back(index_internal::EncodeEntryValue(f));
    entries.emplace_back(
        index_internal::TimeSeqKey(index_internal::TimePrefix(f.tenant_id), f.commit_time_ns, seq),
        value);
    entries.emplace_back(
        index_internal::TimeSeqKey(index_internal::ActorPrefix(f.tenant_id, f.actor),
                                   f.commit_time_ns, seq),
        value);
    entries.emplace_back(
        index_internal::TimeSeqKey(index_internal::ActionPrefix(f.tenant_id, f.action),
                                   f.commit_time_ns, seq),
        value);
    if (!f.trace_id.empty()) {
      entries.emplace_back(
          index_internal::SeqKey(index_internal::TracePrefix(f.tenant_id, f.trace_id), seq), value);
    }
    values.push_back(index_internal::EncodeAllTenantsValue(f));
    entries.emplace_back(
        index_internal::TimeSeqKey(index_internal::AllTenantsPrefix(), f.commit_time_ns, seq),
        value + 1);
    // The leaf-hash lookup needs no value: a candidate is confirmed against the log anyway.
    entries.emplace_back(index_internal::SeqKey(index_internal::LeafHashPrefix(f.leaf_hash), seq),
                         kNoValue);
  }
  std::sort(entries.begin(), entries.end());
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : entries) {
    RETURN_IF_ERROR(FromRocks(batch.Put(key, value == kNoValue ? std::string() : values[value]),
                              "building index batch"));
  }
  // Commit point: the entries and the new covered value are one batch, so on disk (after any
  // crash) covered is exactly the number of indexed records. No WAL: see docs/index.md.
  const uint64_t new_covered = first_seq + records.size();
  RETURN_IF_ERROR(FromRocks(batch.Put(index_internal::CoveredKey(), CoveredValue(new_covered)),
                            "building index batch"));
  if (store_->db == nullptr) return absl::FailedPreconditionError("index is closed");
  RETURN_IF_ERROR(FromRocks(store_->db->Write(store_->write, &batch), "writing index batch"));
  covered_ = new_covered;
  return absl::OkStatus();
}

absl::Status AuditIndex::CatchUp(const Log& log, const IndexDecoder& decoder) {
  absl::MutexLock lock(&write_mu_);
  const uint64_t end = log.Size();
  if (covered_ > end) {
    return absl::FailedPreconditionError(absl::StrCat(
        "index covers ", covered_, " records but the log has only ", end, "; rebuild the index"));
  }
  const uint64_t batch_size = std::max<uint32_t>(options_.catch_up_batch_records, 1);
  std::vector<IndexFields> batch;
  while (covered_ < end) {
    const uint64_t first = covered_;
    const uint64_t count = std::min(batch_size, end - first);
    batch.clear();
    for (uint64_t seq = first; seq < first + count; ++seq) {
      ASSIGN_OR_RETURN(const std::string bytes, log.Read(seq));
      absl::StatusOr<IndexFields> fields = decoder(bytes);
      if (!fields.ok()) {
        return absl::Status(
            fields.status().code(),
            absl::StrCat("decoding record ", seq, " for the index: ", fields.status().message()));
      }
      batch.push_back(*std::move(fields));
    }
    RETURN_IF_ERROR(AddLocked(first, batch));
  }
  return absl::OkStatus();
}

absl::StatusOr<IndexQueryResult> AuditIndex::Query(const IndexQuery& query) const {
  RETURN_IF_ERROR(index_internal::ValidateQuery(query));
  return index_internal::RunQuery(*store_->db, query);
}

absl::StatusOr<std::vector<uint64_t>> AuditIndex::LeafHashCandidates(std::string_view leaf_hash,
                                                                     size_t max_results) const {
  if (leaf_hash.size() != index_internal::kLeafHashSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf hash must be 32 bytes, got ", leaf_hash.size()));
  }
  return index_internal::ScanLeafHash(*store_->db, leaf_hash, max_results);
}

absl::StatusOr<bool> AuditIndex::HasEntry(uint64_t seq, const IndexFields& fields) const {
  const std::string key = index_internal::TimeSeqKey(index_internal::TimePrefix(fields.tenant_id),
                                                     fields.commit_time_ns, seq);
  std::string value;
  const rocksdb::Status s = store_->db->Get(rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound()) return false;
  RETURN_IF_ERROR(FromRocks(s, "reading the index"));
  return value == index_internal::EncodeEntryValue(fields);
}

}  // namespace sealtrail
