#include "server/detect/rule_set.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sealtrail/read_file.h"
#include "sealtrail/status_macros.h"
#include "server/detect/rule.h"
#include "server/detect/rule_parser.h"

namespace sealtrail::detect {
namespace {

constexpr size_t kMaxRuleFiles = 1000;

bool IsRuleFileName(std::string_view name) {
  return !name.starts_with('.') && (name.ends_with(".yaml") || name.ends_with(".yml"));
}

// Appends `more` to `all`, refusing an id that `all` already has.
absl::Status AddRules(std::vector<std::shared_ptr<const Rule>> more,
                      std::vector<std::shared_ptr<const Rule>>* all) {
  for (std::shared_ptr<const Rule>& rule : more) {
    const auto earlier = std::find_if(all->begin(), all->end(),
                                      [&](const auto& other) { return other->id == rule->id; });
    if (earlier != all->end()) {
      return absl::InvalidArgumentError(absl::StrCat(rule->defined_at, ": duplicate rule id ",
                                                     Quote(rule->id), " (first defined at ",
                                                     (*earlier)->defined_at, ")"));
    }
    all->push_back(std::move(rule));
  }
  if (all->size() > kMaxRules) {
    return absl::InvalidArgumentError(
        absl::StrCat("the rule files hold more than ", kMaxRules, " rules"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::shared_ptr<const Rule>>> LoadRuleFile(Env* env,
                                                                      const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, path, kMaxRulesFileBytes));
  return ParseRuleFile(text, path);
}

}  // namespace

RuleSet::RuleSet(std::vector<std::shared_ptr<const Rule>> rules) : rules_(std::move(rules)) {
  infos_.reserve(rules_.size());
  for (const std::shared_ptr<const Rule>& rule : rules_) {
    infos_.push_back(
        RuleInfo{rule->id, rule->severity, rule->kind, rule->description, rule->defined_at});
    if (const auto* rate = std::get_if<RateSpec>(&rule->spec)) {
      longest_window_ns_ = std::max(longest_window_ns_, rate->window_nanos);
    } else if (const auto* sequence = std::get_if<SequenceSpec>(&rule->spec)) {
      longest_window_ns_ = std::max(longest_window_ns_, sequence->window_nanos);
    }
  }
}

const RuleInfo* RuleSet::Find(std::string_view id) const {
  for (const RuleInfo& info : infos_) {
    if (info.id == id) return &info;
  }
  return nullptr;
}

absl::StatusOr<std::shared_ptr<const RuleSet>> ParseRules(std::string_view yaml_text,
                                                          std::string_view source_name) {
  ASSIGN_OR_RETURN(std::vector<std::shared_ptr<const Rule>> rules,
                   ParseRuleFile(absl::string_view(yaml_text.data(), yaml_text.size()),
                                 absl::string_view(source_name.data(), source_name.size())));
  return std::make_shared<const RuleSet>(std::move(rules));
}

absl::StatusOr<std::shared_ptr<const RuleSet>> LoadRules(const std::string& path, Env* env) {
  if (env == nullptr) env = Env::Default();
  std::vector<std::shared_ptr<const Rule>> rules;
  // A directory lists; a file does not (ENOTDIR), and is then read as one rules file.
  absl::StatusOr<std::vector<std::string>> children = env->GetChildren(path);
  if (!children.ok()) {
    ASSIGN_OR_RETURN(rules, LoadRuleFile(env, path));
    return std::make_shared<const RuleSet>(std::move(rules));
  }
  std::vector<std::string> names;
  for (std::string& name : *children) {
    if (IsRuleFileName(name)) names.push_back(std::move(name));
  }
  if (names.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": the directory holds no rule files (*.yaml or *.yml)"));
  }
  if (names.size() > kMaxRuleFiles) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": the directory holds ", names.size(),
                                                   " rule files; at most ", kMaxRuleFiles,
                                                   " are read"));
  }
  std::sort(names.begin(), names.end());
  const std::string prefix = path.ends_with('/') ? path : path + "/";
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(std::vector<std::shared_ptr<const Rule>> file_rules,
                     LoadRuleFile(env, prefix + name));
    RETURN_IF_ERROR(AddRules(std::move(file_rules), &rules));
  }
  return std::make_shared<const RuleSet>(std::move(rules));
}

}  // namespace sealtrail::detect
