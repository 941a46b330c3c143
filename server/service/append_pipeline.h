// AppendPipeline: the one commit path of the server. Every appended record, from every RPC,
// goes through it, so that sequence order, commit-time order and index order are one order.
//
// Two threads, each a stage, so that one batch's fsync overlaps the next batch's preparation and
// the previous batch's indexing:
//   committer: takes everything queued (up to a batch limit), assigns each record its commit
//              time (CommitClock) and its completeness links (KeyHeads::Stage), serializes it
//              (SerializeForLog) and appends the batch to the Log in one call: one write and one
//              fdatasync for many RPCs (group commit). Then it publishes the batch's key heads
//              (so the next checkpoint's key map covers them) and runs each request's callback
//              with its results: the records are durable.
//   indexer:   adds the batch's index entries (AuditIndex::Add, in sequence order). The
//              entries come from the stored bytes by IndexFieldsFromStoredBytes, the one
//              function that start-up catch-up and `sealtrail reindex` use too; the committer
//              decodes them after answering, so the indexer thread does only the writing.
// A request is answered once its records are durable, before they are indexed: waiting for the
// index too put a second stage's queue into every append's latency. Readers of the index that
// must find every acknowledged record (Query, ProveInclusion by leaf hash) first call
// WaitUntilIndexed(log size), so a client that appends and then queries still finds its records.
//
// Failure: a failed Log::Append fails every request of that batch and, since the Log's writer
// stops for good after an I/O error, every later one (RESOURCE_EXHAUSTED when the disk is full,
// UNAVAILABLE otherwise, naming the original error); the committer is then reported failed.
// A failed index write does not fail the appends (the records are durable, and the index is
// derived state). It is retried, catching the index up from the log, index_write_attempts times
// with a doubling backoff; if it still fails the indexer stops for good and is reported failed
// (on_stage_failure, event "indexer_stopped"). The indexed size only ever advances to what the
// index actually holds (AuditIndex::covered), so an index reader never sees "indexed" for a
// record missing from the index: after the indexer stopped, WaitUntilIndexed answers
// UNAVAILABLE naming the cause (a restart catches the index up from the log).
//
// Thread-safety: every method may be called from any thread. Callbacks run on the committer
// thread (or, for requests refused at once, on the submitting thread) and must not block.
#ifndef SEALTRAIL_SERVER_SERVICE_APPEND_PIPELINE_H_
#define SEALTRAIL_SERVER_SERVICE_APPEND_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "server/index/audit_index.h"
#include "server/service/event_log.h"
#include "server/service/key_heads.h"

namespace sealtrail {

// How long an index reader waits for the indexer before answering UNAVAILABLE (retry): only
// a server far behind on indexing gets near it.
inline constexpr absl::Duration kIndexWaitTimeout = absl::Seconds(10);

// What the log assigned to one record.
struct CommittedRecord {
  uint64_t seq = 0;
  Hash leaf_hash{};
  uint64_t tree_size = 0;  // A durable tree size that includes seq.
};

// One committed batch, as the log stored it (on_committed).
struct CommittedRecords {
  uint64_t first_seq = 0;
  absl::Span<const v1::AuditRecord> records;  // In sequence order, commit times set.
  absl::Span<const Hash> leaf_hashes;         // One per record.
};

struct AppendPipelineOptions {
  // Records per Log::Append; a batch always takes whole requests, so one larger request is
  // appended alone.
  uint32_t max_batch_records = 16384;
  // Bytes of records queued or being committed before Submit answers RESOURCE_EXHAUSTED.
  uint64_t max_inflight_bytes = uint64_t{256} << 20;
  // Serialized records larger than this are refused (INVALID_ARGUMENT) before anything of their
  // request is written. Should match the Log's max_record_bytes.
  uint32_t max_record_bytes = 64 * 1024;
  // Records committed and acknowledged but not yet indexed before the committer waits for the
  // indexer: bounds how far the index lags the log (what a query may wait for, ~0.5 s of
  // indexing on 2 cores) and makes the indexer's rate the sustained append rate.
  uint32_t max_unindexed_records = 32768;
  // Tries of one index write before the indexer gives up (at least 1), and the wait before the
  // first retry, doubled before each further one (6 tries from 50 ms: ~1.5 s of retrying).
  uint32_t index_write_attempts = 6;
  absl::Duration index_retry_backoff = absl::Milliseconds(50);
  // Called once per stage ("committer" or "indexer") when it stops for good after an error,
  // from that stage's thread, with the error its callers now get. Must not block. May be empty.
  std::function<void(std::string_view stage, const absl::Status& cause)> on_stage_failure;
  // Called on the indexer thread with every committed batch, in sequence order and exactly once,
  // after the index was given it (indexed, or refused by an indexer that stopped: the records are
  // durable either way). The detection rules run here (server/service/detection_stage.h), off
  // the acknowledgement path but in commit order. It delays indexing, so it must be quick and
  // never block; it may Submit. May be empty (then the records are freed as soon as stored).
  std::function<void(const CommittedRecords& batch)> on_committed;
  // Gives each record its completeness links before it is serialized, and learns the batch's
  // key heads once it is durable, before anyone is answered (server/service/key_heads.h). Not
  // owned; must outlive the pipeline. nullptr: records get no links (tests of the pipeline
  // alone; the server always sets it).
  KeyHeads* key_heads = nullptr;
};

class AppendPipeline {
 public:
  using Callback = absl::AnyInvocable<void(absl::StatusOr<std::vector<CommittedRecord>>)>;

  // `log`, `index` and `events` are not owned and must outlive the pipeline. `env` supplies the
  // clock for commit times (nullptr: Env::Default()). Reads the last record's commit time so
  // that commit times stay non-decreasing across restarts, even if the clock went back; fails
  // if that record cannot be read or parsed.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<AppendPipeline>> Start(
      Log* log, AuditIndex* index, EventLog* events, Env* env, AppendPipelineOptions options);

  // Stops (see Stop) and joins the threads.
  ~AppendPipeline();
  AppendPipeline(const AppendPipeline&) = delete;
  AppendPipeline& operator=(const AppendPipeline&) = delete;

  // Appends `records` as consecutive sequence numbers and calls `done` exactly once: with one
  // CommittedRecord per record, in order, once they are durable; or with an error,
  // in which case none of them was written. REQUIRES: every record passed ValidateRecord and has
  // commit_time_ns 0 (the pipeline sets it); `records` is not empty.
  // Errors: INVALID_ARGUMENT for a record larger than max_record_bytes once serialized;
  // RESOURCE_EXHAUSTED when too much is in flight (retry later); UNAVAILABLE after Stop or after
  // the log failed.
  void Submit(std::vector<v1::AuditRecord> records, Callback done);

  // Returns once records [0, size) are in the index, so that an index lookup made after it finds
  // every one of them. The pipeline starts from what the index holds (AuditIndex::covered();
  // OpenOrRebuild caught it up with the log). UNAVAILABLE if `timeout` passes first, or, naming the
  // cause, if the indexer stopped after a write failure before it got there.
  [[nodiscard]] absl::Status WaitUntilIndexed(uint64_t size, absl::Duration timeout) const;

  // Commits and answers everything already submitted, then stops the threads. Later Submits
  // fail with UNAVAILABLE. Idempotent.
  void Stop();

  class Impl;

 private:
  explicit AppendPipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_APPEND_PIPELINE_H_
