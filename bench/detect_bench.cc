// Micro-benchmark of detection (server/detect/): the CPU cost per committed record of
// Detector::Observe with the shipped example rules of docs/rules/ loaded. The budget is 1.5 us
// per record (issue 16): detection runs on the append path.
//
//   build/bench/sealtrail_detect_bench
//   build/bench/sealtrail_detect_bench --benchmark_filter=Observe/0
//
// BM_Observe/<stream>: observes a pre-generated stream of 65,536 records, over and over, each
// with a commit time 200 us after the previous (5,000 records a second, so windows fill as they
// would on a busy server), in batches of 256 whose records are first brought into the cache
// (untimed), as the server's just-decoded records are. Reports ns_per_record (CPU time of the
// observing thread in Observe, firings and window upkeep included; the Time column is per batch),
// firings_per_record and the rules' cap_hits at the end.
//   0  realistic: 50 tenants, 5,000 actors (one in 20 a supervisor), 2,000 source IPs; mostly
//      monitoring, logins and configuration; supervisors barging and whispering (one
//      intervention in 10 by an agent); 1 % exports, one in 50 of them large; role grants;
//      2 % denied. Mostly records no rule wants, some that fire.
//   1  the load generator's records (sealtrail-bench's RecordGenerator: 10 tenants, 1,000 actors,
//      40 % barge-ins and whispers by random roles), as in docs/benchmarks.md's streaming
//      figures. Far more of them fire (every barge-in has no supervisor grant before it).
//   2  stream 0 with no rules: the cost of Observe itself.
// BM_LoadRules: parsing and compiling docs/rules/ (what a SIGHUP reload costs).
#include <time.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/record_generator.h"
#include "benchmark/benchmark.h"
#include "sealtrail/hash.h"
#include "server/detect/detector.h"
#include "server/detect/rule_set.h"

namespace {

using sealtrail::v1::AuditRecord;
using sealtrail::v1::Outcome;

constexpr size_t kStreamRecords = 65'536;
constexpr size_t kBatch = 256;  // Records per benchmark iteration; kStreamRecords is a multiple.
constexpr int64_t kRecordSpacingNs = 200'000;
// Wednesday 2026-11-18 10:00 Europe/Berlin: inside the example rules' business hours.
constexpr int64_t kStartNs = int64_t{1'794'992'400} * 1'000'000'000;

struct Action {
  const char* name;
  const char* route;
  uint32_t weight;
};

constexpr Action kActions[] = {
    {"call.monitor", "/v2/calls/{call_id}/monitor", 30},
    {"auth.login", "/v2/auth/login", 15},
    {"config.update", "/v2/queues/{queue_id}/config", 10},
    {"call.barge", "/v2/calls/{call_id}/barge", 8},
    {"call.whisper", "/v2/calls/{call_id}/whisper", 8},
    {"call.hold", "/v2/calls/{call_id}/hold", 10},
    {"recording.download", "/v2/recordings/{recording_id}", 5},
    {"data.export", "/v2/exports", 1},
    {"transcript.read", "/v2/transcripts/{transcript_id}", 4},
    {"user.role.update", "/v2/users/{user_id}/role", 2},
    {"user.list", "/v2/admin/users", 3},
};

std::vector<AuditRecord> RealisticStream() {
  std::mt19937_64 rng(16);
  uint32_t total_weight = 0;
  for (const Action& action : kActions) total_weight += action.weight;
  std::vector<AuditRecord> records;
  records.reserve(kStreamRecords);
  for (size_t i = 0; i < kStreamRecords; ++i) {
    uint32_t pick = static_cast<uint32_t>(rng() % total_weight);
    const Action* action = &kActions[0];
    for (const Action& candidate : kActions) {
      if (pick < candidate.weight) {
        action = &candidate;
        break;
      }
      pick -= candidate.weight;
    }
    const std::string_view name = action->name;
    const bool intervention = name == "call.barge" || name == "call.whisper";
    // Interventions are a supervisor's (actors 0, 20, 40, ...), one in ten an agent's.
    uint32_t actor = static_cast<uint32_t>(rng() % 5000);
    if (intervention && rng() % 10 != 0) actor -= actor % 20;
    AuditRecord& record = records.emplace_back();
    record.mutable_actor()->set_user_id(absl::StrCat("agent-", actor));
    record.mutable_actor()->set_role(actor % 20 == 0 ? "supervisor" : "agent");
    record.mutable_actor()->set_service("cx-api");
    record.mutable_actor()->set_verified(true);
    record.mutable_action()->set_name(action->name);
    record.mutable_action()->set_method(name == "data.export" ? "POST" : "GET");
    record.mutable_action()->set_route(action->route);
    record.mutable_action()->set_resource_id(absl::StrCat("res-", rng() % 100000));
    record.mutable_context()->set_tenant_id(absl::StrCat("tenant-", actor % 50));
    record.mutable_context()->set_source_ip(
        absl::StrCat("10.", (actor % 2000) / 250, ".", actor % 250, ".7"));
    record.mutable_context()->set_session_id(absl::StrCat("sess-", rng()));
    const uint32_t roll = static_cast<uint32_t>(rng() % 100);
    record.mutable_outcome()->set_result(roll < 96   ? Outcome::SUCCESS
                                         : roll < 98 ? Outcome::FAILURE
                                                     : Outcome::DENIED);
    if (name == "data.export") {
      record.mutable_details()->set_row_count(rng() % 50 == 0 ? 60000
                                                              : static_cast<int64_t>(rng() % 2000));
      record.mutable_details()->set_data_class("pii");
    } else if (name == "user.role.update") {
      // Grants the supervisor role to a supervisor (just in time), rarely admin to anyone.
      const uint32_t target = static_cast<uint32_t>(rng() % 5000);
      record.mutable_action()->set_resource_id(absl::StrCat("agent-", target - target % 20));
      record.mutable_details()->set_new_value(rng() % 20 == 0 ? "admin" : "supervisor");
    }
    (*record.mutable_details()->mutable_attributes())["queue"] = absl::StrCat("q-", rng() % 40);
  }
  return records;
}

std::vector<AuditRecord> LoadGeneratorStream() {
  sealtrail::bench::RecordGenerator generator(sealtrail::bench::RecordShape(), 42);
  std::vector<AuditRecord> records;
  records.reserve(kStreamRecords);
  for (size_t i = 0; i < kStreamRecords; ++i) records.push_back(generator.Next(i % 1000));
  return records;
}

std::shared_ptr<const sealtrail::detect::RuleSet> ShippedRules(benchmark::State& state) {
  absl::StatusOr<std::shared_ptr<const sealtrail::detect::RuleSet>> rules =
      sealtrail::detect::LoadRules(SEALTRAIL_RULES_DIR);
  if (!rules.ok()) {
    state.SkipWithError(rules.status().ToString().c_str());
    return nullptr;
  }
  return *rules;
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void BM_Observe(benchmark::State& state) {
  const int stream = static_cast<int>(state.range(0));
  std::vector<AuditRecord> records = stream == 1 ? LoadGeneratorStream() : RealisticStream();
  std::shared_ptr<const sealtrail::detect::RuleSet> rules;
  if (stream != 2) {
    rules = ShippedRules(state);
    if (rules == nullptr) return;
  }
  std::vector<sealtrail::Hash> leaf_hashes(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    leaf_hashes[i] = sealtrail::HashLeaf(records[i].SerializeAsString());
  }
  sealtrail::detect::Detector detector(rules, sealtrail::detect::DetectorOptions());
  uint64_t seq = 0;
  uint64_t firings = 0;
  int64_t now_ns = kStartNs;
  double observe_seconds = 0;
  std::string scratch;
  for (auto _ : state) {
    // Untimed: the batch's records are brought into the cache, as the server's are (it has just
    // decoded them), and given their commit times.
    const size_t first = seq % records.size();
    for (size_t j = 0; j < kBatch; ++j) {
      AuditRecord& record = records[first + j];
      record.mutable_context()->set_commit_time_ns(now_ns +
                                                   static_cast<int64_t>(j) * kRecordSpacingNs);
      record.SerializeToString(&scratch);
    }
    const double start = ThreadCpuSeconds();
    for (size_t j = 0; j < kBatch; ++j) {
      const std::vector<sealtrail::detect::Firing> fired =
          detector.Observe({seq + j, leaf_hashes[first + j], &records[first + j]});
      firings += fired.size();
      benchmark::DoNotOptimize(fired.data());
    }
    const double elapsed = ThreadCpuSeconds() - start;
    state.SetIterationTime(elapsed);
    observe_seconds += elapsed;
    seq += kBatch;
    now_ns += static_cast<int64_t>(kBatch) * kRecordSpacingNs;
  }
  const double observed = static_cast<double>(seq);
  state.SetItemsProcessed(static_cast<int64_t>(seq));
  state.counters["ns_per_record"] = observe_seconds * 1e9 / observed;
  state.counters["firings_per_record"] = static_cast<double>(firings) / observed;
  uint64_t cap_hits = 0;
  for (const sealtrail::detect::RuleStats& rule : detector.Stats().rules) {
    cap_hits += rule.cap_hits;
  }
  state.counters["cap_hits"] = static_cast<double>(cap_hits);
}

BENCHMARK(BM_Observe)->Arg(0)->Arg(1)->Arg(2)->UseManualTime()->MinTime(2.0);

void BM_LoadRules(benchmark::State& state) {
  for (auto _ : state) {
    std::shared_ptr<const sealtrail::detect::RuleSet> rules = ShippedRules(state);
    benchmark::DoNotOptimize(rules);
  }
}

BENCHMARK(BM_LoadRules)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
