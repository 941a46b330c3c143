#include "server/service/detection_stage.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"
#include "server/service/alert_record.h"
#include "server/service/small_files.h"

namespace sealtrail {
namespace {

constexpr absl::string_view kCursorHeader = "sealtrail detect cursor v1\n";
// How long Recover waits for the alerts it raised to be durable.
constexpr absl::Duration kRecoverAlertWait = absl::Seconds(30);

std::string CursorPath(const std::string& data_dir) {
  return absl::StrCat(data_dir, "/", kDetectCursorFile);
}

// The cursor file's value; NOT_FOUND if there is none.
absl::StatusOr<uint64_t> ReadCursor(Env* env, const std::string& data_dir) {
  const std::string path = CursorPath(data_dir);
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(env, path, 256, "the detection cursor"));
  absl::string_view rest = text;
  uint64_t cursor = 0;
  if (!absl::ConsumePrefix(&rest, kCursorHeader) || !absl::ConsumeSuffix(&rest, "\n") ||
      rest.empty() || !std::all_of(rest.begin(), rest.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(rest, &cursor)) {
    return absl::DataLossError(absl::StrCat(
        path, ": not a detection cursor (expected \"", absl::StripSuffix(kCursorHeader, "\n"),
        "\" and a sequence number); delete it to start detection at the log's end"));
  }
  return cursor;
}

absl::StatusOr<v1::AuditRecord> ReadRecord(const Log& log, uint64_t seq) {
  ASSIGN_OR_RETURN(std::string bytes, log.Read(seq));
  return ParseStoredRecord(bytes);
}

// The first seq in [lo, hi) whose commit time is at least `time_ns` (hi if none): commit times
// never decrease along the log, so a binary search finds it in log2(hi - lo) reads.
absl::StatusOr<uint64_t> FirstAtOrAfter(const Log& log, uint64_t lo, uint64_t hi, int64_t time_ns) {
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    ASSIGN_OR_RETURN(v1::AuditRecord record, ReadRecord(log, mid));
    if (record.context().commit_time_ns() < time_ns) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

using AlertKey = std::pair<std::string, uint64_t>;  // Rule id, last trigger's seq.

}  // namespace

absl::StatusOr<std::unique_ptr<DetectionStage>> DetectionStage::Create(const Log* log,
                                                                       EventLog* events, Env* env,
                                                                       DetectionOptions options) {
  if (env == nullptr) env = Env::Default();
  if (options.rules_path.empty()) return absl::InvalidArgumentError("no rules path");
  ASSIGN_OR_RETURN(std::shared_ptr<const RuleSet> rules,
                   detect::LoadRules(options.rules_path, env));
  uint64_t cursor = log->Size();
  absl::StatusOr<uint64_t> stored = ReadCursor(env, options.data_dir);
  bool fresh = false;
  if (stored.ok()) {
    cursor = *stored;
  } else if (absl::IsNotFound(stored.status())) {
    fresh = true;
  } else {
    return stored.status();
  }
  if (cursor > log->Size()) {
    // Only a data directory pieced together from two logs gets here; evaluating from the end
    // raises nothing twice.
    events->Warning("detect_cursor_beyond_log", {{"cursor", cursor}, {"records", log->Size()}});
    cursor = log->Size();
  }
  events->Info("rules_loaded", {{"path", options.rules_path},
                                {"rules", static_cast<uint64_t>(rules->size())},
                                {"cursor", cursor}});
  auto stage = std::unique_ptr<DetectionStage>(
      new DetectionStage(log, events, env, std::move(options), std::move(rules), cursor));
  if (fresh) RETURN_IF_ERROR(stage->WriteCursor(cursor));
  return stage;
}

DetectionStage::DetectionStage(const Log* log, EventLog* events, Env* env, DetectionOptions options,
                               std::shared_ptr<const RuleSet> rules, uint64_t cursor)
    : log_(log),
      events_(events),
      env_(env),
      options_(std::move(options)),
      detector_(rules, options_.detector),
      longest_window_ns_(rules->longest_window_ns()) {
  evaluated_end_ = cursor;
  written_cursor_ = cursor;
  stats_.cursor = cursor;
  cursor_writer_ = std::thread([this] { CursorLoop(); });
}

DetectionStage::~DetectionStage() { Stop(); }

absl::Status DetectionStage::Recover(AppendPipeline* pipeline) {
  pipeline_ = pipeline;
  uint64_t cursor;
  {
    absl::MutexLock lock(&mu_);
    cursor = evaluated_end_;
  }
  const uint64_t end = log_->Size();
  // Even after a clean stop (cursor == end) the windows are warmed: a burst that spans a
  // restart must still add up.

  // Alerts already raised about records from the cursor on (their cursor was not yet written).
  std::set<AlertKey> raised;
  for (uint64_t seq = cursor; seq < end; ++seq) {
    ASSIGN_OR_RETURN(v1::AuditRecord record, ReadRecord(*log_, seq));
    if (record.action().name() != kAlertAction) continue;
    absl::StatusOr<AlertFacts> facts = AlertFactsOf(record);
    if (facts.ok() && !facts->triggers.empty()) {
      raised.emplace(facts->rule_id, facts->triggers.back().seq);
    }
  }

  // Warm the windows with the longest window's worth of records before the cursor.
  uint64_t start = cursor;
  uint64_t cut = 0;
  if (cursor > 0) {
    ASSIGN_OR_RETURN(v1::AuditRecord last, ReadRecord(*log_, cursor - 1));
    const int64_t window_ns = longest_window_ns_.load();
    const int64_t from_ns = last.context().commit_time_ns() - window_ns;
    ASSIGN_OR_RETURN(uint64_t wanted, FirstAtOrAfter(*log_, 0, cursor, from_ns));
    const uint64_t lowest =
        cursor > options_.max_replay_records ? cursor - options_.max_replay_records : 0;
    start = std::max(wanted, lowest);
    cut = start - wanted;
  }
  if (cut > 0) {
    events_->Warning("detect_replay_cut",
                     {{"records_left_out", cut},
                      {"note", "windows before the replay bound start empty after the restart"}});
  }

  std::vector<Firing> missed;
  for (uint64_t seq = start; seq < end; ++seq) {
    ASSIGN_OR_RETURN(v1::AuditRecord record, ReadRecord(*log_, seq));
    ASSIGN_OR_RETURN(Hash leaf_hash, log_->LeafHash(seq));
    for (Firing& firing : detector_.Observe(ObservedRecord{seq, leaf_hash, &record})) {
      if (firing.triggers.empty()) continue;
      const uint64_t last = firing.triggers.back().seq;
      if (last < cursor || raised.contains({firing.rule_id, last})) continue;
      missed.push_back(std::move(firing));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    stats_.replayed_records = end - start;
    stats_.replay_cut = cut;
    stats_.records_evaluated += end - std::min(cursor, end);
    evaluated_end_ = std::max(evaluated_end_, end);
  }
  events_->Info("detect_recovered", {{"replayed_from", start},
                                     {"cursor", cursor},
                                     {"records", end},
                                     {"alerts_raised", static_cast<uint64_t>(missed.size())}});
  std::vector<v1::AuditRecord> alerts;
  for (const Firing& firing : missed) alerts.push_back(Raise(firing));
  if (!alerts.empty()) SubmitAlerts(std::move(alerts), cursor);
  // The server takes calls only once these are durable: a crash now replays them again.
  absl::MutexLock lock(&mu_);
  auto settled = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return waiting_.empty() || waiting_.front().second == 0 || stopping_;
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&settled), kRecoverAlertWait)) {
    return absl::UnavailableError("the alerts raised on recovery were not durable within 30 s");
  }
  return absl::OkStatus();
}

void DetectionStage::OnCommitted(const CommittedRecords& batch) {
  std::vector<v1::AuditRecord> alerts;
  for (size_t i = 0; i < batch.records.size(); ++i) {
    const uint64_t seq = batch.first_seq + i;
    for (const Firing& firing :
         detector_.Observe(ObservedRecord{seq, batch.leaf_hashes[i], &batch.records[i]})) {
      alerts.push_back(Raise(firing));
    }
  }
  // One request for the batch's alerts: a burst that fires on many records costs the pipeline
  // one more request, not one per alert.
  if (!alerts.empty()) SubmitAlerts(std::move(alerts), batch.first_seq);
  absl::MutexLock lock(&mu_);
  stats_.records_evaluated += batch.records.size();
  evaluated_end_ = std::max(evaluated_end_, batch.first_seq + batch.records.size());
}

v1::AuditRecord DetectionStage::Raise(const Firing& firing) {
  {
    absl::MutexLock lock(&mu_);
    ++stats_.alerts_raised;
  }
  events_->Warning("alert_raised", {{"rule", firing.rule_id},
                                    {"severity", firing.severity},
                                    {"tenant", firing.tenant},
                                    {"triggers", firing.trigger_count}});
  return AlertRecord(firing);
}

void DetectionStage::SubmitAlerts(std::vector<v1::AuditRecord> alerts, uint64_t batch_first_seq,
                                  bool retry) {
  if (!retry) {
    absl::MutexLock lock(&mu_);
    if (!waiting_.empty() && waiting_.back().first == batch_first_seq) {
      ++waiting_.back().second;
    } else {
      waiting_.emplace_back(batch_first_seq, 1);
    }
  }
  if (pipeline_ == nullptr) {
    OnAlertsDone(batch_first_seq, absl::UnavailableError("no pipeline"), {});
    return;
  }
  std::vector<v1::AuditRecord> records = alerts;
  pipeline_->Submit(std::move(records),
                    [this, batch_first_seq, alerts = std::move(alerts)](
                        absl::StatusOr<std::vector<CommittedRecord>> done) mutable {
                      if (absl::IsResourceExhausted(done.status())) {
                        // Back-pressure: appenders are told to retry later, and so are the alerts;
                        // the cursor thread submits them again.
                        absl::MutexLock lock(&mu_);
                        ++stats_.alert_retries;
                        retry_.emplace_back(std::move(alerts), batch_first_seq);
                        return;
                      }
                      if (!done.ok()) {
                        events_->Error("alert_not_recorded",
                                       {{"alerts", static_cast<uint64_t>(alerts.size())},
                                        {"rule", alerts.front().details().attributes().at("rule")},
                                        {"error", done.status().ToString()},
                                        {"note", "raised again from the log on restart"}});
                        OnAlertsDone(batch_first_seq, done.status(), {});
                        return;
                      }
                      OnAlertsDone(batch_first_seq, absl::OkStatus(), *done);
                    });
}

void DetectionStage::OnAlertsDone(uint64_t batch_first_seq, const absl::Status& recorded,
                                  const std::vector<CommittedRecord>& committed) {
  {
    absl::MutexLock lock(&mu_);
    if (!recorded.ok()) {
      // Its batch stays in waiting_ for good: the cursor never passes it, so a restart's
      // replay raises this alert again.
      ++stats_.alerts_not_recorded;
    } else {
      for (auto& [first, outstanding] : waiting_) {
        if (first == batch_first_seq && outstanding > 0) {
          --outstanding;
          break;
        }
      }
      while (!waiting_.empty() && waiting_.front().second == 0) waiting_.pop_front();
    }
  }
  if (recorded.ok() && options_.on_alert_committed) {
    for (const CommittedRecord& alert : committed) options_.on_alert_committed(alert.seq);
  }
}

absl::Status DetectionStage::Reload() {
  absl::MutexLock reload_lock(&reload_mu_);
  absl::StatusOr<std::shared_ptr<const RuleSet>> rules =
      detect::LoadRules(options_.rules_path, env_);
  absl::MutexLock lock(&mu_);
  ++stats_.reloads;
  if (!rules.ok()) {
    ++stats_.reloads_refused;
    events_->Error("rules_refused", {{"path", options_.rules_path},
                                     {"error", rules.status().ToString()},
                                     {"note", "the rules in force stay"}});
    return rules.status();
  }
  events_->Info("rules_reloaded", {{"path", options_.rules_path},
                                   {"rules", static_cast<uint64_t>((*rules)->size())}});
  longest_window_ns_.store((*rules)->longest_window_ns());
  detector_.SetRules(*std::move(rules));
  return absl::OkStatus();
}

DetectionStats DetectionStage::Stats() const {
  DetectionStats stats;
  {
    absl::MutexLock lock(&mu_);
    stats = stats_;
    stats.cursor = written_cursor_;
  }
  stats.detector = detector_.Stats();
  return stats;
}

absl::Status DetectionStage::WriteCursor(uint64_t cursor) {
  return WriteFileAtomically(env_, options_.data_dir, CursorPath(options_.data_dir),
                             absl::StrCat(kCursorHeader, cursor, "\n"));
}

void DetectionStage::CursorLoop() {
  while (true) {
    uint64_t cursor;
    bool stopping;
    std::vector<std::pair<std::vector<v1::AuditRecord>, uint64_t>> retry;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.cursor_interval);
      stopping = stopping_;
      retry.swap(retry_);
      cursor = waiting_.empty() ? evaluated_end_ : waiting_.front().first;
    }
    // Outside mu_: a refusal calls back at once.
    for (auto& [alerts, batch_first_seq] : retry) {
      SubmitAlerts(std::move(alerts), batch_first_seq, /*retry=*/true);
    }
    ReportCapHits();
    {
      absl::MutexLock lock(&mu_);
      if (cursor == written_cursor_) {
        if (stopping) return;
        continue;
      }
    }
    absl::Status written = WriteCursor(cursor);
    {
      absl::MutexLock lock(&mu_);
      if (written.ok()) {
        written_cursor_ = cursor;
      }
    }
    if (!written.ok()) {
      // Not fatal: a stale cursor only makes the next start replay more.
      events_->Error("detect_cursor_write_failed", {{"error", written.ToString()}});
    }
    if (stopping) return;
  }
}

void DetectionStage::ReportCapHits() {
  // A window that hit its cap forgot its oldest entries: the operator must hear of it (a rate
  // may then fire later than it should), once per interval in which it grew.
  for (const detect::RuleStats& rule : detector_.Stats().rules) {
    uint64_t& reported = reported_cap_hits_[rule.rule_id];
    if (rule.cap_hits > reported) {
      events_->Warning("detect_window_cap_hit", {{"rule", rule.rule_id},
                                                 {"cap_hits", rule.cap_hits},
                                                 {"since_last_report", rule.cap_hits - reported},
                                                 {"window_entries", rule.window_entries}});
    }
    reported = rule.cap_hits;
  }
}

void DetectionStage::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !cursor_writer_.joinable()) return;
    stopping_ = true;
  }
  if (cursor_writer_.joinable()) cursor_writer_.join();
}

}  // namespace sealtrail
