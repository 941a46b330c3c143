// The Detector (server/detect/detector.h): rate windows, sums and re-arming, sequences of 2 and
// 3 steps and the negative form, per-tenant keys, bounded windows (cap hits counted), SetRules
// keeping the windows of unchanged rules, determinism, and the server's own alerts ignored.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "detect_testing/detect_stream.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/detect/detector.h"
#include "server/detect/rule_set.h"
#include "testing/status_matchers.h"

namespace sealtrail::detect {
namespace {

using ::sealtrail::testing::DetectStream;
using ::sealtrail::testing::kHour;
using ::sealtrail::testing::kMinute;
using ::sealtrail::testing::kSecond;
using ::sealtrail::testing::kWednesdayMorning;
using ::sealtrail::testing::RecordBuilder;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int64_t kT0 = kWednesdayMorning;

std::shared_ptr<const RuleSet> Rules(const std::string& yaml) {
  absl::StatusOr<std::shared_ptr<const RuleSet>> rules = ParseRules(yaml, "test.yaml");
  EXPECT_TRUE(rules.ok()) << rules.status();
  return rules.ok() ? *rules : nullptr;
}

RuleStats StatsOf(const Detector& detector, const std::string& id) {
  for (const RuleStats& stats : detector.Stats().rules) {
    if (stats.rule_id == id) return stats;
  }
  ADD_FAILURE() << "no stats for " << id;
  return {};
}

std::vector<uint64_t> Seqs(const Firing& firing) {
  std::vector<uint64_t> seqs;
  for (const Trigger& trigger : firing.triggers) seqs.push_back(trigger.seq);
  return seqs;
}

constexpr char kDeniedRate[] = R"(
rules:
  - id: denied
    severity: medium
    description: Denied burst
    match: {outcome: DENIED}
    rate: {key: actor, window: 60s, at_least: 3}
)";

TEST(DetectDetectorTest, RateFiresAtTheCountAndRearms) {
  Detector detector(Rules(kDeniedRate), DetectorOptions());
  DetectStream stream(&detector);
  EXPECT_THAT(stream.Feed(RecordBuilder("call.barge").Denied().At(kT0)), IsEmpty());
  EXPECT_THAT(stream.Feed(RecordBuilder("call.barge").At(kT0 + 1)), IsEmpty());  // SUCCESS
  EXPECT_THAT(stream.Feed(RecordBuilder("call.barge").Denied().At(kT0 + 10 * kSecond)), IsEmpty());
  const std::vector<Firing> firings =
      stream.Feed(RecordBuilder("call.barge").Denied().At(kT0 + 20 * kSecond));
  ASSERT_THAT(firings, SizeIs(1));
  const Firing& firing = firings[0];
  EXPECT_EQ(firing.rule_id, "denied");
  EXPECT_EQ(firing.severity, "medium");
  EXPECT_EQ(firing.kind, "rate");
  EXPECT_EQ(firing.description, "Denied burst");
  EXPECT_EQ(firing.tenant, "acme");
  EXPECT_EQ(firing.key_field, "actor");
  EXPECT_EQ(firing.key_value, "agent-1");
  EXPECT_EQ(firing.window_start_ns, kT0);
  EXPECT_EQ(firing.window_end_ns, kT0 + 20 * kSecond);
  EXPECT_THAT(Seqs(firing), ElementsAre(0, 2, 3));
  EXPECT_EQ(firing.trigger_count, 3u);
  // Re-armed: the next two refusals are not enough, the third is.
  EXPECT_THAT(stream.Feed(RecordBuilder("x").Denied().At(kT0 + 21 * kSecond)), IsEmpty());
  EXPECT_THAT(stream.Feed(RecordBuilder("x").Denied().At(kT0 + 22 * kSecond)), IsEmpty());
  ASSERT_THAT(stream.Feed(RecordBuilder("x").Denied().At(kT0 + 23 * kSecond)), SizeIs(1));
  EXPECT_THAT(Seqs(stream.all()[1]), ElementsAre(4, 5, 6));
  const RuleStats stats = StatsOf(detector, "denied");
  EXPECT_EQ(stats.evaluations, 7u);
  EXPECT_EQ(stats.matches, 6u);
  EXPECT_EQ(stats.firings, 2u);
  EXPECT_EQ(stats.cap_hits, 0u);
}

TEST(DetectDetectorTest, RateWindowSlidesAndIsInclusiveOfItsLength) {
  Detector detector(Rules(kDeniedRate), DetectorOptions());
  DetectStream stream(&detector);
  stream.Feed(RecordBuilder("x").Denied().At(kT0));
  stream.Feed(RecordBuilder("x").Denied().At(kT0 + 30 * kSecond));
  // 60 s and 1 ns after the first: it has left the window.
  EXPECT_THAT(stream.Feed(RecordBuilder("x").Denied().At(kT0 + 60 * kSecond + 1)), IsEmpty());
  // Exactly 60 s after the second: still in.
  ASSERT_THAT(stream.Feed(RecordBuilder("x").Denied().At(kT0 + 90 * kSecond)), SizeIs(1));
  EXPECT_THAT(Seqs(stream.all()[0]), ElementsAre(1, 2, 3));
}

TEST(DetectDetectorTest, RateKeysArePerTenantAndRecordsWithoutAKeyAreSkipped) {
  Detector detector(Rules(R"(
rules:
  - id: by-ip
    severity: low
    match: {outcome: DENIED}
    rate: {key: source_ip, window: 1m, at_least: 2}
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  EXPECT_THAT(stream.Feed(RecordBuilder("x").Denied().Tenant("a").SourceIp("192.0.2.1")),
              IsEmpty());
  EXPECT_THAT(stream.Feed(RecordBuilder("x").Denied().Tenant("b").SourceIp("192.0.2.1")),
              IsEmpty());
  EXPECT_THAT(stream.Feed(RecordBuilder("x").Denied().Tenant("a")), IsEmpty());  // no IP
  EXPECT_THAT(stream.Feed(RecordBuilder("x").Denied().Tenant("a")), IsEmpty());
  const std::vector<Firing> firings =
      stream.Feed(RecordBuilder("x").Denied().Tenant("b").SourceIp("192.0.2.1"));
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].tenant, "b");
  EXPECT_EQ(firings[0].key_field, "source_ip");
  EXPECT_EQ(firings[0].key_value, "192.0.2.1");
  EXPECT_THAT(Seqs(firings[0]), ElementsAre(1, 4));
}

TEST(DetectDetectorTest, RateWithSumFiresWhenBothHold) {
  Detector detector(Rules(R"(
rules:
  - id: exports
    severity: high
    match: {action: data.export}
    rate: {key: actor, window: 10m, at_least: 3, sum: {field: row_count, above: 1000}}
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  EXPECT_THAT(stream.Feed(RecordBuilder("data.export").RowCount(900).At(kT0)), IsEmpty());
  // Sum above 1000, but only 2 records.
  EXPECT_THAT(stream.Feed(RecordBuilder("data.export").RowCount(200).At(kT0 + kMinute)), IsEmpty());
  const std::vector<Firing> firings =
      stream.Feed(RecordBuilder("data.export").RowCount(1).At(kT0 + 2 * kMinute));
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].sum, 1101);
  // Three more, summing exactly 1000: not above.
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(
        stream.Feed(
            RecordBuilder("data.export").RowCount(i == 0 ? 998 : 1).At(kT0 + (3 + i) * kMinute)),
        IsEmpty());
  }
}

TEST(DetectDetectorTest, RateOnASumAloneCountsFromOneRecord) {
  Detector detector(Rules(R"(
rules:
  - id: rows
    severity: high
    match: {action: data.export}
    rate: {key: tenant, window: 1h, sum: {field: attributes.rows, above: 10}}
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  EXPECT_THAT(stream.Feed(RecordBuilder("data.export").Attribute("rows", "6")), IsEmpty());
  EXPECT_THAT(stream.Feed(RecordBuilder("data.export").Attribute("rows", "many")), IsEmpty());
  const std::vector<Firing> firings =
      stream.Feed(RecordBuilder("data.export").Actor("someone-else").Attribute("rows", "5"));
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].key_field, "tenant");
  EXPECT_EQ(firings[0].key_value, "acme");
  EXPECT_EQ(firings[0].sum, 11);
  EXPECT_EQ(firings[0].trigger_count, 3u);
}

TEST(DetectDetectorTest, TriggersAreCappedKeepingTheFirstAndTheLast) {
  Detector detector(Rules(R"(
rules:
  - id: many
    severity: low
    rate: {key: actor, window: 1h, at_least: 100}
)"),
                    DetectorOptions{.max_triggers = 8});
  DetectStream stream(&detector);
  for (int i = 0; i < 99; ++i) ASSERT_THAT(stream.Feed(RecordBuilder("x").At(kT0 + i)), IsEmpty());
  const std::vector<Firing> firings = stream.Feed(RecordBuilder("x").At(kT0 + 99));
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].trigger_count, 100u);
  EXPECT_THAT(Seqs(firings[0]), ElementsAre(0, 1, 2, 3, 4, 5, 6, 99));
  EXPECT_EQ(firings[0].window_start_ns, kT0);
}

TEST(DetectDetectorTest, RateWindowCapEvictsTheOldestAndCountsIt) {
  Detector detector(Rules(R"(
rules:
  - id: capped
    severity: low
    rate: {key: actor, window: 1h, at_least: 3, max_entries: 4}
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  // agent-a twice, then four other actors push both of agent-a's records out.
  stream.Feed(RecordBuilder("x").Actor("agent-a").At(kT0));
  stream.Feed(RecordBuilder("x").Actor("agent-a").At(kT0 + 1));
  for (int i = 0; i < 4; ++i) {
    stream.Feed(RecordBuilder("x").Actor("other-" + std::to_string(i)).At(kT0 + 2 + i));
  }
  RuleStats stats = StatsOf(detector, "capped");
  EXPECT_EQ(stats.cap_hits, 2u);
  EXPECT_EQ(stats.window_entries, 4u);
  // agent-a's third record finds an empty window: no firing.
  EXPECT_THAT(stream.Feed(RecordBuilder("x").Actor("agent-a").At(kT0 + 10)), IsEmpty());
  stats = StatsOf(detector, "capped");
  EXPECT_EQ(stats.cap_hits, 3u);
  EXPECT_EQ(stats.window_entries, 4u);
  // Records leaving the window are not cap hits.
  stream.Feed(RecordBuilder("x").Actor("late").At(kT0 + 2 * kHour));
  stats = StatsOf(detector, "capped");
  EXPECT_EQ(stats.cap_hits, 3u);
  EXPECT_EQ(stats.window_entries, 1u);
}

TEST(DetectDetectorTest, RateCapHoldsWhateverTheNumberOfKeys) {
  Detector detector(Rules(R"(
rules:
  - id: capped
    severity: low
    rate: {key: actor, window: 1h, at_least: 2, max_entries: 100}
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_THAT(stream.Feed(RecordBuilder("x").Actor("actor-" + std::to_string(i)).At(kT0 + i)),
                IsEmpty());
  }
  const RuleStats stats = StatsOf(detector, "capped");
  EXPECT_EQ(stats.window_entries, 100u);
  EXPECT_EQ(stats.cap_hits, 4900u);
}

constexpr char kThreeSteps[] = R"(
rules:
  - id: three
    severity: critical
    sequence:
      key: actor
      window: 15m
      steps:
        - match: {action: a}
        - match: {action: b}
        - match: {action: c}
)";

TEST(DetectDetectorTest, SequenceOfThreeStepsFiresInOrderWithinTheWindow) {
  Detector detector(Rules(kThreeSteps), DetectorOptions());
  DetectStream stream(&detector);
  stream.Feed(RecordBuilder("a").At(kT0));                                 // 0
  stream.Feed(RecordBuilder("c").At(kT0 + kMinute));                       // 1: too early
  stream.Feed(RecordBuilder("b").At(kT0 + 2 * kMinute));                   // 2
  stream.Feed(RecordBuilder("x").At(kT0 + 3 * kMinute));                   // 3
  stream.Feed(RecordBuilder("b").Actor("agent-2").At(kT0 + 4 * kMinute));  // 4: another key
  const std::vector<Firing> firings = stream.Feed(RecordBuilder("c").At(kT0 + 15 * kMinute));
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].kind, "sequence");
  EXPECT_EQ(firings[0].key_field, "actor");
  EXPECT_EQ(firings[0].key_value, "agent-1");
  EXPECT_THAT(Seqs(firings[0]), ElementsAre(0, 2, 5));
  EXPECT_EQ(firings[0].window_start_ns, kT0);
  EXPECT_EQ(firings[0].window_end_ns, kT0 + 15 * kMinute);
  EXPECT_EQ(StatsOf(detector, "three").matches, 5u);
}

TEST(DetectDetectorTest, SequenceOutOfOrderOrTooSlowDoesNotFire) {
  Detector detector(Rules(kThreeSteps), DetectorOptions());
  DetectStream stream(&detector);
  stream.Feed(RecordBuilder("a").At(kT0));
  stream.Feed(RecordBuilder("c").At(kT0 + kMinute));
  stream.Feed(RecordBuilder("b").At(kT0 + 2 * kMinute));
  // 15 minutes and 1 ns after the a: too late.
  EXPECT_THAT(stream.Feed(RecordBuilder("c").At(kT0 + 15 * kMinute + 1)), IsEmpty());
  // A newer a starts a chain with more window left: a b c again fires.
  stream.Feed(RecordBuilder("a").At(kT0 + 16 * kMinute));
  stream.Feed(RecordBuilder("b").At(kT0 + 17 * kMinute));
  EXPECT_THAT(stream.Feed(RecordBuilder("c").At(kT0 + 18 * kMinute)), SizeIs(1));
}

TEST(DetectDetectorTest, SequenceKeepsTheLatestStartAndRearmsAfterFiring) {
  Detector detector(Rules(R"(
rules:
  - id: two
    severity: high
    sequence:
      key: actor
      window: 10m
      steps:
        - match: {action: a}
        - match: {action: b}
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  stream.Feed(RecordBuilder("a").At(kT0));                // 0
  stream.Feed(RecordBuilder("a").At(kT0 + 8 * kMinute));  // 1: the later start wins
  const std::vector<Firing> firings = stream.Feed(RecordBuilder("b").At(kT0 + 12 * kMinute));
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_THAT(Seqs(firings[0]), ElementsAre(1, 2));
  // Re-armed: a second b has no a of its own.
  EXPECT_THAT(stream.Feed(RecordBuilder("b").At(kT0 + 13 * kMinute)), IsEmpty());
  stream.Feed(RecordBuilder("a").At(kT0 + 14 * kMinute));
  EXPECT_THAT(stream.Feed(RecordBuilder("b").At(kT0 + 15 * kMinute)), SizeIs(1));
}

TEST(DetectDetectorTest, ARecordNeverServesTwoStepsOfOneSequence) {
  Detector detector(Rules(R"(
rules:
  - id: any-then-export
    severity: high
    sequence:
      key: actor
      window: 10m
      steps:
        - match: {}
        - match: {action: data.export}
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  // Every export matches both steps. The first is only a first step (it cannot also complete
  // the sequence it starts); the second completes it and, having fired, starts nothing; the
  // third starts a new sequence, which the fourth completes.
  EXPECT_THAT(stream.Feed(RecordBuilder("data.export").At(kT0)), IsEmpty());
  ASSERT_THAT(stream.Feed(RecordBuilder("data.export").At(kT0 + 1)), SizeIs(1));
  EXPECT_THAT(Seqs(stream.all()[0]), ElementsAre(0, 1));
  EXPECT_THAT(stream.Feed(RecordBuilder("data.export").At(kT0 + 2)), IsEmpty());
  ASSERT_THAT(stream.Feed(RecordBuilder("data.export").At(kT0 + 3)), SizeIs(1));
  EXPECT_THAT(Seqs(stream.all()[1]), ElementsAre(2, 3));
}

TEST(DetectDetectorTest, SequenceStepsMayKeyOnDifferentFields) {
  Detector detector(Rules(R"(
rules:
  - id: grant-then-export
    severity: critical
    sequence:
      window: 15m
      steps:
        - match: {action: user.role.update, new_value: admin}
          key: resource_id
        - match: {action: data.export}
          key: actor
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  stream.Feed(
      RecordBuilder("user.role.update").Actor("root").ResourceId("agent-7").NewValue("admin"));
  EXPECT_THAT(stream.Feed(RecordBuilder("data.export").Actor("root")), IsEmpty());
  const std::vector<Firing> firings = stream.Feed(RecordBuilder("data.export").Actor("agent-7"));
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].key_field, "actor");
  EXPECT_EQ(firings[0].key_value, "agent-7");
  EXPECT_THAT(Seqs(firings[0]), ElementsAre(0, 2));
}

constexpr char kWithout[] = R"(
rules:
  - id: b-without-a
    severity: high
    sequence:
      key: actor
      window: 1h
      steps:
        - without: {action: a}
        - match: {action: b}
)";

TEST(DetectDetectorTest, NegativeSequenceFiresOnBWithoutAPrecedingA) {
  Detector detector(Rules(kWithout), DetectorOptions());
  DetectStream stream(&detector);
  const std::vector<Firing> firings = stream.Feed(RecordBuilder("b").At(kT0));
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_THAT(Seqs(firings[0]), ElementsAre(0));
  EXPECT_EQ(firings[0].window_start_ns, kT0 - kHour);
  EXPECT_EQ(firings[0].window_end_ns, kT0);
  EXPECT_EQ(firings[0].trigger_count, 1u);
  // An a, then b within the hour: nothing, also for the next b.
  stream.Feed(RecordBuilder("a").At(kT0 + kMinute));
  EXPECT_THAT(stream.Feed(RecordBuilder("b").At(kT0 + 2 * kMinute)), IsEmpty());
  EXPECT_THAT(stream.Feed(RecordBuilder("b").At(kT0 + kMinute + kHour)), IsEmpty());
  // Once the a is more than an hour old, b fires again.
  EXPECT_THAT(stream.Feed(RecordBuilder("b").At(kT0 + kMinute + kHour + 1)), SizeIs(1));
  // Another actor's a does not cover this actor.
  stream.Feed(RecordBuilder("a").Actor("agent-2").At(kT0 + 2 * kHour));
  EXPECT_THAT(stream.Feed(RecordBuilder("b").At(kT0 + 2 * kHour + 1)), SizeIs(1));
  EXPECT_THAT(stream.Feed(RecordBuilder("b").Actor("agent-2").At(kT0 + 2 * kHour + 2)), IsEmpty());
}

TEST(DetectDetectorTest, SequenceCapEvictsTheLeastRecentlyTouchedKey) {
  Detector detector(Rules(R"(
rules:
  - id: two
    severity: high
    sequence:
      key: actor
      window: 1h
      max_entries: 2
      steps:
        - match: {action: a}
        - match: {action: b}
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  stream.Feed(RecordBuilder("a").Actor("one").At(kT0));
  stream.Feed(RecordBuilder("a").Actor("two").At(kT0 + 1));
  stream.Feed(RecordBuilder("a").Actor("one").At(kT0 + 2));    // "one" is touched again
  stream.Feed(RecordBuilder("a").Actor("three").At(kT0 + 3));  // evicts "two"
  RuleStats stats = StatsOf(detector, "two");
  EXPECT_EQ(stats.cap_hits, 1u);
  EXPECT_EQ(stats.window_entries, 2u);
  EXPECT_THAT(stream.Feed(RecordBuilder("b").Actor("two").At(kT0 + 4)), IsEmpty());
  EXPECT_THAT(stream.Feed(RecordBuilder("b").Actor("one").At(kT0 + 5)), SizeIs(1));
  EXPECT_THAT(stream.Feed(RecordBuilder("b").Actor("three").At(kT0 + 6)), SizeIs(1));
  // Keys idle for longer than the window are dropped.
  stream.Feed(RecordBuilder("x").At(kT0 + 3 * kHour));
  stats = StatsOf(detector, "two");
  EXPECT_EQ(stats.window_entries, 0u);
  EXPECT_EQ(stats.firings, 2u);
}

TEST(DetectDetectorTest, ThresholdFiresOnEveryRecordAboveTheValue) {
  Detector detector(Rules(R"(
rules:
  - id: big
    severity: high
    match: {action: data.export}
    threshold: {field: row_count, above: 100}
  - id: admin-denied
    severity: high
    match: {route: "/v2/admin/*", outcome: DENIED}
    threshold: any
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  EXPECT_THAT(stream.Feed(RecordBuilder("data.export").RowCount(100)), IsEmpty());
  const std::vector<Firing> big = stream.Feed(RecordBuilder("data.export").RowCount(101));
  ASSERT_THAT(big, SizeIs(1));
  EXPECT_EQ(big[0].kind, "threshold");
  EXPECT_EQ(big[0].sum, 101);
  EXPECT_EQ(big[0].key_field, "");
  EXPECT_EQ(big[0].window_start_ns, big[0].window_end_ns);
  EXPECT_THAT(Seqs(big[0]), ElementsAre(1));
  EXPECT_THAT(stream.Feed(RecordBuilder("data.export").RowCount(5000)), SizeIs(1));
  EXPECT_THAT(stream.Feed(RecordBuilder("user.delete").Route("/v2/admin/users/7")), IsEmpty());
  EXPECT_THAT(stream.Feed(RecordBuilder("user.delete").Route("/v2/admin/users/7").Denied()),
              SizeIs(1));
  EXPECT_THAT(stream.Feed(RecordBuilder("user.delete").Route("/v2/users/7").Denied()), IsEmpty());
}

TEST(DetectDetectorTest, TheServersOwnAlertsAreNeverEvaluated) {
  Detector detector(Rules(R"(
rules:
  - id: everything
    severity: low
    threshold: any
  - id: burst
    severity: low
    rate: {key: tenant, window: 1h, at_least: 2}
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  for (const char* action : {"alert.raised", "integrity.violation", "sealtrail.checkpoint",
                             "alert.raised", "sealtrail.webhook.overflow"}) {
    EXPECT_THAT(stream.Feed(RecordBuilder(action)), IsEmpty()) << action;
  }
  const DetectorStats stats = detector.Stats();
  EXPECT_EQ(stats.records_observed, 5u);
  EXPECT_EQ(stats.records_ignored, 5u);
  EXPECT_EQ(StatsOf(detector, "everything").evaluations, 0u);
  EXPECT_EQ(StatsOf(detector, "burst").window_entries, 0u);
  // Ordinary records (auth.denied included) are evaluated.
  EXPECT_THAT(stream.Feed(RecordBuilder("auth.denied").Denied()), SizeIs(1));
  EXPECT_THAT(stream.Feed(RecordBuilder("alerts.list")), SizeIs(2));
  EXPECT_TRUE(IsDetectorBlind("alert.raised"));
  EXPECT_TRUE(IsDetectorBlind("sealtrail."));
  EXPECT_FALSE(IsDetectorBlind("alert.raised.not"));
  EXPECT_FALSE(IsDetectorBlind("auth.denied"));
}

TEST(DetectDetectorTest, SetRulesKeepsWindowsOfUnchangedRulesAndResetsOthers) {
  Detector detector(Rules(R"(
rules:
  - id: kept
    severity: low
    rate: {key: actor, window: 1h, at_least: 3}
  - id: changed
    severity: low
    rate: {key: actor, window: 1h, at_least: 3}
  - id: removed
    severity: low
    threshold: any
)"),
                    DetectorOptions());
  DetectStream stream(&detector);
  stream.Feed(RecordBuilder("x").At(kT0));
  stream.Feed(RecordBuilder("x").At(kT0 + 1));
  EXPECT_EQ(stream.all().size(), 2u);  // "removed" fired twice
  // The same "kept" in another layout, with comments and keys reordered; "changed" differs.
  detector.SetRules(Rules(R"(
rules:
  # Reformatted, same meaning.
  - severity: low
    id: kept
    rate:
      at_least: 3
      window: 1h
      key: actor
  - id: changed
    severity: low
    rate: {key: actor, window: 1h, at_least: 4}
  - id: added
    severity: low
    rate: {key: actor, window: 1h, at_least: 1}
)"));
  // Not installed until the next Observe.
  EXPECT_EQ(detector.Stats().rules.size(), 3u);
  EXPECT_EQ(StatsOf(detector, "removed").firings, 2u);
  const std::vector<Firing> firings = stream.Feed(RecordBuilder("x").At(kT0 + 2));
  std::vector<std::string> fired;
  for (const Firing& firing : firings) fired.push_back(firing.rule_id);
  EXPECT_THAT(fired, ElementsAre("kept", "added"));
  EXPECT_THAT(Seqs(firings[0]), ElementsAre(0, 1, 2));
  const DetectorStats stats = detector.Stats();
  ASSERT_EQ(stats.rules.size(), 3u);
  EXPECT_EQ(stats.rules[0].rule_id, "kept");
  EXPECT_EQ(stats.rules[0].evaluations, 3u);  // counters kept too
  EXPECT_EQ(stats.rules[0].matches, 3u);
  EXPECT_EQ(stats.rules[1].rule_id, "changed");
  EXPECT_EQ(stats.rules[1].evaluations, 1u);
  EXPECT_EQ(stats.rules[1].window_entries, 1u);
  EXPECT_EQ(stats.rules[2].rule_id, "added");
  // "changed" needs 4 fresh records now.
  stream.Feed(RecordBuilder("x").At(kT0 + 3));
  stream.Feed(RecordBuilder("x").At(kT0 + 4));
  EXPECT_THAT(stream.Of("changed"), IsEmpty());
  stream.Feed(RecordBuilder("x").At(kT0 + 5));
  EXPECT_THAT(stream.Of("changed"), SizeIs(1));
  // No rules at all.
  detector.SetRules(nullptr);
  EXPECT_THAT(stream.Feed(RecordBuilder("x").At(kT0 + 6)), IsEmpty());
  EXPECT_THAT(detector.Stats().rules, IsEmpty());
}

TEST(DetectDetectorTest, SameRecordsGiveTheSameFirings) {
  const std::shared_ptr<const RuleSet> rules = Rules(std::string(kDeniedRate));
  std::vector<RecordBuilder> records;
  for (int i = 0; i < 200; ++i) {
    records.push_back(
        std::move(RecordBuilder("x")
                      .Actor("agent-" + std::to_string(i % 7))
                      .Outcome(i % 3 == 0 ? v1::Outcome::SUCCESS : v1::Outcome::DENIED)
                      .At(kT0 + i * kSecond)));
  }
  std::vector<std::vector<std::pair<std::string, std::vector<uint64_t>>>> runs;
  for (int run = 0; run < 2; ++run) {
    Detector detector(rules, DetectorOptions());
    DetectStream stream(&detector);
    for (const RecordBuilder& record : records) stream.Feed(record);
    auto& firings = runs.emplace_back();
    for (const Firing& firing : stream.all()) firings.emplace_back(firing.key_value, Seqs(firing));
  }
  EXPECT_FALSE(runs[0].empty());
  EXPECT_EQ(runs[0], runs[1]);
}

TEST(DetectDetectorTest, ACommitTimeThatGoesBackIsTakenAsThePreviousOne) {
  Detector detector(Rules(kDeniedRate), DetectorOptions());
  DetectStream stream(&detector);
  stream.Feed(RecordBuilder("x").Denied().At(kT0 + kHour));
  stream.Feed(RecordBuilder("x").Denied().At(kT0));  // stepped back: counts as kT0 + 1h
  const std::vector<Firing> firings = stream.Feed(RecordBuilder("x").Denied().At(kT0 + kHour));
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].window_start_ns, kT0 + kHour);
}

TEST(DetectDetectorTest, StatsAndSetRulesFromAnotherThreadWhileObserving) {
  const std::shared_ptr<const RuleSet> first = Rules(kDeniedRate);
  const std::shared_ptr<const RuleSet> second = Rules(kThreeSteps);
  Detector detector(first, DetectorOptions());
  std::atomic<bool> done{false};
  std::thread other([&] {
    for (int i = 0; i < 2000 && !done.load(); ++i) {
      detector.SetRules(i % 2 == 0 ? second : first);
      const DetectorStats stats = detector.Stats();
      for (const RuleStats& rule : stats.rules) ASSERT_LE(rule.matches, rule.evaluations);
    }
  });
  DetectStream stream(&detector);
  for (int i = 0; i < 20000; ++i) {
    stream.Feed(RecordBuilder(i % 2 == 0 ? "a" : "b").Denied().At(kT0 + i * kSecond));
  }
  done.store(true);
  other.join();
  EXPECT_EQ(detector.Stats().records_observed, 20000u);
}

}  // namespace
}  // namespace sealtrail::detect
