// AuditIndex: the RocksDB secondary indexes over the audit log, on (tenant, time),
// (tenant, actor, time), (tenant, action, time), (tenant, trace id) and (time) of all tenants,
// and a lookup from a record's leaf hash to its sequence number.
//
// The log is the source of truth; the index is derived state. It records the next sequence
// number it has to index ("covered") in the same RocksDB WriteBatch as the entries, so the
// entries on disk are always exactly those of records [0, covered). CatchUp indexes the log
// from covered onwards and is what both start-up and the live path use. Layout, options and
// the crash argument: docs/index.md.
//
// Durability: none of its own. Writes skip RocksDB's WAL; a crash may lose the newest index
// batches (entries and covered together), and CatchUp re-indexes them from the log. Close
// flushes, so a clean shutdown loses nothing.
//
// Thread-safety: every method may be called concurrently. Add and CatchUp are serialized
// with each other; Query runs beside them and sees each batch entirely or not at all.
#ifndef SEALTRAIL_SERVER_INDEX_AUDIT_INDEX_H_
#define SEALTRAIL_SERVER_INDEX_AUDIT_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "sealtrail/log.h"
#include "server/index/index_fields.h"
#include "server/index/index_options.h"
#include "server/index/index_query.h"

namespace sealtrail {

// Extracts the index fields from a record's stored bytes. Must be deterministic: rebuilding
// from the same log gives the same index. An error stops CatchUp at that record.
using IndexDecoder = std::function<absl::StatusOr<IndexFields>(std::string_view record_bytes)>;

class AuditIndex {
 public:
  // Opens the index in `dir`, creating it (and `dir`) if `dir` is missing or empty.
  // Errors: DATA_LOSS if RocksDB reports corruption (including, with
  // options.verify_checksums_on_open, a bad block checksum) or the format marker is missing;
  // FAILED_PRECONDITION for another format version or a non-empty dir that is not an index;
  // the lock-held error (UNAVAILABLE, IsLockHeldError in sealtrail/env.h) if another process
  // or another AuditIndex in this one holds it; RESOURCE_EXHAUSTED if the disk is full; INTERNAL
  // for other I/O errors. Does not look at any log: see OpenOrRebuild.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<AuditIndex>> Open(
      const std::string& dir, const IndexOptions& options = {});

  // Deletes the index in `dir` (RocksDB's files only; FAILED_PRECONDITION if anything else is
  // there) and indexes the whole log into a new one. For `sealtrail reindex` and OpenOrRebuild.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<AuditIndex>> Rebuild(
      const std::string& dir, const Log& log, const IndexDecoder& decoder,
      const IndexOptions& options = {});

  // Flushes (when not closed yet). A failed flush only means the next open catches up more.
  ~AuditIndex();
  AuditIndex(const AuditIndex&) = delete;
  AuditIndex& operator=(const AuditIndex&) = delete;

  // Indexes records first_seq, first_seq+1, ... in one atomic batch.
  // FAILED_PRECONDITION (nothing written) unless first_seq == covered(): gaps and regressions
  // are refused. INVALID_ARGUMENT (nothing written) for an empty tenant, a trace id that is
  // neither empty nor 16 bytes, or a leaf hash that is not 32 bytes. An empty batch at covered()
  // is OK and writes nothing.
  [[nodiscard]] absl::Status Add(uint64_t first_seq, absl::Span<const IndexFields> records);

  // The next sequence number to index: records [0, covered()) are indexed.
  uint64_t covered() const;

  // Indexes records [covered(), log.Size()) in batches of options.catch_up_batch_records.
  // Stops at the first error (a read or decode failure, annotated with the sequence number);
  // what was indexed before it stays. FAILED_PRECONDITION if covered() > log.Size().
  [[nodiscard]] absl::Status CatchUp(const Log& log, const IndexDecoder& decoder);

  // Sequence numbers matching `query`, picked with the most selective index it allows
  // (trace > actor > action > time; an all-tenants query scans the all-tenants time index);
  // the other filters are applied from entry values.
  // INVALID_ARGUMENT for an empty tenant (a tenant with all_tenants), a limit
  // outside 1..kMaxQueryLimit, a trace id that is not 16 bytes, from_ns > to_ns, or a page token of
  // another query. DATA_LOSS if RocksDB finds corruption (the caller should rebuild).
  [[nodiscard]] absl::StatusOr<IndexQueryResult> Query(const IndexQuery& query) const;

  // Sequence numbers, ascending, of up to `max_results` indexed records whose leaf hash starts
  // with the same 8 bytes as `leaf_hash` (the smallest ones if there are more). The index keeps
  // only those 8 bytes, so a candidate may be another record: callers must confirm each one
  // with Log::LeafHash(seq) == leaf_hash before using it. NOT tenant-scoped: candidates of every
  // tenant are returned, and the caller checks the record's tenant itself. Empty if no indexed
  // record matches (or max_results is 0). INVALID_ARGUMENT unless leaf_hash is 32 bytes;
  // DATA_LOSS if RocksDB finds corruption.
  [[nodiscard]] absl::StatusOr<std::vector<uint64_t>> LeafHashCandidates(std::string_view leaf_hash,
                                                                         size_t max_results) const;

  // Whether the (tenant, time) entry of record `seq` is present with `fields`' values. Used to
  // check that an index belongs to a log.
  [[nodiscard]] absl::StatusOr<bool> HasEntry(uint64_t seq, const IndexFields& fields) const;

  // Flushes the memtables to SST files and closes RocksDB. Afterwards only the destructor may
  // be called. Returns the flush or close error, if any.
  [[nodiscard]] absl::Status Close();

  // Calls `handler` (from a RocksDB thread; it must not block) with each error of a background
  // flush or compaction from now on, e.g. RESOURCE_EXHAUSTED "the disk is full". Writes then
  // fail too; this only makes the failure heard at once.
  void OnBackgroundError(std::function<void(const absl::Status& error)> handler);

  const std::string& dir() const { return dir_; }

  struct Store;  // RocksDB handles; defined in audit_index.cc.

 private:
  AuditIndex(std::string dir, IndexOptions options, std::unique_ptr<Store> store, uint64_t covered);
  absl::Status AddLocked(uint64_t first_seq, absl::Span<const IndexFields> records)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  const std::string dir_;
  const IndexOptions options_;
  std::unique_ptr<Store> store_;
  mutable absl::Mutex write_mu_;
  uint64_t covered_ ABSL_GUARDED_BY(write_mu_);
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_INDEX_AUDIT_INDEX_H_
