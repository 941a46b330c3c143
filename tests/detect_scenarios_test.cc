// Every shipped example rule (docs/rules/, loaded from the source tree) fired by a generated
// scenario, and not fired by its near misses: one record fewer, one outside the window, another
// key, the right role, inside business hours.
#include <memory>
#include <string>
#include <vector>

#include "detect_testing/detect_stream.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/detect/detector.h"
#include "server/detect/rule_set.h"

namespace sealtrail::detect {
namespace {

using ::sealtrail::testing::CivilNanos;
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

class DetectScenariosTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::shared_ptr<const RuleSet>> rules = LoadRules(SEALTRAIL_RULES_DIR);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = new std::shared_ptr<const RuleSet>(*rules);
  }
  static void TearDownTestSuite() {
    delete rules_;
    rules_ = nullptr;
  }

  // A fresh detector with the shipped rules, and a stream into it.
  struct Run {
    Run() : detector(*rules_, DetectorOptions()), stream(&detector) {}
    Detector detector;
    DetectStream stream;
  };

  static std::vector<uint64_t> Seqs(const Firing& firing) {
    std::vector<uint64_t> seqs;
    for (const Trigger& trigger : firing.triggers) seqs.push_back(trigger.seq);
    return seqs;
  }

  static inline std::shared_ptr<const RuleSet>* rules_ = nullptr;
};

// mass-data-extraction.yaml

TEST_F(DetectScenariosTest, MassExportSingleFiresAboveFiftyThousandRows) {
  Run run;
  run.stream.Feed(RecordBuilder("data.export").RowCount(50001));
  const std::vector<Firing> firings = run.stream.Of("mass-export-single");
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].sum, 50001);
  EXPECT_EQ(firings[0].severity, "high");
}

TEST_F(DetectScenariosTest, MassExportSingleNearMisses) {
  Run run;
  run.stream.Feed(RecordBuilder("data.export").RowCount(50000));
  run.stream.Feed(RecordBuilder("data.export").RowCount(60000).Denied());
  run.stream.Feed(RecordBuilder("data.import").RowCount(60000));
  EXPECT_THAT(run.stream.Of("mass-export-single"), IsEmpty());
}

void FeedExports(DetectStream& stream, int count, int64_t rows, int64_t spacing_ns,
                 int64_t last_extra_ns = 0) {
  for (int i = 0; i < count; ++i) {
    stream.Feed(RecordBuilder("data.export")
                    .RowCount(rows)
                    .At(kT0 + i * spacing_ns + (i == count - 1 ? last_extra_ns : 0)));
  }
}

TEST_F(DetectScenariosTest, MassExportAccumulatedFiresOnFiveExportsSummingOverTheLimit) {
  Run run;
  FeedExports(run.stream, 5, 25000, 2 * kMinute);
  const std::vector<Firing> firings = run.stream.Of("mass-export-accumulated");
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].sum, 125000);
  EXPECT_EQ(firings[0].key_value, "agent-1");
  EXPECT_THAT(Seqs(firings[0]), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_EQ(firings[0].window_end_ns - firings[0].window_start_ns, 8 * kMinute);
  EXPECT_THAT(run.stream.Of("mass-export-single"), IsEmpty());
}

TEST_F(DetectScenariosTest, MassExportAccumulatedNearMissOneExportFewer) {
  Run run;
  FeedExports(run.stream, 4, 30000, 2 * kMinute);  // 120,000 rows, but 4 exports
  EXPECT_THAT(run.stream.Of("mass-export-accumulated"), IsEmpty());
}

TEST_F(DetectScenariosTest, MassExportAccumulatedNearMissSumNotAbove) {
  Run run;
  FeedExports(run.stream, 5, 20000, 2 * kMinute);  // exactly 100,000
  EXPECT_THAT(run.stream.Of("mass-export-accumulated"), IsEmpty());
}

TEST_F(DetectScenariosTest, MassExportAccumulatedNearMissOutsideTheWindow) {
  Run run;
  FeedExports(run.stream, 5, 25000, 2 * kMinute, /*last_extra_ns=*/2 * kMinute + 1);
  EXPECT_THAT(run.stream.Of("mass-export-accumulated"), IsEmpty());
}

TEST_F(DetectScenariosTest, MassExportAccumulatedNearMissOtherActorsAndTenants) {
  Run run;
  for (int i = 0; i < 5; ++i) {
    run.stream.Feed(RecordBuilder("data.export")
                        .RowCount(25000)
                        .Actor(i % 2 == 0 ? "agent-1" : "agent-2")
                        .At(kT0 + i * kMinute));
  }
  for (int i = 0; i < 5; ++i) {
    run.stream.Feed(RecordBuilder("data.export")
                        .RowCount(25000)
                        .Tenant(i % 2 == 0 ? "globex" : "initech")
                        .Actor("agent-9")
                        .At(kT0 + (5 + i) * kSecond));
  }
  EXPECT_THAT(run.stream.Of("mass-export-accumulated"), IsEmpty());
}

// privileged-interventions.yaml

TEST_F(DetectScenariosTest, InterventionOutsideSupervisorRoleFires) {
  Run run;
  run.stream.Feed(RecordBuilder("call.barge").Role("agent"));
  run.stream.Feed(RecordBuilder("call.whisper").Role(""));
  run.stream.Feed(RecordBuilder("transcript.override").Role("admin"));
  const std::vector<Firing> firings = run.stream.Of("intervention-outside-supervisor-role");
  ASSERT_THAT(firings, SizeIs(3));
  EXPECT_THAT(Seqs(firings[2]), ElementsAre(2));
}

TEST_F(DetectScenariosTest, InterventionNearMisses) {
  Run run;
  run.stream.Feed(RecordBuilder("call.barge").Role("supervisor"));
  run.stream.Feed(RecordBuilder("call.barge").Role("agent").Denied());
  run.stream.Feed(RecordBuilder("call.monitor").Role("agent"));
  EXPECT_THAT(run.stream.Of("intervention-outside-supervisor-role"), IsEmpty());
}

// denied-bursts.yaml

void FeedDenials(DetectStream& stream, int count, int64_t spacing_ns, bool same_actor,
                 bool same_ip) {
  for (int i = 0; i < count; ++i) {
    stream.Feed(RecordBuilder("auth.denied")
                    .Denied()
                    .Actor(same_actor ? "agent-1" : "caller-" + std::to_string(i % 2))
                    .SourceIp(same_ip ? "203.0.113.9" : "203.0.113." + std::to_string(i % 2))
                    .At(kT0 + i * spacing_ns));
  }
}

TEST_F(DetectScenariosTest, DeniedBurstFromOneActorFires) {
  Run run;
  FeedDenials(run.stream, 20, 3 * kSecond, /*same_actor=*/true, /*same_ip=*/false);
  const std::vector<Firing> firings = run.stream.Of("denied-burst-actor");
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].trigger_count, 20u);
  EXPECT_EQ(firings[0].key_value, "agent-1");
  EXPECT_THAT(run.stream.Of("denied-burst-source-ip"), IsEmpty());
}

TEST_F(DetectScenariosTest, DeniedBurstFromOneActorNearMisses) {
  {
    Run run;
    FeedDenials(run.stream, 19, 3 * kSecond, true, false);
    EXPECT_THAT(run.stream.Of("denied-burst-actor"), IsEmpty());
  }
  {
    Run run;  // 20 over 19 x 3.2 s = 60.8 s
    FeedDenials(run.stream, 20, int64_t{3'200'000'000}, true, false);
    EXPECT_THAT(run.stream.Of("denied-burst-actor"), IsEmpty());
  }
  {
    Run run;  // two actors, 10 each
    FeedDenials(run.stream, 20, 1 * kSecond, false, false);
    EXPECT_THAT(run.stream.Of("denied-burst-actor"), IsEmpty());
  }
}

TEST_F(DetectScenariosTest, DeniedBurstFromOneSourceIpFires) {
  Run run;
  FeedDenials(run.stream, 20, 2 * kSecond, /*same_actor=*/false, /*same_ip=*/true);
  const std::vector<Firing> firings = run.stream.Of("denied-burst-source-ip");
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].key_field, "source_ip");
  EXPECT_EQ(firings[0].key_value, "203.0.113.9");
  EXPECT_EQ(firings[0].severity, "high");
  EXPECT_THAT(run.stream.Of("denied-burst-actor"), IsEmpty());
  // 20 more: the window started over at the firing, so exactly one more alert.
  FeedDenials(run.stream, 20, 1, false, true);
  EXPECT_THAT(run.stream.Of("denied-burst-source-ip"), SizeIs(2));
}

TEST_F(DetectScenariosTest, DeniedBurstFromOneSourceIpNearMisses) {
  {
    Run run;
    FeedDenials(run.stream, 19, 2 * kSecond, false, true);
    EXPECT_THAT(run.stream.Of("denied-burst-source-ip"), IsEmpty());
  }
  {
    Run run;  // two addresses
    FeedDenials(run.stream, 20, 2 * kSecond, false, false);
    EXPECT_THAT(run.stream.Of("denied-burst-source-ip"), IsEmpty());
  }
  {
    Run run;  // no address recorded
    for (int i = 0; i < 25; ++i) {
      run.stream.Feed(RecordBuilder("auth.denied").Denied().Actor("c-" + std::to_string(i)));
    }
    EXPECT_THAT(run.stream.Of("denied-burst-source-ip"), IsEmpty());
  }
}

// escalation-then-export.yaml

// admin-1 gives `user` the role `role`: the role change names its user in resource_id.
RecordBuilder RoleGranted(const char* user, const char* role, int64_t at) {
  RecordBuilder record("user.role.update");
  record.Actor("admin-1").ResourceId(user).NewValue(role).At(at);
  return record;
}

RecordBuilder MadeAdmin(const char* user, int64_t at) { return RoleGranted(user, "admin", at); }

TEST_F(DetectScenariosTest, EscalationThenExportFires) {
  Run run;
  run.stream.Feed(MadeAdmin("agent-7", kT0));
  run.stream.Feed(
      RecordBuilder("data.export").Actor("agent-7").RowCount(5000).At(kT0 + 10 * kMinute));
  const std::vector<Firing> firings = run.stream.Of("escalation-then-export");
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].severity, "critical");
  EXPECT_EQ(firings[0].key_value, "agent-7");
  EXPECT_THAT(Seqs(firings[0]), ElementsAre(0, 1));
}

TEST_F(DetectScenariosTest, EscalationThenExportNearMisses) {
  Run run;
  run.stream.Feed(MadeAdmin("agent-7", kT0));
  run.stream.Feed(RecordBuilder("data.export").Actor("agent-8").RowCount(5000).At(kT0 + 1));
  run.stream.Feed(RecordBuilder("data.export").Actor("agent-7").RowCount(999).At(kT0 + 2));
  run.stream.Feed(
      RecordBuilder("data.export").Actor("agent-7").Tenant("globex").RowCount(5000).At(kT0 + 3));
  run.stream.Feed(
      RecordBuilder("data.export").Actor("agent-7").RowCount(5000).At(kT0 + 15 * kMinute + 1));
  // Made supervisor, not admin; and a refused escalation.
  run.stream.Feed(MadeAdmin("agent-9", kT0 + 16 * kMinute).NewValue("supervisor"));
  run.stream.Feed(MadeAdmin("agent-10", kT0 + 16 * kMinute).Denied());
  run.stream.Feed(
      RecordBuilder("data.export").Actor("agent-9").RowCount(5000).At(kT0 + 17 * kMinute));
  run.stream.Feed(
      RecordBuilder("data.export").Actor("agent-10").RowCount(5000).At(kT0 + 17 * kMinute));
  EXPECT_THAT(run.stream.Of("escalation-then-export"), IsEmpty());
}

// barge-without-supervisor-grant.yaml

RecordBuilder MadeSupervisor(const char* user, int64_t at) {
  return RoleGranted(user, "supervisor", at);
}

TEST_F(DetectScenariosTest, BargeWithoutSupervisorGrantFires) {
  Run run;
  run.stream.Feed(MadeSupervisor("agent-8", kT0));  // someone else's grant
  run.stream.Feed(RecordBuilder("call.barge").Actor("agent-7").Role("supervisor").At(kT0 + kHour));
  const std::vector<Firing> firings = run.stream.Of("barge-without-supervisor-grant");
  ASSERT_THAT(firings, SizeIs(1));
  EXPECT_EQ(firings[0].key_value, "agent-7");
  EXPECT_THAT(Seqs(firings[0]), ElementsAre(1));
  EXPECT_EQ(firings[0].window_start_ns, kT0 + kHour - 12 * kHour);
}

TEST_F(DetectScenariosTest, BargeWithoutSupervisorGrantFiresWhenTheGrantIsTooOld) {
  Run run;
  run.stream.Feed(MadeSupervisor("agent-7", kT0));
  run.stream.Feed(
      RecordBuilder("call.barge").Actor("agent-7").Role("supervisor").At(kT0 + 12 * kHour + 1));
  EXPECT_THAT(run.stream.Of("barge-without-supervisor-grant"), SizeIs(1));
}

TEST_F(DetectScenariosTest, BargeAfterASupervisorGrantIsFine) {
  Run run;
  run.stream.Feed(MadeSupervisor("agent-7", kT0));
  run.stream.Feed(RecordBuilder("call.barge").Actor("agent-7").Role("supervisor").At(kT0 + kHour));
  run.stream.Feed(
      RecordBuilder("call.barge").Actor("agent-7").Role("supervisor").At(kT0 + 12 * kHour));
  run.stream.Feed(RecordBuilder("call.barge").Actor("agent-9").Denied().At(kT0 + kHour));
  EXPECT_THAT(run.stream.Of("barge-without-supervisor-grant"), IsEmpty());
  EXPECT_THAT(run.stream.Of("intervention-outside-supervisor-role"), IsEmpty());
}

// outside-business-hours.yaml

int64_t Berlin(int year, int month, int day, int hour, int minute, int second = 0) {
  return CivilNanos(absl::CivilSecond(year, month, day, hour, minute, second), "Europe/Berlin");
}

TEST_F(DetectScenariosTest, SensitiveAccessOutsideHoursFires) {
  Run run;
  run.stream.Feed(RecordBuilder("data.export").At(Berlin(2026, 11, 18, 3, 0)));          // night
  run.stream.Feed(RecordBuilder("recording.download").At(Berlin(2026, 11, 21, 10, 0)));  // Sat
  run.stream.Feed(RecordBuilder("transcript.read").At(Berlin(2026, 11, 18, 18, 0)));     // closed
  run.stream.Feed(RecordBuilder("data.export").At(Berlin(2026, 7, 15, 7, 30)));          // summer
  const std::vector<Firing> firings = run.stream.Of("sensitive-access-outside-hours");
  ASSERT_THAT(firings, SizeIs(4));
  EXPECT_EQ(firings[0].severity, "medium");
}

TEST_F(DetectScenariosTest, SensitiveAccessNearMisses) {
  Run run;
  run.stream.Feed(RecordBuilder("data.export").At(Berlin(2026, 11, 18, 10, 0)));
  run.stream.Feed(RecordBuilder("data.export").At(Berlin(2026, 11, 18, 8, 0)));
  run.stream.Feed(RecordBuilder("data.export").At(Berlin(2026, 11, 18, 17, 59, 59)));
  run.stream.Feed(RecordBuilder("data.export").At(Berlin(2026, 11, 19, 8, 30)));
  // 07:30 UTC in July is 09:30 in Berlin (summer time): inside.
  run.stream.Feed(
      RecordBuilder("data.export").At(CivilNanos(absl::CivilSecond(2026, 7, 16, 7, 30, 0), "UTC")));
  // Outside hours, but not sensitive, or refused.
  run.stream.Feed(RecordBuilder("call.monitor").At(Berlin(2026, 11, 20, 3, 0)));
  run.stream.Feed(RecordBuilder("data.export").Denied().At(Berlin(2026, 11, 20, 3, 0)));
  EXPECT_THAT(run.stream.Of("sensitive-access-outside-hours"), IsEmpty());
}

// admin-route-denied.yaml

TEST_F(DetectScenariosTest, DeniedOnAdminRouteFires) {
  Run run;
  run.stream.Feed(
      RecordBuilder("user.delete").Route("/v2/admin/users/{user_id}").Method("DELETE").Denied());
  EXPECT_THAT(run.stream.Of("denied-on-admin-route"), SizeIs(1));
}

TEST_F(DetectScenariosTest, DeniedOnAdminRouteNearMisses) {
  Run run;
  run.stream.Feed(RecordBuilder("user.delete").Route("/v2/admin/users/{user_id}"));
  run.stream.Feed(RecordBuilder("user.delete").Route("/v2/users/{user_id}").Denied());
  EXPECT_THAT(run.stream.Of("denied-on-admin-route"), IsEmpty());
}

// All rules together on a day of ordinary work: nothing fires.
TEST_F(DetectScenariosTest, OrdinaryTrafficRaisesNothing) {
  Run run;
  for (int shift = 0; shift < 3; ++shift) {
    const int64_t start = kT0 + shift * 24 * kHour;  // Wednesday to Friday, 10:00
    for (int s = 0; s < 5; ++s) {
      run.stream.Feed(MadeSupervisor(("sup-" + std::to_string(s)).c_str(), start));
    }
    for (int i = 0; i < 400; ++i) {
      const int64_t at = start + i * 15 * kSecond;
      const std::string agent = "agent-" + std::to_string(i % 40);
      const std::string supervisor = "sup-" + std::to_string(i % 5);
      switch (i % 8) {
        case 0:
          run.stream.Feed(RecordBuilder("call.barge").Actor(supervisor).Role("supervisor").At(at));
          break;
        case 1:
          run.stream.Feed(
              RecordBuilder("call.whisper").Actor(supervisor).Role("supervisor").At(at));
          break;
        case 2:
          run.stream.Feed(RecordBuilder("data.export").Actor(agent).RowCount(1200).At(at));
          break;
        case 3:
          run.stream.Feed(RecordBuilder("call.barge")
                              .Actor(agent)
                              .Role("agent")
                              .Denied()
                              .SourceIp("10.0.0." + std::to_string(i % 40))
                              .At(at));
          break;
        default:
          run.stream.Feed(RecordBuilder("call.monitor").Actor(agent).Role("agent").At(at));
          break;
      }
    }
  }
  EXPECT_THAT(run.stream.all(), IsEmpty());
  for (const RuleStats& stats : run.detector.Stats().rules) {
    EXPECT_EQ(stats.firings, 0u) << stats.rule_id;
    EXPECT_EQ(stats.cap_hits, 0u) << stats.rule_id;
  }
}

}  // namespace
}  // namespace sealtrail::detect
