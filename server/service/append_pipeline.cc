#include "server/service/append_pipeline.h"

#include <algorithm>
#include <deque>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/base/call_once.h"
#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"
#include "server/record/record_keys.h"
#include "server/service/commit_clock.h"

namespace sealtrail {
namespace {

struct Request {
  // Released by the committer once serialized (freeing them is a noticeable share of a record's
  // cost, better spent off the indexer thread, which is the pipeline's bottleneck).
  std::vector<v1::AuditRecord> records;
  size_t record_count = 0;
  AppendPipeline::Callback done;
  uint64_t bytes = 0;  // Accounted against max_inflight_bytes until indexed (or refused).
};

// One Log::Append's worth of records, answered, handed from the committer to the indexer.
struct CommittedBatch {
  uint64_t first_seq = 0;
  uint64_t count = 0;
  // One per record, in sequence order, decoded from the stored bytes; empty if decoding failed
  // (decode_error), in which case the indexer decodes them again from the log.
  std::vector<IndexFields> fields;
  absl::Status decode_error;
  uint64_t bytes = 0;  // Of its requests, released once indexed.
  // For on_committed only (empty without it): the records as stored, and their leaf hashes.
  std::vector<v1::AuditRecord> records;
  std::vector<Hash> leaf_hashes;
};

void SetLargestLinks(v1::AuditRecord& record) {
  constexpr uint64_t kLargest = std::numeric_limits<uint64_t>::max();
  v1::KeyLinks* links = record.mutable_links();
  for (const RecordKey& key : RecordKeysOf(record)) {
    SetLink(links, key.kind, Link{kLargest, kLargest});
  }
}

absl::StatusOr<int64_t> LastCommitTime(const Log& log) {
  uint64_t size = log.Size();
  if (size == 0) return 0;
  ASSIGN_OR_RETURN(std::string bytes, log.Read(size - 1));
  ASSIGN_OR_RETURN(v1::AuditRecord last, ParseStoredRecord(bytes));
  return last.context().commit_time_ns();
}

}  // namespace

class AppendPipeline::Impl {
 public:
  Impl(Log* log, AuditIndex* index, EventLog* events, Env* env, AppendPipelineOptions options,
       int64_t last_commit_ns)
      : log_(log),
        index_(index),
        events_(events),
        options_(options),
        clock_(env, last_commit_ns),
        indexed_size_(index->covered()) {
    committer_ = std::thread([this] { CommitLoop(); });
    indexer_ = std::thread([this] { IndexLoop(); });
  }

  ~Impl() { Stop(); }

  void Submit(std::vector<v1::AuditRecord> records, Callback done) {
    uint64_t bytes = 0;
    absl::Status refusal;
    for (size_t i = 0; i < records.size() && refusal.ok(); ++i) {
      // The largest commit time gives the largest encoding, so this bounds the stored size
      // whatever time the committer assigns, and a request is refused whole, before any of it
      // is queued.
      records[i].mutable_context()->set_commit_time_ns(std::numeric_limits<int64_t>::max());
      // Likewise the completeness links at their largest (the committer sets the real ones):
      // a record the log would refuse once linked must be refused here, alone, and never fail
      // the batch it would have joined.
      if (options_.key_heads != nullptr) SetLargestLinks(records[i]);
      size_t size = records[i].ByteSizeLong();
      records[i].clear_links();
      if (size > options_.max_record_bytes) {
        refusal = absl::InvalidArgumentError(
            absl::StrCat("records[", i, "] is ", size, " bytes when stored, over the limit of ",
                         options_.max_record_bytes, " bytes (--max-record-bytes)"));
      }
      bytes += size;
    }
    if (!refusal.ok()) {
      done(refusal);
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) {
        refusal = absl::UnavailableError("the server is shutting down");
      } else if (!log_error_.ok()) {
        refusal = log_error_;
      } else if (inflight_bytes_ > 0 && inflight_bytes_ + bytes > options_.max_inflight_bytes) {
        refusal = absl::ResourceExhaustedError(
            absl::StrCat("the server has ", inflight_bytes_,
                         " bytes of appends in flight, its limit; retry shortly"));
      } else {
        inflight_bytes_ += bytes;
        const size_t count = records.size();
        queue_.push_back(Request{std::move(records), count, std::move(done), bytes});
        return;
      }
    }
    done(refusal);  // Outside the lock: callbacks may take their own.
  }

  absl::Status WaitUntilIndexed(uint64_t size, absl::Duration timeout) {
    struct Wait {
      Impl* impl;
      uint64_t size;
    } wait{this, size};
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(
                                 +[](Wait* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                   return w->impl->indexed_size_ >= w->size ||
                                          !w->impl->index_error_.ok();
                                 },
                                 &wait),
                             timeout)) {
      if (indexed_size_ >= size) return absl::OkStatus();
      return index_error_;
    }
    return absl::UnavailableError(absl::StrCat(
        "the index has not caught up with the log within ", absl::FormatDuration(timeout),
        " (indexed ", indexed_size_, " of ", size, " records); retry shortly"));
  }

  void Stop() {
    absl::call_once(stop_once_, [this] {
      {
        absl::MutexLock lock(&mu_);
        stopping_ = true;
      }
      committer_.join();
      {
        absl::MutexLock lock(&mu_);
        committer_done_ = true;
      }
      indexer_.join();
    });
  }

 private:
  void CommitLoop() {
    while (true) {
      std::vector<Request> taken;
      {
        absl::MutexLock lock(&mu_);
        // While the indexer is max_unindexed_records behind, nothing more is committed: the
        // queue (bounded by max_inflight_bytes) then holds back the appenders, and readers
        // never wait for more than that much indexing.
        mu_.Await(absl::Condition(
            +[](Impl* impl) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              if (impl->queue_.empty()) return impl->stopping_;
              return impl->unindexed_records_ < impl->options_.max_unindexed_records;
            },
            this));
        if (queue_.empty()) return;  // Stopping, and everything submitted is committed.
        // One Log::Append never joins requests across a segment boundary, so only a single
        // request larger than the room left may cross. Recovery removes a crossing batch that
        // was never acknowledged, sealed part included (docs/format/README.md, "Recovery"); not
        // joining keeps what it must remove small and unseals nothing in the common case. The
        // committer is the log's only appender, so Size() is where this batch will start.
        const uint64_t room = log_->RecordsPerSegment() - log_->Size() % log_->RecordsPerSegment();
        size_t records = 0;
        while (!queue_.empty() &&
               (taken.empty() || records + queue_.front().record_count <=
                                     std::min<uint64_t>(options_.max_batch_records, room))) {
          records += queue_.front().record_count;
          taken.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      Commit(std::move(taken));
    }
  }

  // Serializes and appends `requests` as one batch, answers them (they are durable), then hands
  // the batch to the indexer.
  void Commit(std::vector<Request> requests) {
    CommittedBatch batch;
    std::vector<std::string> stored;
    // The committer is the log's only appender: the batch starts at the log's size.
    uint64_t next_seq = log_->Size();
    for (Request& request : requests) {
      for (v1::AuditRecord& record : request.records) {
        record.mutable_context()->set_commit_time_ns(clock_.Next());
      }
      if (options_.key_heads != nullptr) {
        // Links go to records before this one in commit order (staged batches chain within
        // themselves), never to one that may not be written.
        options_.key_heads->Stage(absl::MakeSpan(request.records), next_seq);
      }
      next_seq += request.records.size();
      for (const v1::AuditRecord& record : request.records) {
        stored.push_back(SerializeForLog(record));
      }
      if (options_.on_committed) {
        std::move(request.records.begin(), request.records.end(),
                  std::back_inserter(batch.records));
      }
      std::vector<v1::AuditRecord>().swap(request.records);
      batch.bytes += request.bytes;
    }

    std::vector<std::string_view> views(stored.begin(), stored.end());
    absl::StatusOr<uint64_t> first_seq = log_->Append(views);
    if (options_.key_heads != nullptr) {
      // Published before anyone is answered, so a checkpoint signed after an acknowledgement
      // has the acknowledged records in its key map.
      if (first_seq.ok()) {
        options_.key_heads->Publish();
      } else {
        options_.key_heads->Discard();
      }
    }
    if (!first_seq.ok() && absl::IsInvalidArgument(first_seq.status())) {
      // Submit's checks make this unreachable; nothing was written and the log is sound.
      for (Request& request : requests) Refuse(request, first_seq.status());
      return;
    }
    if (!first_seq.ok()) {
      // A full disk is RESOURCE_EXHAUSTED (its message says the disk is full); anything else
      // UNAVAILABLE. Either way none of these requests' records is in the log, and none later.
      const absl::StatusCode code = absl::IsResourceExhausted(first_seq.status())
                                        ? absl::StatusCode::kResourceExhausted
                                        : absl::StatusCode::kUnavailable;
      absl::Status failed(
          code, absl::StrCat("the log stopped accepting appends after an error (restart the "
                             "server to recover from what is durable): ",
                             first_seq.status().ToString()));
      events_->Error("log_append_failed", {{"error", first_seq.status().ToString()}});
      {
        absl::MutexLock lock(&mu_);
        log_error_ = failed;
      }
      ReportStageFailure("committer", failed);
      for (Request& request : requests) Refuse(request, failed);
      return;
    }
    batch.first_seq = *first_seq;
    std::vector<Hash> leaf_hashes;
    leaf_hashes.reserve(views.size());
    for (uint64_t i = 0; i < views.size(); ++i) {
      absl::StatusOr<Hash> leaf_hash = log_->LeafHash(batch.first_seq + i);
      if (!leaf_hash.ok()) {
        // The records are durable; only reading a hash back failed (an I/O problem the operator
        // must hear of). The reply still gets the right hash, recomputed from the bytes.
        events_->Error("leaf_hash_read_failed",
                       {{"seq", batch.first_seq + i}, {"error", leaf_hash.status().ToString()}});
        leaf_hash = HashLeaf(views[i]);
      }
      leaf_hashes.push_back(*leaf_hash);
    }
    const uint64_t tree_size = batch.first_seq + views.size();
    batch.count = views.size();
    if (options_.on_committed) batch.leaf_hashes = leaf_hashes;
    {
      absl::MutexLock lock(&mu_);
      unindexed_records_ += batch.count;
    }
    // Durable: answered now, before the index entries are decoded and written.
    uint64_t seq = *first_seq;
    for (Request& request : requests) {
      std::vector<CommittedRecord> results;
      results.reserve(request.record_count);
      for (size_t i = 0; i < request.record_count; ++i, ++seq) {
        results.push_back({seq, leaf_hashes[seq - *first_seq], tree_size});
      }
      request.done(std::move(results));
    }
    // The index entries come from the bytes the log stored, by the same function catch-up and
    // rebuild use, so the live index is exactly what a rebuild would give.
    batch.fields.reserve(stored.size());
    for (size_t i = 0; i < stored.size(); ++i) {
      absl::StatusOr<IndexFields> fields = IndexFieldsFromStoredBytes(stored[i]);
      if (!fields.ok()) {
        batch.decode_error = fields.status();
        batch.fields.clear();
        break;
      }
      batch.fields.push_back(*std::move(fields));
    }
    absl::MutexLock lock(&mu_);
    committed_.push_back(std::move(batch));
  }

  void IndexLoop() {
    while (true) {
      CommittedBatch batch;
      bool stopped = false;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](Impl* impl) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return impl->committer_done_ || !impl->committed_.empty();
            },
            this));
        if (committed_.empty()) return;
        batch = std::move(committed_.front());
        committed_.pop_front();
        // When indexing falls behind, the batches waiting are indexed as one: a larger RocksDB
        // write costs less per record (its fixed cost is shared, and the sorted trace and
        // leaf-hash keys land closer together in the memtable). Committed batches are
        // consecutive in sequence order, so they concatenate.
        while (!committed_.empty() &&
               batch.count + committed_.front().count <= options_.max_batch_records) {
          AppendBatch(std::move(committed_.front()), &batch);
          committed_.pop_front();
        }
        stopped = !index_error_.ok();
      }
      // A stopped indexer still releases what it is handed, so appends go on (they are durable;
      // the restart the failure calls for catches the index up from the log).
      absl::Status status = stopped ? absl::OkStatus() : IndexBatch(batch);
      if (options_.on_committed) {
        options_.on_committed(CommittedRecords{batch.first_seq, batch.records, batch.leaf_hashes});
      }
      const uint64_t covered = index_->covered();
      absl::MutexLock lock(&mu_);
      // What the index holds, never what it was asked to hold.
      indexed_size_ = std::max(indexed_size_, covered);
      unindexed_records_ -= batch.count;
      inflight_bytes_ -= batch.bytes;
      if (!status.ok()) {
        index_error_ = absl::UnavailableError(absl::StrCat(
            "the index stopped after a write failed ", options_.index_write_attempts,
            " times; queries and lookups by leaf hash are unavailable until the server is "
            "restarted (which catches the index up from the log): ",
            status.ToString()));
        events_->Error("indexer_stopped", {{"first_seq", batch.first_seq},
                                           {"records", batch.count},
                                           {"covered", covered},
                                           {"error", status.ToString()}});
        ReportStageFailure("indexer", index_error_);
      }
    }
  }

  static void AppendBatch(CommittedBatch next, CommittedBatch* batch) {
    if (batch->decode_error.ok() && next.decode_error.ok()) {
      batch->fields.insert(batch->fields.end(), std::make_move_iterator(next.fields.begin()),
                           std::make_move_iterator(next.fields.end()));
    } else if (batch->decode_error.ok()) {
      batch->decode_error = next.decode_error;
      batch->fields.clear();
    }
    batch->count += next.count;
    batch->bytes += next.bytes;
    std::move(next.records.begin(), next.records.end(), std::back_inserter(batch->records));
    batch->leaf_hashes.insert(batch->leaf_hashes.end(), next.leaf_hashes.begin(),
                              next.leaf_hashes.end());
  }

  // Writes the batch's entries to the index, retrying a failure with a doubling backoff. A
  // retry (or an index that is behind, or entries that could not be decoded) catches the index
  // up from the log with the same decoder, which covers this batch too, since it is in the log.
  // Returns the last error once index_write_attempts tries have failed.
  absl::Status IndexBatch(const CommittedBatch& batch) {
    const uint64_t end = batch.first_seq + batch.count;
    const uint32_t attempts = std::max<uint32_t>(options_.index_write_attempts, 1);
    absl::Duration backoff = options_.index_retry_backoff;
    absl::Status status;
    for (uint32_t attempt = 1;; ++attempt) {
      const uint64_t covered = index_->covered();
      if (covered >= end) return absl::OkStatus();
      if (attempt == 1 && covered == batch.first_seq && batch.decode_error.ok()) {
        status = index_->Add(batch.first_seq, batch.fields);
      } else {
        status = index_->CatchUp(*log_, IndexFieldsFromStoredBytes);
      }
      if (status.ok() && index_->covered() >= end) return absl::OkStatus();
      if (status.ok()) {
        status = absl::InternalError(absl::StrCat("the index covers ", index_->covered(),
                                                  " records after catching up, short of ", end));
      }
      if (attempt >= attempts) return status;
      events_->Warning("index_write_retry", {{"first_seq", batch.first_seq},
                                             {"records", batch.count},
                                             {"attempt", attempt},
                                             {"error", status.ToString()}});
      absl::SleepFor(backoff);
      backoff *= 2;
    }
  }

  void ReportStageFailure(std::string_view stage, const absl::Status& cause) {
    if (options_.on_stage_failure) options_.on_stage_failure(stage, cause);
  }

  // Answers a request that was not written.
  void Refuse(Request& request, absl::Status status) {
    request.done(std::move(status));
    absl::MutexLock lock(&mu_);
    inflight_bytes_ -= request.bytes;
  }

  Log* const log_;
  AuditIndex* const index_;
  EventLog* const events_;
  const AppendPipelineOptions options_;
  CommitClock clock_;  // Committer thread only.

  absl::Mutex mu_;
  std::deque<Request> queue_ ABSL_GUARDED_BY(mu_);
  std::deque<CommittedBatch> committed_ ABSL_GUARDED_BY(mu_);
  uint64_t inflight_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool committer_done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status log_error_ ABSL_GUARDED_BY(mu_);
  // Set once the indexer gave up; what index readers waiting for more get.
  absl::Status index_error_ ABSL_GUARDED_BY(mu_);
  // Records [0, indexed_size_) are in the index (see WaitUntilIndexed).
  uint64_t indexed_size_ ABSL_GUARDED_BY(mu_);
  uint64_t unindexed_records_ ABSL_GUARDED_BY(mu_) = 0;  // Committed, not yet indexed.

  absl::once_flag stop_once_;
  std::thread committer_;
  std::thread indexer_;
};

absl::StatusOr<std::unique_ptr<AppendPipeline>> AppendPipeline::Start(
    Log* log, AuditIndex* index, EventLog* events, Env* env, AppendPipelineOptions options) {
  if (env == nullptr) env = Env::Default();
  absl::StatusOr<int64_t> last_commit_ns = LastCommitTime(*log);
  if (!last_commit_ns.ok()) {
    return absl::Status(last_commit_ns.status().code(),
                        absl::StrCat("reading the commit time of the log's last record: ",
                                     last_commit_ns.status().message()));
  }
  return std::unique_ptr<AppendPipeline>(new AppendPipeline(
      std::make_unique<Impl>(log, index, events, env, options, *last_commit_ns)));
}

AppendPipeline::AppendPipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AppendPipeline::~AppendPipeline() = default;
void AppendPipeline::Submit(std::vector<v1::AuditRecord> records, Callback done) {
  impl_->Submit(std::move(records), std::move(done));
}
void AppendPipeline::Stop() { impl_->Stop(); }
absl::Status AppendPipeline::WaitUntilIndexed(uint64_t size, absl::Duration timeout) const {
  return impl_->WaitUntilIndexed(size, timeout);
}

}  // namespace sealtrail
