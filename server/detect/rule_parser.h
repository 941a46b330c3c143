// ParseRule: one element of a rules file's `rules:` list compiled into a Rule
// (docs/detection.md, "Rules"). ParseRuleFile: a whole file's text.
//
// Internal to server/detect (rule_set.h is the public entry point).
#ifndef SEALTRAIL_SERVER_DETECT_RULE_PARSER_H_
#define SEALTRAIL_SERVER_DETECT_RULE_PARSER_H_

#include <memory>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "server/detect/rule.h"
#include "server/detect/yaml_source.h"

namespace sealtrail::detect {

// The largest rules file, and the most rules in one set.
inline constexpr size_t kMaxRulesFileBytes = 4u << 20;
inline constexpr size_t kMaxRules = 10'000;

[[nodiscard]] absl::StatusOr<Rule> ParseRule(const YamlSource& source, const YAML::Node& node);

// The rules of one file, in file order, with no id given twice. INVALID_ARGUMENT
// "NAME:LINE:COL: ..." for a YAML syntax error, an empty file, a second document, a top level
// other than `rules:` with a non-empty list, or any mistake in a rule. Never throws.
[[nodiscard]] absl::StatusOr<std::vector<std::shared_ptr<const Rule>>> ParseRuleFile(
    absl::string_view yaml_text, absl::string_view source_name);

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_RULE_PARSER_H_
