// Detector: evaluates detection rules (rule_set.h) on the stream of committed records, in
// sequence order, and says which rules fire (docs/detection.md, "Rules").
//
//   Detector detector(rules, DetectorOptions());
//   for each committed record, in sequence order:
//     for (Firing& firing : detector.Observe({seq, leaf_hash, &record})) ... raise an alert
//
// Determinism: the only clock is the records' context.commit_time_ns, so observing the same
// records in the same order with the same rules gives the same firings. After a restart at log
// position P, observing the records committed within RuleSet::longest_window_ns() before P
// rebuilds the windows exactly; the firings of that replay whose last trigger is before P were
// raised before the restart.
//
// The server's own alerts are never evaluated (IsDetectorBlind): a rule cannot fire on the
// alert another rule raised, so alerts cannot loop.
//
// Memory: every rate and sequence rule holds at most its max_entries (default 100,000) window
// entries; beyond that the oldest is evicted and counted in RuleStats::cap_hits.
//
// Thread-safety: Observe must be called from one thread at a time (one thread, in sequence
// order). SetRules and Stats may be called from any thread, concurrently with Observe.
#ifndef SEALTRAIL_SERVER_DETECT_DETECTOR_H_
#define SEALTRAIL_SERVER_DETECT_DETECTOR_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sealtrail/hash.h"
#include "sealtrail/v1/audit_record.pb.h"
#include "server/detect/rule_set.h"

namespace sealtrail::detect {

// True for the records the detector never evaluates: the server's own alerts and events, every
// reserved action of server/record/record.h (kAlertAction, kIntegrityViolationAction, and
// every action starting with kReservedActionPrefix) except the denial evidence kDeniedAction,
// which rules watch (denied bursts).
bool IsDetectorBlind(std::string_view action);

// One committed record. `record` is not owned and need only live for the Observe call.
struct ObservedRecord {
  uint64_t seq = 0;
  Hash leaf_hash{};
  const v1::AuditRecord* record = nullptr;
};

// A record that made a rule fire.
struct Trigger {
  uint64_t seq = 0;
  Hash leaf_hash{};

  friend bool operator==(const Trigger&, const Trigger&) = default;
};

// A rule that fired.
struct Firing {
  std::string rule_id;
  std::string severity;  // low, medium, high or critical
  std::string kind;      // threshold, rate or sequence
  std::string description;
  std::string tenant;     // The tenant of every triggering record.
  std::string key_field;  // The field the rule keys on (rate, sequence: of the last step);
                          // empty for a threshold rule.
  std::string key_value;  // That field's value; empty for a threshold rule.
  // Commit times of the first and the last triggering record (a threshold: the one record's
  // time for both). A sequence with a `without` step: from the last record's time minus the
  // window, the span in which the missing step was looked for.
  int64_t window_start_ns = 0;
  int64_t window_end_ns = 0;
  // In sequence order, at most DetectorOptions::max_triggers: when there are more, the first
  // max_triggers - 1 and the last one. Always holds the first and the last trigger.
  std::vector<Trigger> triggers;
  uint64_t trigger_count = 0;  // All the triggering records, also those not listed.
  // A rate rule with a sum: the sum over the triggering records. A threshold rule with a
  // field: that field's value. Otherwise 0.
  int64_t sum = 0;
};

struct DetectorOptions {
  // Triggers listed per firing; less than 2 is taken as 2 (the first and the last).
  size_t max_triggers = 64;
};

// Counters of one rule, since it was installed (kept across SetRules while its definition is
// unchanged).
struct RuleStats {
  std::string rule_id;
  uint64_t evaluations = 0;  // Records evaluated (not IsDetectorBlind).
  uint64_t matches = 0;      // Records that passed the match (a sequence: any step's).
  uint64_t firings = 0;
  // Held now: a rate rule's records in windows (those a firing used, until they leave the
  // window, too); a sequence rule's keys with a partial sequence or a `without` step seen.
  uint64_t window_entries = 0;
  uint64_t cap_hits = 0;  // Entries evicted because max_entries was reached.
};

struct DetectorStats {
  std::vector<RuleStats> rules;  // In evaluation order.
  uint64_t records_observed = 0;
  uint64_t records_ignored = 0;  // IsDetectorBlind.
};

class RuleEvaluator;  // Internal (rule_evaluator.h).

class Detector {
 public:
  // `rules` may be nullptr (no rules).
  Detector(std::shared_ptr<const RuleSet> rules, DetectorOptions options);
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // Evaluates `r` against every rule, in the rule set's order; the firings in that order.
  // REQUIRES: r.record != nullptr; records in sequence order. A commit time before the previous
  // record's is taken as the previous one (commit times never go back; this keeps windows sound
  // if one did). Allocates nothing for a record that fires no rule and enters no window.
  std::vector<Firing> Observe(const ObservedRecord& r);

  // Replaces the rules from the next Observe on. A rule whose id and definition (comments and
  // layout aside) are unchanged keeps its windows and counters; every other rule starts empty.
  // nullptr means no rules.
  void SetRules(std::shared_ptr<const RuleSet> rules);

  // The installed rules' counters (a SetRules not yet taken up by an Observe is not shown).
  DetectorStats Stats() const;

 private:
  void InstallPendingRules();

  const DetectorOptions options_;

  mutable absl::Mutex pending_mu_;
  std::shared_ptr<const RuleSet> pending_ ABSL_GUARDED_BY(pending_mu_);
  std::atomic<bool> has_pending_{false};

  // Owned by the Observe thread. `published_` points at the same evaluators for Stats; it is
  // replaced (under stats_mu_) before replaced evaluators are destroyed.
  std::vector<std::unique_ptr<RuleEvaluator>> evaluators_;
  int64_t last_time_ns_ = 0;

  mutable absl::Mutex stats_mu_;
  std::vector<const RuleEvaluator*> published_ ABSL_GUARDED_BY(stats_mu_);
  // Written by the Observe thread only (so a plain load and store suffice), read by Stats.
  std::atomic<uint64_t> records_observed_{0};
  std::atomic<uint64_t> records_ignored_{0};
  std::atomic<uint64_t> records_evaluated_{0};
};

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_DETECTOR_H_
