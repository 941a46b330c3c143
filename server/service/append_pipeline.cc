#include "server/service/append_pipeline.h"

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
  std::vector<IndexFields> fields;  // One per record, in sequence order.
  uint64_t bytes = 0;               // Of its requests, released once indexed.
};

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
        indexed_size_(log->Size()) {
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
      size_t size = records[i].ByteSizeLong();
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
                                   return w->impl->indexed_size_ >= w->size;
                                 },
                                 &wait),
                             timeout)) {
      return absl::OkStatus();
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
        size_t records = 0;
        while (!queue_.empty() && (taken.empty() || records + queue_.front().record_count <=
                                                        options_.max_batch_records)) {
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
    for (Request& request : requests) {
      for (v1::AuditRecord& record : request.records) {
        record.mutable_context()->set_commit_time_ns(clock_.Next());
        stored.push_back(SerializeForLog(record));
        batch.fields.push_back(ExtractIndexFields(record));
      }
      std::vector<v1::AuditRecord>().swap(request.records);
      batch.bytes += request.bytes;
    }

    std::vector<std::string_view> views(stored.begin(), stored.end());
    absl::StatusOr<uint64_t> first_seq = log_->Append(views);
    if (!first_seq.ok() && absl::IsInvalidArgument(first_seq.status())) {
      // Submit's checks make this unreachable; nothing was written and the log is sound.
      for (Request& request : requests) Refuse(request, first_seq.status());
      return;
    }
    if (!first_seq.ok()) {
      absl::Status failed = absl::UnavailableError(absl::StrCat(
          "the log stopped accepting appends after an error (restart the server to recover from "
          "what is durable): ",
          first_seq.status().ToString()));
      events_->Error("log_append_failed", {{"error", first_seq.status().ToString()}});
      {
        absl::MutexLock lock(&mu_);
        log_error_ = failed;
      }
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
      batch.fields[i].leaf_hash = std::string(AsStringView(leaf_hashes.back()));
    }
    const uint64_t tree_size = batch.first_seq + views.size();
    {
      absl::MutexLock lock(&mu_);
      unindexed_records_ += batch.fields.size();
      committed_.push_back(std::move(batch));
    }
    // Durable: answered now, while the indexer works.
    uint64_t seq = *first_seq;
    for (Request& request : requests) {
      std::vector<CommittedRecord> results;
      results.reserve(request.record_count);
      for (size_t i = 0; i < request.record_count; ++i, ++seq) {
        results.push_back({seq, leaf_hashes[seq - *first_seq], tree_size});
      }
      request.done(std::move(results));
    }
  }

  void IndexLoop() {
    while (true) {
      CommittedBatch batch;
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
        while (!committed_.empty() && batch.fields.size() + committed_.front().fields.size() <=
                                          options_.max_batch_records) {
          AppendBatch(std::move(committed_.front()), &batch);
          committed_.pop_front();
        }
      }
      IndexBatch(batch);
      absl::MutexLock lock(&mu_);
      indexed_size_ = batch.first_seq + batch.fields.size();
      unindexed_records_ -= batch.fields.size();
      inflight_bytes_ -= batch.bytes;
    }
  }

  static void AppendBatch(CommittedBatch next, CommittedBatch* batch) {
    batch->fields.insert(batch->fields.end(), std::make_move_iterator(next.fields.begin()),
                         std::make_move_iterator(next.fields.end()));
    batch->bytes += next.bytes;
  }

  // Adds the batch to the index. The index may be behind (an earlier Add failed): then it first
  // catches up from the log, which covers this batch too, since the batch is in the log.
  void IndexBatch(const CommittedBatch& batch) {
    absl::Status status;
    if (index_->covered() == batch.first_seq) {
      status = index_->Add(batch.first_seq, batch.fields);
    } else if (index_->covered() < batch.first_seq + batch.fields.size()) {
      status = index_->CatchUp(*log_, IndexFieldsFromStoredBytes);
    }
    if (!status.ok()) {
      events_->Error("index_add_failed", {{"first_seq", batch.first_seq},
                                          {"records", batch.fields.size()},
                                          {"error", status.ToString()}});
    }
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
  // Records [0, indexed_size_) have been through the indexer (see WaitUntilIndexed).
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
