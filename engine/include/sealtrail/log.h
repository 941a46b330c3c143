// Log: an append-only, tamper-evident log of opaque records.
//
// The log is ONE RFC 9162 Merkle tree over all records (leaf index = sequence number). Records
// live in segment files of 2^k leaves each; a full segment is sealed with its subtree root and a
// chain hash, so sealed segments are nodes of the global tree and form a hash chain.
// The on-disk format is specified in docs/format/ (README.md there is the entry point).
//
// Durability: with SyncPolicy::kDurable (the default) Append returns OK only after the records
// are on disk (fdatasync, plus directory syncs for new segment files). Concurrent appenders
// share syncs (group commit). A crash at any point loses no acknowledged record.
//
// Failure: any I/O error on the write path (write, sync, rename, seal) stops the writer for
// good: that Append and every later one fail, and reads keep serving what was acknowledged.
// Reopen the directory to recover from what is durable. The writer never retries a failed sync.
//
// Thread-safety: every method may be called concurrently from any number of threads. Readers
// (Read, Head, Root, proofs) see exactly the acknowledged prefix of the log and never block
// on a sync. Appends are ordered: each Append's records get consecutive indexes.
//
// Nothing in this API updates or deletes a record.
#ifndef SEALTRAIL_LOG_H_
#define SEALTRAIL_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sealtrail/env.h"
#include "sealtrail/hash.h"
#include "sealtrail/merkle_proof.h"

namespace sealtrail {

enum class SyncPolicy {
  kDurable,  // fdatasync before acknowledging (default).
  kNone,     // Acknowledge once written to the OS; for benchmarks only. A machine crash may
             // lose acknowledged records (a process crash does not).
};

struct LogOptions {
  // Not owned; must outlive the Log. nullptr means Env::Default().
  Env* env = nullptr;
  // Leaves per segment, as a power of two: 0 means the data directory's own value, or 16
  // (65,536 leaves) when creating one. A non-zero value that differs from an existing
  // directory's is FAILED_PRECONDITION. Allowed range when creating: 1..24.
  uint32_t leaves_per_segment_log2 = 0;
  // Records larger than this are INVALID_ARGUMENT. At most kMaxRecordLimit.
  uint32_t max_record_bytes = 1u << 20;
  SyncPolicy sync = SyncPolicy::kDurable;
  // Create the directory and its format file if missing; otherwise NOT_FOUND.
  bool create_if_missing = true;
  // Open for reading only: no lock is taken and nothing on disk is changed or created. The log
  // is what was durable and intact when opened: a torn tail or an unfinished batch (also one
  // sealed in part) is left in place and not served, an interrupted seal is not finished. May run
  // beside a writer in another process; it sees no records appended after Open. Append returns
  // FAILED_PRECONDITION. Implies create_if_missing = false.
  bool read_only = false;
};

inline constexpr uint32_t kMaxRecordLimit = 64u << 20;

// What Open had to do to bring the directory back to a consistent state, for the operator's log.
// Empty after a clean shutdown.
struct RecoveryReport {
  // One line per action, naming the file and offset, e.g. "truncated a torn tail of 57 bytes at
  // offset 1234 of .../segments/000000000003.seg (records from 198 on were never acknowledged)".
  std::vector<std::string> actions;
  // Bytes removed from segment files: torn tails and unfinished batches, with the seal cut off
  // an unsealed segment and the segment files removed whole.
  uint64_t truncated_bytes = 0;
};

struct TreeHead {
  uint64_t size = 0;
  Hash root{};
};

class Log {
 public:
  // Opens (or creates) the log in `dir`. Takes an exclusive lock on the directory unless
  // options.read_only.
  // Recovery: a torn tail of the open segment (a partial frame, or a bad checksum on its last
  // frame) is truncated, and so (format 2) is a batch that no frame on disk closes. The batch the
  // sealed segments end with is removed whole, its sealed part too, if it was never
  // acknowledged: it goes on into the open segment and no frame there closes it, or no segment
  // file follows the sealed ones. Its later segment files are removed and the segment where it
  // began is unsealed and cut back to it; if a stored checkpoint covers any of it, Open fails
  // with DATA_LOSS naming the file, offset and record instead. A full segment whose seal was
  // interrupted is sealed again; a missing next segment is created (format 1). Any other damage
  // is DATA_LOSS naming the file, byte offset and sequence number. An unknown format version is
  // FAILED_PRECONDITION. A directory another process (or another Log in this one) has open for
  // writing is UNAVAILABLE with IsLockHeldError (sealtrail/env.h) true. Opening reads segment
  // footers only; it rehashes just the open segment.
  static absl::StatusOr<std::unique_ptr<Log>> Open(const LogOptions& options,
                                                   const std::string& dir);

  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Appends `records` in order and returns the index of the first. Returns after the records
  // are durable (see SyncPolicy). INVALID_ARGUMENT (and nothing written) if the batch is empty,
  // or any record is empty or larger than max_record_bytes. In a format-2 data directory a batch
  // that a crash interrupted is whole or absent after recovery, and a refused one is absent,
  // also when it filled a segment that was sealed before the failure (see RecordsPerSegment):
  // the writer removes its part in the open segment, and recovery the sealed part. Exceptions:
  // the writer's cleanup failed too (the error says so); or, with concurrent appenders, the batch
  // was refused only because another Append's write or sync failed after all of this batch's
  // frames were written (it may then be there whole; docs/format/README.md, "Write order").
  [[nodiscard]] absl::StatusOr<uint64_t> Append(absl::Span<const std::string_view> records);

  // The record at `index`. OUT_OF_RANGE if index >= Size(); DATA_LOSS if its checksum fails.
  [[nodiscard]] absl::StatusOr<std::string> Read(uint64_t index) const;
  // The leaf hash of `index`, from the stored tree (no record read). OUT_OF_RANGE as Read.
  [[nodiscard]] absl::StatusOr<Hash> LeafHash(uint64_t index) const;

  // The number of acknowledged records.
  uint64_t Size() const;
  // Size and root of the acknowledged tree, taken together. Fails only if reading a stored
  // node fails (an I/O error).
  [[nodiscard]] absl::StatusOr<TreeHead> Head() const;
  // Root of the tree of the first `size` records. OUT_OF_RANGE if size > Size().
  [[nodiscard]] absl::StatusOr<Hash> Root(uint64_t size) const;

  // RFC 9162 proofs, built from stored nodes in O(log n) node reads (no record is reread).
  // INVALID_ARGUMENT if leaf_index >= tree_size; OUT_OF_RANGE if tree_size > Size().
  [[nodiscard]] absl::StatusOr<InclusionProof> ProveInclusion(uint64_t leaf_index,
                                                              uint64_t tree_size) const;
  // The multi-leaf inclusion path of merkle_proof.h for `leaf_indices` in the tree of
  // `tree_size` leaves, to check with VerifyMultiInclusion. Built from stored nodes, one read
  // per path hash (up to log n for a last one that ends at tree_size); no record is read.
  // INVALID_ARGUMENT as CheckMultiInclusionIndices; OUT_OF_RANGE if tree_size > Size().
  [[nodiscard]] absl::StatusOr<std::vector<Hash>> ProveMultiInclusion(
      absl::Span<const uint64_t> leaf_indices, uint64_t tree_size) const;
  // INVALID_ARGUMENT if old_size > new_size; OUT_OF_RANGE if new_size > Size().
  [[nodiscard]] absl::StatusOr<ConsistencyProof> ProveConsistency(uint64_t old_size,
                                                                  uint64_t new_size) const;

  const std::string& dir() const;
  // Records per segment (S). A batch that starts at a Size() that is a multiple of S, or that
  // ends at one, crosses no segment boundary. An Append whose records reach a multiple of S
  // seals that segment (and creates the next) before it returns.
  uint64_t RecordsPerSegment() const;
  // What recovery did when this Log was opened (read-only opens change nothing and report what
  // they left in place).
  const RecoveryReport& recovery_report() const;

  class Impl;

 private:
  explicit Log(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_LOG_H_
