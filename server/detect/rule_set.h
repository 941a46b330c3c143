// Detection rules: loading and checking them (the language is docs/detection.md, "Rules").
//
//   absl::StatusOr<std::shared_ptr<const RuleSet>> rules = LoadRules("/etc/sealtrail/rules");
//   if (!rules.ok()) ... keep the rules in force; rules.status() says FILE:LINE:COL and why
//   detector.SetRules(*rules);
//
// A rule set is all or nothing: one mistake anywhere (YAML syntax, an unknown key or field, a
// missing id, severity or kind, two kinds in one rule, a duplicate id in any two files, a bad
// pattern, CIDR, number, duration, outcome, time zone, weekday or hours, a window of 0 or over
// 24h, a sequence of fewer than 2 or more than 8 steps, an empty file) refuses the whole set
// with INVALID_ARGUMENT "FILE:LINE:COL: what is wrong" (lines and columns counted from 1),
// and nothing is loaded. Loading never throws and never crashes on any input.
//
// Thread-safety: a RuleSet is immutable; share it freely across threads.
#ifndef SEALTRAIL_SERVER_DETECT_RULE_SET_H_
#define SEALTRAIL_SERVER_DETECT_RULE_SET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sealtrail/env.h"

namespace sealtrail::detect {

struct Rule;  // The compiled form (server/detect/rule.h, internal).

// What a rule is, for listing rules and routing their alerts.
struct RuleInfo {
  std::string id;
  std::string severity;  // low, medium, high or critical
  std::string kind;      // threshold, rate or sequence
  std::string description;
  std::string defined_at;  // FILE:LINE:COL
};

class RuleSet {
 public:
  // `rules` in evaluation order, ids unique (the parser's output).
  explicit RuleSet(std::vector<std::shared_ptr<const Rule>> rules);

  size_t size() const { return rules_.size(); }
  // In evaluation order: files in name order, rules in file order.
  const std::vector<RuleInfo>& infos() const { return infos_; }
  // The rule with id `id`, or nullptr.
  const RuleInfo* Find(std::string_view id) const;
  // The longest window of any rate or sequence rule (0 if there is none): a Detector restarted
  // from a log position rebuilds its windows exactly by observing the records committed in the
  // longest window before that position.
  int64_t longest_window_ns() const { return longest_window_ns_; }

  // For the Detector.
  const std::vector<std::shared_ptr<const Rule>>& rules() const { return rules_; }

 private:
  std::vector<std::shared_ptr<const Rule>> rules_;
  std::vector<RuleInfo> infos_;
  int64_t longest_window_ns_ = 0;
};

// The rules of `path`: a YAML file, or a directory, whose every *.yaml and *.yml file (not
// hidden ones, whose name starts with '.'; no subdirectories) is loaded in byte order of the
// names, as one set (an id may appear in one file only). Files are read through `env`
// (nullptr: Env::Default()), each at most 4 MiB.
// Errors: INVALID_ARGUMENT as above; a directory with no rule file is INVALID_ARGUMENT naming
// it; a file that cannot be read is the Env's error (NOT_FOUND naming a missing path).
[[nodiscard]] absl::StatusOr<std::shared_ptr<const RuleSet>> LoadRules(const std::string& path,
                                                                       Env* env = nullptr);

// The rules in `yaml_text`, with `source_name` as the FILE of every message.
[[nodiscard]] absl::StatusOr<std::shared_ptr<const RuleSet>> ParseRules(
    std::string_view yaml_text, std::string_view source_name);

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_RULE_SET_H_
