#include "server/detect/rule_parser.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"
#include "server/detect/match_parser.h"
#include "yaml-cpp/depthguard.h"

namespace sealtrail::detect {
namespace {

constexpr size_t kMaxIdBytes = 128;
constexpr size_t kMaxDescriptionBytes = 4096;

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes || !absl::ascii_isalnum(id[0])) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

bool IsSeverity(absl::string_view text) {
  return text == "low" || text == "medium" || text == "high" || text == "critical";
}

// The node in a form that is the same exactly when the YAML says the same: scalars quoted and
// escaped, mapping keys sorted; comments, layout, flow or block style, quoting and key order
// make no difference. The parser bounds the depth.
void AppendCanonical(const YAML::Node& node, std::string* out) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      absl::StrAppend(out, "\"", absl::CHexEscape(node.Scalar()), "\"");
      break;
    case YAML::NodeType::Sequence:
      out->push_back('[');
      for (auto it = node.begin(); it != node.end(); ++it) {
        AppendCanonical(*it, out);
        out->push_back(',');
      }
      out->push_back(']');
      break;
    case YAML::NodeType::Map: {
      std::vector<std::pair<std::string, std::string>> entries;
      for (auto it = node.begin(); it != node.end(); ++it) {
        std::pair<std::string, std::string> entry;
        AppendCanonical(it->first, &entry.first);
        AppendCanonical(it->second, &entry.second);
        entries.push_back(std::move(entry));
      }
      std::sort(entries.begin(), entries.end());
      out->push_back('{');
      for (const auto& [key, value] : entries) absl::StrAppend(out, key, ":", value, ",");
      out->push_back('}');
      break;
    }
    default:
      out->push_back('~');
      break;
  }
}

// `{field: NUMBER_FIELD, above: N}`, as a threshold and a rate's sum take it. `what` names the
// mapping ("threshold", "sum").
absl::StatusOr<std::pair<RecordField, int64_t>> ParseFieldAbove(const YamlSource& source,
                                                                const YAML::Node& node,
                                                                absl::string_view what) {
  ASSIGN_OR_RETURN(std::vector<YamlEntry> entries, source.Mapping(node, what, {"field", "above"}));
  std::optional<RecordField> field;
  std::optional<int64_t> above;
  for (const YamlEntry& entry : entries) {
    if (entry.key == "field") {
      ASSIGN_OR_RETURN(
          field, ParseFieldName(source, entry.value, absl::StrCat("the ", what, "'s field"), true));
    } else {
      ASSIGN_OR_RETURN(above, source.Integer(entry.value, absl::StrCat("the ", what, "'s above")));
    }
  }
  if (!field.has_value() || !above.has_value()) {
    return source.Error(node, absl::StrCat(what,
                                           " needs both field and above (e.g. field: "
                                           "row_count, above: 10000)"));
  }
  return std::make_pair(*std::move(field), *above);
}

absl::StatusOr<ThresholdSpec> ParseThreshold(const YamlSource& source, const YAML::Node& node) {
  ThresholdSpec spec;
  if (node.IsScalar()) {
    if (node.Scalar() != "any") {
      return source.Error(node, absl::StrCat("threshold must be 'any' (every matching record) or "
                                             "a mapping with field and above, not ",
                                             Quote(node.Scalar())));
    }
    return spec;
  }
  ASSIGN_OR_RETURN(auto field_above, ParseFieldAbove(source, node, "threshold"));
  spec.field = std::move(field_above.first);
  spec.above = field_above.second;
  return spec;
}

absl::StatusOr<uint64_t> ParseMaxEntries(const YamlSource& source, const YAML::Node& node) {
  ASSIGN_OR_RETURN(int64_t value, source.Integer(node, "max_entries"));
  if (value < 1 || static_cast<uint64_t>(value) > kMaxMaxEntries) {
    return source.Error(node,
                        absl::StrCat("max_entries must be 1 to ", kMaxMaxEntries, ", not ", value));
  }
  return static_cast<uint64_t>(value);
}

absl::StatusOr<RateSpec> ParseRate(const YamlSource& source, const YAML::Node& node) {
  ASSIGN_OR_RETURN(
      std::vector<YamlEntry> entries,
      source.Mapping(node, "rate", {"key", "window", "at_least", "sum", "max_entries"}));
  RateSpec spec;
  bool has_key = false;
  bool has_window = false;
  bool has_at_least = false;
  const YAML::Node* at_least_node = nullptr;
  for (const YamlEntry& entry : entries) {
    if (entry.key == "key") {
      ASSIGN_OR_RETURN(spec.key, ParseFieldName(source, entry.value, "the rate's key", false));
      has_key = true;
    } else if (entry.key == "window") {
      ASSIGN_OR_RETURN(spec.window_nanos,
                       source.DurationNanos(entry.value, "the window", kMaxWindowNanos));
      has_window = true;
    } else if (entry.key == "at_least") {
      ASSIGN_OR_RETURN(int64_t at_least, source.Integer(entry.value, "at_least"));
      if (at_least < 1) {
        return source.Error(entry.value,
                            absl::StrCat("at_least must be 1 or more, not ", at_least));
      }
      spec.at_least = static_cast<uint64_t>(at_least);
      has_at_least = true;
      at_least_node = &entry.value;
    } else if (entry.key == "sum") {
      ASSIGN_OR_RETURN(auto field_above, ParseFieldAbove(source, entry.value, "sum"));
      spec.sum_field = std::move(field_above.first);
      spec.sum_above = field_above.second;
    } else {
      ASSIGN_OR_RETURN(spec.max_entries, ParseMaxEntries(source, entry.value));
    }
  }
  if (!has_key) return source.Error(node, "rate needs a key (e.g. key: actor)");
  if (!has_window) return source.Error(node, "rate needs a window (e.g. window: 60s)");
  if (!has_at_least && !spec.sum_field.has_value()) {
    return source.Error(node, "rate needs at_least (a count of records), a sum, or both");
  }
  if (spec.at_least > spec.max_entries) {
    return source.Error(*at_least_node,
                        absl::StrCat("at_least ", spec.at_least, " is more than max_entries ",
                                     spec.max_entries, ": the rule could never fire"));
  }
  return spec;
}

absl::StatusOr<SequenceSpec> ParseSequence(const YamlSource& source, const YAML::Node& node) {
  ASSIGN_OR_RETURN(std::vector<YamlEntry> entries,
                   source.Mapping(node, "sequence", {"key", "window", "steps", "max_entries"}));
  SequenceSpec spec;
  std::optional<RecordField> key;
  bool has_window = false;
  const YAML::Node* steps_node = nullptr;
  for (const YamlEntry& entry : entries) {
    if (entry.key == "key") {
      ASSIGN_OR_RETURN(key, ParseFieldName(source, entry.value, "the sequence's key", false));
    } else if (entry.key == "window") {
      ASSIGN_OR_RETURN(spec.window_nanos,
                       source.DurationNanos(entry.value, "the window", kMaxWindowNanos));
      has_window = true;
    } else if (entry.key == "steps") {
      steps_node = &entry.value;
    } else {
      ASSIGN_OR_RETURN(spec.max_entries, ParseMaxEntries(source, entry.value));
    }
  }
  if (!has_window) return source.Error(node, "sequence needs a window (e.g. window: 15m)");
  if (steps_node == nullptr) return source.Error(node, "sequence needs steps (a list)");
  const YAML::Node& steps = *steps_node;
  if (!steps.IsSequence() || steps.size() < kMinSequenceSteps || steps.size() > kMaxSequenceSteps) {
    return source.Error(
        steps,
        absl::StrCat("steps must be a list of ", kMinSequenceSteps, " to ", kMaxSequenceSteps,
                     " steps",
                     steps.IsSequence() ? absl::StrCat(", not ", steps.size()) : std::string()));
  }
  size_t index = 0;
  for (auto it = steps.begin(); it != steps.end(); ++it, ++index) {
    const YAML::Node& step_node = *it;
    ASSIGN_OR_RETURN(std::vector<YamlEntry> parts,
                     source.Mapping(step_node, "a step", {"match", "without", "key"}));
    SequenceStep step;
    std::optional<RecordField> step_key = key;
    const YamlEntry* body = nullptr;
    for (const YamlEntry& part : parts) {
      if (part.key == "key") {
        ASSIGN_OR_RETURN(step_key, ParseFieldName(source, part.value, "the step's key", false));
        continue;
      }
      if (body != nullptr) {
        return source.Error(part.key_node, "a step is either match or without, not both");
      }
      body = &part;
    }
    if (body == nullptr) {
      return source.Error(step_node,
                          "a step needs match (what must happen) or without (what "
                          "must not have happened)");
    }
    step.without = body->key == "without";
    if (step.without && index != 0) {
      return source.Error(body->key_node,
                          "only the first step may be a without step (B without a preceding A is "
                          "written: steps: [{without: A}, {match: B}])");
    }
    if (!step_key.has_value()) {
      return source.Error(step_node,
                          "the step has no key: give the sequence a key (e.g. "
                          "key: actor), or each step its own");
    }
    step.key = *std::move(step_key);
    ASSIGN_OR_RETURN(step.match, ParseMatch(source, body->value));
    spec.steps.push_back(std::move(step));
  }
  return spec;
}

}  // namespace

absl::StatusOr<Rule> ParseRule(const YamlSource& source, const YAML::Node& node) {
  ASSIGN_OR_RETURN(
      std::vector<YamlEntry> entries,
      source.Mapping(node, "a rule",
                     {"id", "severity", "description", "match", "threshold", "rate", "sequence"}));
  Rule rule;
  rule.defined_at = source.Where(node);
  const YamlEntry* kind = nullptr;
  const YamlEntry* match = nullptr;
  bool has_severity = false;
  for (const YamlEntry& entry : entries) {
    if (entry.key == "id") {
      ASSIGN_OR_RETURN(rule.id, source.Scalar(entry.value, "the id"));
      if (!IsValidId(rule.id)) {
        return source.Error(entry.value,
                            absl::StrCat("bad rule id ", Quote(rule.id),
                                         ": use 1 to 128 letters, digits, '.', '_' and '-', "
                                         "starting with a letter or digit"));
      }
    } else if (entry.key == "severity") {
      ASSIGN_OR_RETURN(rule.severity, source.Scalar(entry.value, "the severity"));
      if (!IsSeverity(rule.severity)) {
        return source.Error(entry.value, absl::StrCat("bad severity ", Quote(rule.severity),
                                                      " (expected low, medium, high or critical)"));
      }
      has_severity = true;
    } else if (entry.key == "description") {
      ASSIGN_OR_RETURN(rule.description, source.Scalar(entry.value, "the description"));
      if (rule.description.size() > kMaxDescriptionBytes) {
        return source.Error(entry.value, absl::StrCat("the description is longer than ",
                                                      kMaxDescriptionBytes, " bytes"));
      }
    } else if (entry.key == "match") {
      match = &entry;
    } else {
      if (kind != nullptr) {
        return source.Error(entry.key_node,
                            absl::StrCat("a rule has exactly one of threshold, rate and sequence; "
                                         "this one has both ",
                                         kind->key, " and ", entry.key));
      }
      kind = &entry;
    }
  }
  if (rule.id.empty()) return source.Error(node, "the rule has no id");
  if (!has_severity) {
    return source.Error(node, absl::StrCat("rule ", Quote(rule.id),
                                           " has no severity (low, "
                                           "medium, high or critical)"));
  }
  if (kind == nullptr) {
    return source.Error(node, absl::StrCat("rule ", Quote(rule.id),
                                           " has no kind: give it threshold, rate or sequence"));
  }
  if (match != nullptr) {
    ASSIGN_OR_RETURN(rule.match, ParseMatch(source, match->value));
  }
  rule.kind = kind->key;
  if (kind->key == "threshold") {
    ASSIGN_OR_RETURN(rule.spec, ParseThreshold(source, kind->value));
  } else if (kind->key == "rate") {
    ASSIGN_OR_RETURN(rule.spec, ParseRate(source, kind->value));
  } else {
    ASSIGN_OR_RETURN(rule.spec, ParseSequence(source, kind->value));
  }
  AppendCanonical(node, &rule.fingerprint);
  return rule;
}

namespace {

absl::StatusOr<std::vector<std::shared_ptr<const Rule>>> ParseDocuments(
    const YamlSource& source, const std::vector<YAML::Node>& documents) {
  if (documents.empty() || (documents.size() == 1 && documents[0].IsNull())) {
    return source.Error(YAML::Node(),
                        "the file holds no rules (expected 'rules:' and a list of rules)");
  }
  if (documents.size() > 1) {
    return source.Error(documents[1],
                        "the file holds a second YAML document (after '---'); write "
                        "every rule in one 'rules:' list");
  }
  const YAML::Node& top = documents[0];
  ASSIGN_OR_RETURN(std::vector<YamlEntry> entries, source.Mapping(top, "the file", {"rules"}));
  if (entries.empty()) return source.Error(top, "the file needs a 'rules:' list");
  const YAML::Node& list = entries[0].value;
  if (!list.IsSequence()) {
    return source.Error(list, "'rules:' must be a list of rules (each starting with '- id:')");
  }
  if (list.size() == 0) return source.Error(list, "'rules:' is an empty list");
  if (list.size() > kMaxRules) {
    return source.Error(list, absl::StrCat("the file has ", list.size(), " rules; at most ",
                                           kMaxRules, " are allowed"));
  }
  std::vector<std::shared_ptr<const Rule>> rules;
  for (auto it = list.begin(); it != list.end(); ++it) {
    ASSIGN_OR_RETURN(Rule rule, ParseRule(source, *it));
    for (const std::shared_ptr<const Rule>& earlier : rules) {
      if (earlier->id == rule.id) {
        return absl::InvalidArgumentError(absl::StrCat(rule.defined_at, ": duplicate rule id ",
                                                       Quote(rule.id), " (first defined at ",
                                                       earlier->defined_at, ")"));
      }
    }
    rules.push_back(std::make_shared<const Rule>(std::move(rule)));
  }
  return rules;
}

}  // namespace

absl::StatusOr<std::vector<std::shared_ptr<const Rule>>> ParseRuleFile(
    absl::string_view yaml_text, absl::string_view source_name) {
  const YamlSource source{std::string(source_name)};
  if (yaml_text.size() > kMaxRulesFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": the file is ", yaml_text.size(),
                                                   " bytes; a rules file may have at most ",
                                                   kMaxRulesFileBytes, " bytes"));
  }
  // yaml-cpp reports syntax errors, and nesting past its depth limit, by exceptions; they end
  // here. The rest of the parser checks each node's type before it reads it and throws nothing,
  // but any exception from yaml-cpp's iteration is caught too: a rules file never crashes the
  // server.
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml_text));
    return ParseDocuments(source, documents);
  } catch (const YAML::DeepRecursion& e) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ":", e.mark.line + 1, ":",
                                                   e.mark.column + 1,
                                                   ": YAML syntax error: nested too deeply"));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) {
      return absl::InvalidArgumentError(absl::StrCat(source_name, ": YAML error: ", e.msg));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        source_name, ":", e.mark.line + 1, ":", e.mark.column + 1, ": YAML syntax error: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source_name, ": the rules could not be read: ", e.what()));
  }
}

}  // namespace sealtrail::detect
