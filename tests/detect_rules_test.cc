// The rule language's parser (server/detect/rule_set.h): every kind of mistake is refused with
// the file, line and column and what is wrong; directories load in name order and are refused
// whole when one file is broken; the shipped rules in docs/rules/ load. And the pieces the
// matcher is built from: patterns, CIDRs, business hours.
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/detect/business_hours.h"
#include "server/detect/glob.h"
#include "server/detect/ip_network.h"
#include "server/detect/rule_set.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::detect {
namespace {

using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

constexpr char kValid[] = R"(# A valid file.
rules:
  - id: exports
    severity: high
    description: Big exports
    match:
      action: data.export
      outcome: [SUCCESS, FAILURE]
      row_count: {above: 10}
    threshold: any
  - id: denied
    severity: low
    match: {outcome: DENIED, source_ip: [10.0.0.0/8, "192.0.2.*"]}
    rate: {key: source_ip, window: 60s, at_least: 20, max_entries: 500}
  - id: steps
    severity: critical
    sequence:
      key: actor
      window: 15m
      steps:
        - match: {action: user.role.update, new_value: admin}
        - match: {action: data.export}
        - match:
            action: data.delete
            outside_hours: {timezone: Europe/Berlin, days: [Sat, sunday], hours: "08:00-18:00"}
)";

TEST(DetectRulesTest, ValidFileLoadsEveryRuleInOrder) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const RuleSet> rules, ParseRules(kValid, "t.yaml"));
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ(rules->infos()[0].id, "exports");
  EXPECT_EQ(rules->infos()[0].severity, "high");
  EXPECT_EQ(rules->infos()[0].kind, "threshold");
  EXPECT_EQ(rules->infos()[0].description, "Big exports");
  EXPECT_EQ(rules->infos()[0].defined_at, "t.yaml:3:5");
  EXPECT_EQ(rules->infos()[1].kind, "rate");
  EXPECT_EQ(rules->infos()[2].kind, "sequence");
  EXPECT_EQ(rules->infos()[2].defined_at, "t.yaml:15:5");
  ASSERT_NE(rules->Find("denied"), nullptr);
  EXPECT_EQ(rules->Find("denied")->severity, "low");
  EXPECT_EQ(rules->Find("nope"), nullptr);
  EXPECT_EQ(rules->longest_window_ns(), int64_t{15} * 60 * 1'000'000'000);
}

// One mistake per case: the message starts with FILE:LINE:COL and says what is wrong.
struct Mistake {
  const char* name;
  const char* yaml;
  const char* where;  // "LINE:COL"
  const char* what;   // a part of the message
};

const Mistake kMistakes[] = {
    {"yaml_syntax", "rules:\n  - id: [x\n    severity: high\n", "3:13", "YAML syntax error"},
    {"tab_indent", "rules:\n\t- id: x\n", "2:2", "YAML syntax error"},
    {"empty_file", "", "1:1", "the file holds no rules"},
    {"only_comments", "# nothing\n# here\n", "1:1", "the file holds no rules"},
    {"second_document", "rules:\n  - id: a\n---\nrules: []\n", "4:1", "second YAML document"},
    {"top_level_unknown_key", "rule:\n  - id: a\n", "1:1", "unknown key 'rule' in the file"},
    {"top_level_list", "- id: a\n", "1:1", "the file must be a mapping"},
    {"rules_not_a_list", "rules: {id: a}\n", "1:8", "'rules:' must be a list"},
    {"rules_empty", "rules: []\n", "1:8", "'rules:' is an empty list"},
    {"rule_not_a_mapping", "rules:\n  - just words\n", "2:5", "a rule must be a mapping"},
    {"unknown_rule_key", "rules:\n  - id: a\n    severity: low\n    thresold: any\n", "4:5",
     "unknown key 'thresold' in a rule (expected id, severity, description, match, threshold, "
     "rate, sequence)"},
    {"key_without_value", "rules:\n  - id: a\n    severity:\n    threshold: any\n", "3:5",
     "key 'severity' in a rule has no value"},
    {"key_given_twice",
     "rules:\n  - id: a\n    severity: low\n    severity: high\n    threshold: any\n", "4:5",
     "key 'severity' is given twice in a rule (first at t.yaml:3:5)"},
    {"missing_id", "rules:\n  - severity: low\n    threshold: any\n", "2:5", "the rule has no id"},
    {"bad_id", "rules:\n  - id: \"no spaces\"\n    severity: low\n    threshold: any\n", "2:9",
     "bad rule id 'no spaces'"},
    {"missing_severity", "rules:\n  - id: a\n    threshold: any\n", "2:5",
     "rule 'a' has no severity"},
    {"bad_severity", "rules:\n  - id: a\n    severity: urgent\n    threshold: any\n", "3:15",
     "bad severity 'urgent' (expected low, medium, high or critical)"},
    {"missing_kind", "rules:\n  - id: a\n    severity: low\n    match: {action: x}\n", "2:5",
     "rule 'a' has no kind: give it threshold, rate or sequence"},
    {"two_kinds",
     "rules:\n  - id: a\n    severity: low\n    threshold: any\n    rate: {key: actor, window: "
     "1m, at_least: 2}\n",
     "5:5", "exactly one of threshold, rate and sequence; this one has both threshold and rate"},
    {"duplicate_id",
     "rules:\n  - id: a\n    severity: low\n    threshold: any\n  - id: a\n    severity: high\n  "
     "  threshold: any\n",
     "5:5", "duplicate rule id 'a' (first defined at t.yaml:2:5)"},
    {"unknown_field",
     "rules:\n  - id: a\n    severity: low\n    match:\n      acton: x\n    threshold: any\n",
     "5:7", "unknown field 'acton' in match (fields: action, method"},
    {"bad_glob",
     "rules:\n  - id: a\n    severity: low\n    match:\n      action: \"call.[barge\"\n    "
     "threshold: any\n",
     "5:15", "bad pattern 'call.[barge' for action: a '[' is not closed"},
    {"bad_glob_range",
     "rules:\n  - id: a\n    severity: low\n    match:\n      action: [ok, \"x[z-a]\"]\n    "
     "threshold: any\n",
     "5:20", "a range in [...] runs backwards"},
    {"bad_glob_backslash",
     "rules:\n  - id: a\n    severity: low\n    match: {route: '/v2/\\'}\n    threshold: any\n",
     "4:20", "ends in a lone '\\'"},
    {"bad_outcome",
     "rules:\n  - id: a\n    severity: low\n    match: {outcome: [DENIED, SUCCES]}\n    "
     "threshold: any\n",
     "4:31", "bad outcome 'SUCCES' (expected SUCCESS, FAILURE or DENIED)"},
    {"bad_number",
     "rules:\n  - id: a\n    severity: low\n    match: {row_count: {above: 10k}}\n    "
     "threshold: any\n",
     "4:32", "row_count's above must be a whole number (e.g. 100000), not '10k'"},
    {"empty_range",
     "rules:\n  - id: a\n    severity: low\n    match: {row_count: {above: 10, below: 5}}\n    "
     "threshold: any\n",
     "4:24", "a range that holds no number"},
    {"not_beside_range",
     "rules:\n  - id: a\n    severity: low\n    match: {status_code: {not: 200, above: 5}}\n    "
     "threshold: any\n",
     "4:27", "has 'not' beside a range"},
    {"bad_cidr",
     "rules:\n  - id: a\n    severity: low\n    match: {source_ip: 10.0.0.0/33}\n    threshold: "
     "any\n",
     "4:24", "bad CIDR '10.0.0.0/33' for source_ip: the prefix length of an IPv4 CIDR"},
    {"bad_verified",
     "rules:\n  - id: a\n    severity: low\n    match: {verified: maybe}\n    threshold: any\n",
     "4:23", "verified must be true or false, not 'maybe'"},
    {"bad_timezone",
     "rules:\n  - id: a\n    severity: low\n    match:\n      outside_hours:\n        timezone: "
     "Mars/Olympus\n        hours: 08:00-18:00\n    threshold: any\n",
     "6:19", "bad timezone 'Mars/Olympus': not a time zone"},
    {"localtime_is_not_a_timezone",
     "rules:\n  - id: a\n    severity: low\n    match:\n      outside_hours: {timezone: "
     "localtime, hours: 08:00-18:00}\n    threshold: any\n",
     "5:33", "bad timezone 'localtime'"},
    {"missing_timezone",
     "rules:\n  - id: a\n    severity: low\n    match:\n      outside_hours: {hours: "
     "08:00-18:00}\n    threshold: any\n",
     "5:22", "outside_hours needs a timezone"},
    {"bad_hours",
     "rules:\n  - id: a\n    severity: low\n    match:\n      outside_hours: {timezone: UTC, "
     "hours: 18:00-08:00}\n    threshold: any\n",
     "5:45", "bad hours '18:00-08:00': the business hours must start before they end"},
    {"bad_clock",
     "rules:\n  - id: a\n    severity: low\n    match:\n      outside_hours: {timezone: UTC, "
     "hours: 8-18}\n    threshold: any\n",
     "5:45", "expected business hours as HH:MM-HH:MM"},
    {"bad_weekday",
     "rules:\n  - id: a\n    severity: low\n    match:\n      outside_hours: {timezone: UTC, "
     "hours: 08:00-18:00, days: [Mon, Fry]}\n    threshold: any\n",
     "5:70", "'Fry' is not a weekday"},
    {"bad_threshold", "rules:\n  - id: a\n    severity: low\n    threshold: yes\n", "4:16",
     "threshold must be 'any' (every matching record) or a mapping with field and above"},
    {"threshold_field_not_a_number",
     "rules:\n  - id: a\n    severity: low\n    threshold: {field: actor, above: 5}\n", "4:24",
     "the threshold's field must be a number field"},
    {"threshold_without_above",
     "rules:\n  - id: a\n    severity: low\n    threshold: {field: row_count}\n", "4:16",
     "threshold needs both field and above"},
    {"bad_duration_unit",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: actor, window: 10x, at_least: 3}\n",
     "4:32", "the window must be a duration such as 60s, 10m, 1h or 1h30m, not '10x'"},
    {"duration_without_unit",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: actor, window: 60, at_least: 3}\n",
     "4:32", "the window must be a duration such as 60s"},
    {"negative_duration",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: actor, window: -5m, at_least: 3}\n",
     "4:32", "the window must be a duration"},
    {"window_zero",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: actor, window: 0s, at_least: 3}\n",
     "4:32", "the window must be longer than 0"},
    {"window_over_max",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: actor, window: 25h, at_least: 3}\n",
     "4:32", "the window is '25h'; at most 24h is allowed"},
    {"rate_without_window",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: actor, at_least: 3}\n", "4:11",
     "rate needs a window"},
    {"rate_without_key",
     "rules:\n  - id: a\n    severity: low\n    rate: {window: 1m, at_least: 3}\n", "4:11",
     "rate needs a key"},
    {"rate_key_not_text",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: row_count, window: 1m, at_least: 3}\n",
     "4:17", "the rate's key must be a text field"},
    {"rate_key_unknown",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: user, window: 1m, at_least: 3}\n",
     "4:17", "unknown field 'user' as the rate's key"},
    {"rate_needs_a_condition",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: actor, window: 1m}\n", "4:11",
     "rate needs at_least (a count of records), a sum, or both"},
    {"at_least_zero",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: actor, window: 1m, at_least: 0}\n",
     "4:46", "at_least must be 1 or more, not 0"},
    {"at_least_over_cap",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: actor, window: 1m, at_least: 50, "
     "max_entries: 10}\n",
     "4:46", "at_least 50 is more than max_entries 10: the rule could never fire"},
    {"max_entries_zero",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: actor, window: 1m, at_least: 5, "
     "max_entries: 0}\n",
     "4:62", "max_entries must be 1 to 10000000, not 0"},
    {"sum_field_not_a_number",
     "rules:\n  - id: a\n    severity: low\n    rate: {key: actor, window: 1m, sum: {field: "
     "actor, above: 5}}\n",
     "4:49", "the sum's field must be a number field"},
    {"sequence_one_step",
     "rules:\n  - id: a\n    severity: low\n    sequence:\n      key: actor\n      window: 5m\n "
     "     steps:\n        - match: {action: a}\n",
     "8:9", "steps must be a list of 2 to 8 steps, not 1"},
    {"sequence_nine_steps",
     "rules:\n  - id: a\n    severity: low\n    sequence:\n      key: actor\n      window: 5m\n "
     "     steps: [{match: {}}, {match: {}}, {match: {}}, {match: {}}, {match: {}}, {match: {}}, "
     "{match: {}}, {match: {}}, {match: {}}]\n",
     "7:14", "steps must be a list of 2 to 8 steps, not 9"},
    {"sequence_without_not_first",
     "rules:\n  - id: a\n    severity: low\n    sequence:\n      key: actor\n      window: 5m\n "
     "     steps:\n        - match: {action: a}\n        - without: {action: b}\n",
     "9:11", "only the first step may be a without step"},
    {"sequence_step_both",
     "rules:\n  - id: a\n    severity: low\n    sequence:\n      key: actor\n      window: 5m\n "
     "     steps:\n        - {match: {action: a}, without: {action: b}}\n        - match: {}\n",
     "8:32", "a step is either match or without, not both"},
    {"sequence_step_empty",
     "rules:\n  - id: a\n    severity: low\n    sequence:\n      key: actor\n      window: 5m\n "
     "     steps:\n        - {key: actor}\n        - match: {}\n",
     "8:11", "a step needs match (what must happen) or without"},
    {"sequence_without_key",
     "rules:\n  - id: a\n    severity: low\n    sequence:\n      window: 5m\n      steps:\n      "
     "  - match: {action: a}\n          key: actor\n        - match: {action: b}\n",
     "9:11", "the step has no key"},
    {"sequence_without_window",
     "rules:\n  - id: a\n    severity: low\n    sequence:\n      key: actor\n      steps: "
     "[{match: {}}, {match: {}}]\n",
     "5:7", "sequence needs a window"},
    {"match_not_a_mapping",
     "rules:\n  - id: a\n    severity: low\n    match: [action]\n    threshold: any\n", "4:12",
     "match must be a mapping (key: value lines), not a list"},
    {"condition_of_wrong_shape",
     "rules:\n  - id: a\n    severity: low\n    match: {role: [[admin]]}\n    threshold: any\n",
     "4:20", "each item of the patterns of role must be a single value, not a list"},
    {"empty_list",
     "rules:\n  - id: a\n    severity: low\n    match: {role: []}\n    threshold: any\n", "4:19",
     "the patterns of role is an empty list"},
    {"negation_unknown_key",
     "rules:\n  - id: a\n    severity: low\n    match: {role: {nope: admin}}\n    threshold: any\n",
     "4:20", "unknown key 'nope' in the condition on role (expected not)"},
    {"attribute_without_name",
     "rules:\n  - id: a\n    severity: low\n    match: {attributes.: x}\n    threshold: any\n",
     "4:13", "unknown field 'attributes.'"},
};

class DetectRuleMistakeTest : public ::testing::TestWithParam<Mistake> {};

TEST_P(DetectRuleMistakeTest, IsRefusedWithFileLineColumnAndReason) {
  const Mistake& mistake = GetParam();
  const absl::StatusOr<std::shared_ptr<const RuleSet>> rules = ParseRules(mistake.yaml, "t.yaml");
  EXPECT_THAT(rules, StatusIs(absl::StatusCode::kInvalidArgument,
                              StartsWith(std::string("t.yaml:") + mistake.where + ": ")));
  EXPECT_THAT(rules, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(mistake.what)));
}

INSTANTIATE_TEST_SUITE_P(EveryMistake, DetectRuleMistakeTest, ::testing::ValuesIn(kMistakes),
                         [](const ::testing::TestParamInfo<Mistake>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(DetectRulesTest, NestingTooDeepIsASyntaxErrorNotACrash) {
  std::string deep = "rules: ";
  deep.append(100000, '[');
  deep.append(100000, ']');
  EXPECT_THAT(ParseRules(deep, "t.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("t.yaml:")));
}

TEST(DetectRulesTest, AFileOverTheSizeLimitIsRefused) {
  std::string huge = "# ";
  huge.append(5u << 20, 'x');
  huge.push_back('\n');
  EXPECT_THAT(ParseRules(huge, "t.yaml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("t.yaml: the file is 5242883 bytes; a rules file may have at "
                                 "most 4194304 bytes")));
}

// Random damage to a valid file: every result is a rule set or INVALID_ARGUMENT naming the
// file, never a crash or an exception (the sanitizer builds check the memory).
TEST(DetectRulesTest, DamagedFilesNeverCrashTheParser) {
  std::mt19937 rng(16);
  const std::string valid = kValid;
  constexpr char kNasty[] = "[]{}:-,#&*!|>'\"%@`\t\n \\?";
  for (int round = 0; round < 1500; ++round) {
    std::string damaged = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % damaged.size();
      switch (rng() % 3) {
        case 0:
          damaged[at] = kNasty[rng() % (sizeof(kNasty) - 1)];
          break;
        case 1:
          damaged.erase(at, 1 + rng() % 8);
          break;
        default:
          damaged.insert(at, 1, kNasty[rng() % (sizeof(kNasty) - 1)]);
          break;
      }
      if (damaged.empty()) damaged.push_back('x');
    }
    const absl::StatusOr<std::shared_ptr<const RuleSet>> rules = ParseRules(damaged, "t.yaml");
    if (!rules.ok()) {
      ASSERT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument) << damaged;
      ASSERT_THAT(std::string(rules.status().message()), StartsWith("t.yaml")) << damaged;
    }
  }
}

TEST(DetectRulesTest, FingerprintIgnoresCommentsLayoutAndKeyOrder) {
  // Detector::SetRules keeps the windows of a rule whose definition is unchanged; the
  // detector tests check that end to end. Here: two spellings of one rule load alike.
  ASSERT_OK_AND_ASSIGN(auto block, ParseRules("rules:\n  - id: a\n    severity: low\n    "
                                              "rate: {key: actor, window: 1m, at_least: 2}\n",
                                              "a.yaml"));
  ASSERT_OK_AND_ASSIGN(auto flow, ParseRules("# comment\nrules: [{rate: {at_least: 2, window: "
                                             "1m, key: actor}, severity: low, id: a}]\n",
                                             "b.yaml"));
  EXPECT_EQ(block->infos()[0].id, flow->infos()[0].id);
}

// Directories.

TEST(DetectRulesTest, DirectoryLoadsRuleFilesInNameOrderAndSkipsOthers) {
  ScratchDir dir("detect_rules");
  WriteFile(dir.Sub("b.yml"), "rules:\n  - id: second\n    severity: low\n    threshold: any\n");
  WriteFile(dir.Sub("a.yaml"), "rules:\n  - id: first\n    severity: low\n    threshold: any\n");
  WriteFile(dir.Sub("notes.txt"), "not yaml at all: [");
  WriteFile(dir.Sub(".hidden.yaml"), "broken: [");
  WriteFile(dir.Sub("c.yaml~"), "broken: [");
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const RuleSet> rules, LoadRules(dir.path()));
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ(rules->infos()[0].id, "first");
  EXPECT_EQ(rules->infos()[0].defined_at, dir.Sub("a.yaml") + ":2:5");
  EXPECT_EQ(rules->infos()[1].id, "second");
}

TEST(DetectRulesTest, DirectoryWithABrokenFileIsRefusedWhole) {
  ScratchDir dir("detect_rules");
  WriteFile(dir.Sub("a.yaml"), "rules:\n  - id: fine\n    severity: low\n    threshold: any\n");
  WriteFile(dir.Sub("b.yaml"),
            "rules:\n  - id: broken\n    severity: low\n    rate: {key: actor, window: 1d, "
            "at_least: 2}\n");
  EXPECT_THAT(LoadRules(dir.path()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith(dir.Sub("b.yaml") + ":4:32: the window must be a duration")));
}

TEST(DetectRulesTest, DuplicateIdAcrossFilesNamesBoth) {
  ScratchDir dir("detect_rules");
  WriteFile(dir.Sub("a.yaml"), "rules:\n  - id: same\n    severity: low\n    threshold: any\n");
  WriteFile(dir.Sub("b.yaml"),
            "rules:\n  - id: other\n    severity: low\n    threshold: any\n  - id: same\n    "
            "severity: low\n    threshold: any\n");
  EXPECT_THAT(LoadRules(dir.path()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       dir.Sub("b.yaml") + ":5:5: duplicate rule id 'same' (first defined at " +
                           dir.Sub("a.yaml") + ":2:5)"));
}

TEST(DetectRulesTest, DirectoryWithoutRuleFilesIsRefused) {
  ScratchDir dir("detect_rules");
  WriteFile(dir.Sub("readme.md"), "nothing");
  EXPECT_THAT(LoadRules(dir.path()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       dir.path() + ": the directory holds no rule files (*.yaml or *.yml)"));
}

TEST(DetectRulesTest, MissingPathIsNotFound) {
  ScratchDir dir("detect_rules");
  EXPECT_THAT(LoadRules(dir.Sub("nope.yaml")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(dir.Sub("nope.yaml"))));
}

TEST(DetectRulesTest, SingleFileLoads) {
  ScratchDir dir("detect_rules");
  WriteFile(dir.Sub("one.yaml"), kValid);
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const RuleSet> rules, LoadRules(dir.Sub("one.yaml")));
  EXPECT_EQ(rules->size(), 3u);
}

TEST(DetectRulesTest, ShippedExampleRulesLoad) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const RuleSet> rules, LoadRules(SEALTRAIL_RULES_DIR));
  std::vector<std::string> ids;
  for (const RuleInfo& info : rules->infos()) {
    ids.push_back(info.id);
    EXPECT_FALSE(info.description.empty()) << info.id;
  }
  EXPECT_THAT(ids, ::testing::ElementsAre(
                       "denied-on-admin-route", "barge-without-supervisor-grant",
                       "denied-burst-actor", "denied-burst-source-ip", "escalation-then-export",
                       "mass-export-single", "mass-export-accumulated",
                       "sensitive-access-outside-hours", "intervention-outside-supervisor-role"));
}

// Patterns.

bool GlobMatches(const char* pattern, const char* value) {
  absl::StatusOr<Glob> glob = Glob::Compile(pattern);
  EXPECT_TRUE(glob.ok()) << pattern << ": " << glob.status();
  return glob.ok() && glob->Matches(value);
}

TEST(DetectGlobTest, MatchesShellStylePatterns) {
  EXPECT_TRUE(GlobMatches("call.barge", "call.barge"));
  EXPECT_FALSE(GlobMatches("call.barge", "call.barge2"));
  EXPECT_TRUE(GlobMatches("call.*", "call.whisper"));
  EXPECT_FALSE(GlobMatches("call.*", "xcall.whisper"));
  EXPECT_TRUE(GlobMatches("*.export", "data.export"));
  EXPECT_TRUE(GlobMatches("*admin*", "/v2/admin/users"));
  EXPECT_TRUE(GlobMatches("*", ""));
  EXPECT_TRUE(GlobMatches("", ""));
  EXPECT_FALSE(GlobMatches("", "x"));
  EXPECT_TRUE(GlobMatches("/v2/*/barge", "/v2/calls/{call_id}/barge"));
  EXPECT_FALSE(GlobMatches("/v2/*/barge", "/v2/calls/barge/x"));
  EXPECT_TRUE(GlobMatches("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(GlobMatches("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(GlobMatches("agent-?", "agent-7"));
  EXPECT_FALSE(GlobMatches("agent-?", "agent-77"));
  EXPECT_TRUE(GlobMatches("agent-[0-9]", "agent-7"));
  EXPECT_FALSE(GlobMatches("agent-[!0-9]", "agent-7"));
  EXPECT_TRUE(GlobMatches("agent-[^0-9]", "agent-x"));
  EXPECT_TRUE(GlobMatches("[]x]", "]"));
  EXPECT_TRUE(GlobMatches("a\\*", "a*"));
  EXPECT_FALSE(GlobMatches("a\\*", "ab"));
  EXPECT_TRUE(GlobMatches("**x**", "abxcd"));
  // Worst case for backtracking stays linear in practice.
  EXPECT_FALSE(GlobMatches("*a*a*a*a*a*a*b", std::string(2000, 'a').c_str()));
}

TEST(DetectGlobTest, BadPatternsSayWhy) {
  EXPECT_THAT(Glob::Compile("x["),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'[' is not closed")));
  EXPECT_THAT(Glob::Compile("[]"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'[' is not closed")));
  EXPECT_THAT(Glob::Compile("[9-0]"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("runs backwards")));
  EXPECT_THAT(Glob::Compile("x\\"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lone '\\'")));
}

TEST(DetectIpNetworkTest, MatchesCidrsOfBothFamilies) {
  ASSERT_OK_AND_ASSIGN(IpNetwork ten, IpNetwork::Parse("10.0.0.0/8"));
  EXPECT_TRUE(ten.Contains("10.200.3.4"));
  EXPECT_FALSE(ten.Contains("11.0.0.1"));
  EXPECT_TRUE(ten.Contains("::ffff:10.1.2.3"));
  EXPECT_FALSE(ten.Contains(""));
  EXPECT_FALSE(ten.Contains("not an ip"));
  ASSERT_OK_AND_ASSIGN(IpNetwork odd, IpNetwork::Parse("192.0.2.128/25"));
  EXPECT_TRUE(odd.Contains("192.0.2.200"));
  EXPECT_FALSE(odd.Contains("192.0.2.100"));
  ASSERT_OK_AND_ASSIGN(IpNetwork v6, IpNetwork::Parse("2001:db8::/32"));
  EXPECT_TRUE(v6.Contains("2001:db8:1::7"));
  EXPECT_FALSE(v6.Contains("2001:db9::7"));
  EXPECT_FALSE(v6.Contains("10.0.0.1"));
  ASSERT_OK_AND_ASSIGN(IpNetwork one, IpNetwork::Parse("192.0.2.7"));
  EXPECT_TRUE(one.Contains("192.0.2.7"));
  EXPECT_FALSE(one.Contains("192.0.2.8"));
  ASSERT_OK_AND_ASSIGN(IpNetwork all, IpNetwork::Parse("0.0.0.0/0"));
  EXPECT_TRUE(all.Contains("203.0.113.9"));
  EXPECT_THAT(IpNetwork::Parse("10.0.0.0/"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(IpNetwork::Parse("10.0.0.0/+8"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(IpNetwork::Parse("2001:db8::/129"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(IpNetwork::Parse("10.0.0/8"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DetectBusinessHoursTest, FollowsTheZoneAndDaylightSavingTime) {
  ASSERT_OK_AND_ASSIGN(absl::TimeZone berlin, LoadZone("Europe/Berlin"));
  const BusinessHours hours(berlin, 0b0011111, 8 * 60, 18 * 60);
  const auto at = [](const char* utc) {
    absl::Time time;
    std::string error;
    EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, utc, &time, &error)) << error;
    return absl::ToUnixNanos(time);
  };
  // Winter: UTC+1.
  EXPECT_FALSE(hours.Contains(at("2026-11-18T06:59:59Z")));  // 07:59:59 Wednesday
  EXPECT_TRUE(hours.Contains(at("2026-11-18T07:00:00Z")));   // 08:00
  EXPECT_TRUE(hours.Contains(at("2026-11-18T16:59:59Z")));   // 17:59:59
  EXPECT_FALSE(hours.Contains(at("2026-11-18T17:00:00Z")));  // 18:00
  EXPECT_FALSE(hours.Contains(at("2026-11-21T10:00:00Z")));  // Saturday
  // Summer: UTC+2.
  EXPECT_TRUE(hours.Contains(at("2026-07-15T06:00:00Z")));   // 08:00 Wednesday
  EXPECT_FALSE(hours.Contains(at("2026-07-15T05:59:00Z")));  // 07:59
}

}  // namespace
}  // namespace sealtrail::detect
