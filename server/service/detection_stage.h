// DetectionStage: the detection rules (server/detect/) run over every committed record, in
// sequence order, and every firing becomes an alert.raised record appended through the
// AppendPipeline (server/service/alert_record.h), so an alert is evidence in the same log.
//
// Where it runs: AppendPipelineOptions::on_committed calls OnCommitted on the indexer thread
// with each committed batch: after the records are durable and acknowledged, so detection
// never delays an acknowledgement, and in commit order, so windows see the log's own order.
// Rule time is the records' commit time, which the log stores: a replay gives the same firings.
//
// Crash safety (an alert must not be lost because the server died between a record's commit and
// its alert's): the stage keeps a cursor in DATA_DIR/detect.cursor, the sequence number up to
// which every record was evaluated AND every alert it caused is durable. It is written at most
// every cursor_interval (atomically; a stale cursor only means more replay). At start, Recover
// replays the log from the cursor, warmed by the records of the longest window before it
// (bounded by max_replay_records, counted when the bound cuts it), before the server takes
// calls (also after a clean stop, so that a burst spanning a restart still adds up): firings
// about records before the cursor are dropped (already raised), and firings after
// it are raised unless an alert.raised record after the cursor already names the same rule and
// last trigger (raised before the crash, its cursor not yet written). A new data directory
// starts its cursor at the log's end: rules added later do not alert on old history.
//
// A rule's window that hits its cap (server/detect/detector.h) is reported as a warning event
// "detect_window_cap_hit" within a cursor interval, with the count.
//
// Reload (SIGHUP): loads the rules path again; a broken file is refused with its line and what
// is wrong and the rules in force stay (Reload returns the error, event "rules_refused").
//
// Thread-safety: OnCommitted is called by the pipeline's one indexer thread; Reload, Stats and
// Stop from any thread.
#ifndef SEALTRAIL_SERVER_SERVICE_DETECTION_STAGE_H_
#define SEALTRAIL_SERVER_SERVICE_DETECTION_STAGE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sealtrail/env.h"
#include "sealtrail/log.h"
#include "server/detect/detector.h"
#include "server/detect/rule_set.h"
#include "server/service/append_pipeline.h"
#include "server/service/event_log.h"

namespace sealtrail {

using detect::DetectorOptions;
using detect::DetectorStats;
using detect::Firing;
using detect::ObservedRecord;
using detect::RuleSet;

inline constexpr char kDetectCursorFile[] = "detect.cursor";

struct DetectionOptions {
  std::string rules_path;  // A rules file or a directory of them. Required.
  std::string data_dir;    // Where the cursor lives.
  // Most records Recover reads before the cursor to warm the windows.
  uint64_t max_replay_records = 1'000'000;
  // How often the cursor is written while records flow.
  absl::Duration cursor_interval = absl::Seconds(1);
  DetectorOptions detector;
  // Called (on the committer thread) with the sequence number of each alert record once it is
  // durable: the webhook dispatcher's wake-up. May be empty.
  std::function<void(uint64_t alert_seq)> on_alert_committed;
};

struct DetectionStats {
  uint64_t records_evaluated = 0;
  uint64_t alerts_raised = 0;        // Firings submitted.
  uint64_t alerts_not_recorded = 0;  // Submissions the pipeline refused (replayed on restart).
  uint64_t alert_retries = 0;        // Submissions refused by back-pressure, submitted again.
  uint64_t replayed_records = 0;     // By Recover.
  uint64_t replay_cut = 0;           // Records the replay bound left out.
  uint64_t reloads = 0;
  uint64_t reloads_refused = 0;
  uint64_t cursor = 0;
  DetectorStats detector;
};

class DetectionStage {
 public:
  // Loads the rules (INVALID_ARGUMENT "FILE:LINE:COL: ..." for a broken file: the server must
  // not start with rules it cannot read) and reads the cursor. `log`, `events` are not owned.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<DetectionStage>> Create(
      const Log* log, EventLog* events, Env* env, DetectionOptions options);
  ~DetectionStage();
  DetectionStage(const DetectionStage&) = delete;
  DetectionStage& operator=(const DetectionStage&) = delete;

  // The replay described above; submits the missed alerts to `pipeline` and waits until they are
  // durable. Call once, after the pipeline started (with on_committed = OnCommitted) and before
  // anything else appends. `pipeline` is not owned and must outlive the stage's use of it.
  [[nodiscard]] absl::Status Recover(AppendPipeline* pipeline);

  // The pipeline's on_committed.
  void OnCommitted(const CommittedRecords& batch);

  // Loads the rules path again. OK: the new rules are in force; else the old ones stay.
  [[nodiscard]] absl::Status Reload();

  DetectionStats Stats() const;

  // Writes the cursor a last time and stops the cursor thread. Call after the pipeline stopped.
  void Stop();

 private:
  DetectionStage(const Log* log, EventLog* events, Env* env, DetectionOptions options,
                 std::shared_ptr<const RuleSet> rules, uint64_t cursor);

  // Evaluates one record; raises what fires unless `suppress` says it was raised before.
  void Evaluate(const ObservedRecord& observed, const std::function<bool(const Firing&)>& suppress);
  // Counts and logs a firing; its alert record.
  v1::AuditRecord Raise(const Firing& firing);
  // Appends the alerts of the batch that starts at batch_first_seq as one request; the cursor
  // may not pass that batch until they are durable. `retry`: a resubmission after back-pressure.
  void SubmitAlerts(std::vector<v1::AuditRecord> alerts, uint64_t batch_first_seq,
                    bool retry = false);
  void OnAlertsDone(uint64_t batch_first_seq, const absl::Status& recorded,
                    const std::vector<CommittedRecord>& committed);
  void CursorLoop();
  void ReportCapHits();  // Cursor thread.
  absl::Status WriteCursor(uint64_t cursor);

  const Log* const log_;
  EventLog* const events_;
  Env* const env_;
  const DetectionOptions options_;
  detect::Detector detector_;               // Indexer thread (and Recover, before it runs).
  std::atomic<int64_t> longest_window_ns_;  // Of the rules in force.
  AppendPipeline* pipeline_ = nullptr;      // Set by Recover.

  mutable absl::Mutex mu_;
  // Batches with alerts not yet durable: first seq -> alerts outstanding. The cursor may not
  // pass the first of them.
  std::deque<std::pair<uint64_t, uint64_t>> waiting_ ABSL_GUARDED_BY(mu_);
  uint64_t evaluated_end_ ABSL_GUARDED_BY(mu_) = 0;  // Records [0, end) were evaluated.
  uint64_t written_cursor_ ABSL_GUARDED_BY(mu_) = 0;
  DetectionStats stats_ ABSL_GUARDED_BY(mu_);
  // Alerts refused by back-pressure, with their batch, for the cursor thread to submit again.
  std::vector<std::pair<std::vector<v1::AuditRecord>, uint64_t>> retry_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex reload_mu_;                              // One Reload at a time.
  std::map<std::string, uint64_t> reported_cap_hits_;  // Cursor thread only.
  std::thread cursor_writer_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_DETECTION_STAGE_H_
