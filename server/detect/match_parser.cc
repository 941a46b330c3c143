#include "server/detect/match_parser.h"

#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::detect {
namespace {

constexpr absl::string_view kOutsideHours = "outside_hours";
constexpr uint8_t kMondayToFriday = 0b0011111;

bool IsRangeKey(absl::string_view key) {
  return key == "above" || key == "at_least" || key == "below" || key == "at_most";
}

// A mapping condition ({not: ...}, {above: ...}): true if `node` is one that holds a range key.
bool HoldsRangeKey(const YAML::Node& node) {
  if (!node.IsMap()) return false;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.IsScalar() && IsRangeKey(it->first.Scalar())) return true;
  }
  return false;
}

// The values of a condition and whether it is negated: `{not: VALUES}` or `VALUES`.
struct Operand {
  YAML::Node values;
  bool negated = false;
};

absl::StatusOr<Operand> ParseOperand(const YamlSource& source, const YAML::Node& node,
                                     const std::string& what) {
  if (!node.IsMap()) return Operand{node, false};
  ASSIGN_OR_RETURN(std::vector<YamlEntry> entries, source.Mapping(node, what, {"not"}));
  if (entries.empty()) {
    return source.Error(node, absl::StrCat(what,
                                           " is an empty mapping (write {not: VALUE} or "
                                           "just VALUE)"));
  }
  return Operand{entries[0].value, true};
}

absl::StatusOr<std::unique_ptr<Condition>> ParseTextCondition(const YamlSource& source,
                                                              const RecordField& field,
                                                              const YAML::Node& node) {
  const std::string what = absl::StrCat("the condition on ", field.name);
  ASSIGN_OR_RETURN(Operand operand, ParseOperand(source, node, what));
  ASSIGN_OR_RETURN(auto items, source.ScalarOrList(operand.values,
                                                   absl::StrCat("the patterns of ", field.name)));
  std::vector<Glob> patterns;
  std::vector<IpNetwork> networks;
  for (const auto& [text, item] : items) {
    if (field.id == FieldId::kSourceIp && text.find('/') != std::string::npos) {
      absl::StatusOr<IpNetwork> network = IpNetwork::Parse(text);
      if (!network.ok()) {
        return source.Error(item, absl::StrCat("bad CIDR ", Quote(text), " for ", field.name, ": ",
                                               network.status().message()));
      }
      networks.push_back(*network);
      continue;
    }
    absl::StatusOr<Glob> glob = Glob::Compile(text);
    if (!glob.ok()) {
      return source.Error(item, absl::StrCat("bad pattern ", Quote(text), " for ", field.name, ": ",
                                             glob.status().message()));
    }
    patterns.push_back(*std::move(glob));
  }
  return MakeTextCondition(field, std::move(patterns), std::move(networks), operand.negated);
}

absl::StatusOr<std::unique_ptr<Condition>> ParseNumberCondition(const YamlSource& source,
                                                                const RecordField& field,
                                                                const YAML::Node& node) {
  NumberBounds bounds;
  const std::string what = absl::StrCat("the condition on ", field.name);
  if (!node.IsMap()) {
    ASSIGN_OR_RETURN(auto items, source.ScalarOrList(node, what));
    for (const auto& [text, item] : items) {
      ASSIGN_OR_RETURN(int64_t value,
                       source.Integer(item, absl::StrCat("a value of ", field.name)));
      bounds.equals.push_back(value);
    }
    return MakeNumberCondition(field, std::move(bounds));
  }
  ASSIGN_OR_RETURN(std::vector<YamlEntry> entries,
                   source.Mapping(node, what, {"above", "at_least", "below", "at_most", "not"}));
  if (entries.empty()) {
    return source.Error(node, absl::StrCat(what, " is an empty mapping (write e.g. {above: 10})"));
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  for (const YamlEntry& entry : entries) {
    if (entry.key == "not") {
      if (entries.size() > 1) {
        return source.Error(entry.key_node,
                            absl::StrCat(what,
                                         " has 'not' beside a range; write one or the "
                                         "other (a range is negated by its opposite)"));
      }
      ASSIGN_OR_RETURN(auto items, source.ScalarOrList(entry.value, what));
      for (const auto& [text, item] : items) {
        ASSIGN_OR_RETURN(int64_t value,
                         source.Integer(item, absl::StrCat("a value of ", field.name)));
        bounds.equals.push_back(value);
      }
      bounds.negated = true;
      continue;
    }
    ASSIGN_OR_RETURN(int64_t value,
                     source.Integer(entry.value, absl::StrCat(field.name, "'s ", entry.key)));
    if ((entry.key == "above" && value == kMax) || (entry.key == "below" && value == kMin)) {
      return source.Error(entry.value, absl::StrCat("no number is ", entry.key, " ", value));
    }
    const int64_t low = entry.key == "above" ? value + 1 : value;
    const int64_t high = entry.key == "below" ? value - 1 : value;
    if (entry.key == "above" || entry.key == "at_least") {
      bounds.at_least = std::max(bounds.at_least.value_or(kMin), low);
    } else {
      bounds.at_most = std::min(bounds.at_most.value_or(kMax), high);
    }
  }
  if (bounds.at_least.value_or(kMin) > bounds.at_most.value_or(kMax)) {
    return source.Error(node, absl::StrCat(what, " is a range that holds no number"));
  }
  return MakeNumberCondition(field, std::move(bounds));
}

absl::StatusOr<std::unique_ptr<Condition>> ParseOutcomeCondition(const YamlSource& source,
                                                                 const YAML::Node& node) {
  ASSIGN_OR_RETURN(Operand operand, ParseOperand(source, node, "the condition on outcome"));
  ASSIGN_OR_RETURN(auto items, source.ScalarOrList(operand.values, "outcome"));
  uint32_t mask = 0;
  for (const auto& [text, item] : items) {
    v1::Outcome::Result result = v1::Outcome::RESULT_UNSPECIFIED;
    if (!v1::Outcome::Result_Parse(text, &result) || result == v1::Outcome::RESULT_UNSPECIFIED) {
      return source.Error(item, absl::StrCat("bad outcome ", Quote(text),
                                             " (expected SUCCESS, FAILURE or DENIED)"));
    }
    mask |= 1u << result;
  }
  if (operand.negated) {
    constexpr uint32_t kEvery =
        (1u << v1::Outcome::SUCCESS) | (1u << v1::Outcome::FAILURE) | (1u << v1::Outcome::DENIED);
    mask = kEvery & ~mask;
  }
  return MakeOutcomeCondition(mask);
}

absl::StatusOr<std::unique_ptr<Condition>> ParseOutsideHours(const YamlSource& source,
                                                             const YAML::Node& node) {
  ASSIGN_OR_RETURN(std::vector<YamlEntry> entries,
                   source.Mapping(node, "outside_hours", {"timezone", "days", "hours"}));
  std::optional<absl::TimeZone> zone;
  std::optional<std::pair<int, int>> hours;
  uint8_t days = kMondayToFriday;
  for (const YamlEntry& entry : entries) {
    if (entry.key == "timezone") {
      ASSIGN_OR_RETURN(std::string name, source.Scalar(entry.value, "the timezone"));
      absl::StatusOr<absl::TimeZone> loaded = LoadZone(name);
      if (!loaded.ok()) {
        return source.Error(entry.value, absl::StrCat("bad timezone ", Quote(name), ": ",
                                                      loaded.status().message()));
      }
      zone = *loaded;
    } else if (entry.key == "hours") {
      ASSIGN_OR_RETURN(std::string text, source.Scalar(entry.value, "the hours"));
      absl::StatusOr<std::pair<int, int>> range = ParseHoursRange(text);
      if (!range.ok()) {
        return source.Error(
            entry.value, absl::StrCat("bad hours ", Quote(text), ": ", range.status().message()));
      }
      hours = *range;
    } else {
      ASSIGN_OR_RETURN(auto items, source.ScalarOrList(entry.value, "the days"));
      days = 0;
      for (const auto& [text, item] : items) {
        const uint8_t bit = WeekdayBit(text);
        if (bit == 0) {
          return source.Error(item, absl::StrCat(Quote(text),
                                                 " is not a weekday (Mon, Tue, Wed, "
                                                 "Thu, Fri, Sat, Sun)"));
        }
        days |= bit;
      }
    }
  }
  if (!zone.has_value()) {
    return source.Error(node, "outside_hours needs a timezone (e.g. timezone: Europe/Berlin)");
  }
  if (!hours.has_value()) {
    return source.Error(node, "outside_hours needs the business hours (e.g. hours: 08:00-18:00)");
  }
  return MakeOutsideHoursCondition(BusinessHours(*zone, days, hours->first, hours->second));
}

absl::StatusOr<std::unique_ptr<Condition>> ParseCondition(const YamlSource& source,
                                                          const YamlEntry& entry) {
  if (entry.key == kOutsideHours) return ParseOutsideHours(source, entry.value);
  const std::optional<RecordField> field = FieldByName(entry.key);
  if (!field.has_value()) {
    return source.Error(entry.key_node, absl::StrCat("unknown field ", Quote(entry.key),
                                                     " in match (fields: ", KnownFieldNames(),
                                                     "; and outside_hours)"));
  }
  switch (field->id) {
    case FieldId::kOutcome:
      return ParseOutcomeCondition(source, entry.value);
    case FieldId::kVerified: {
      ASSIGN_OR_RETURN(bool verified, source.Bool(entry.value, "verified"));
      return MakeVerifiedCondition(verified);
    }
    case FieldId::kRowCount:
    case FieldId::kStatusCode:
      return ParseNumberCondition(source, *field, entry.value);
    case FieldId::kAttribute:
      // An attribute is text, unless compared with a range.
      if (HoldsRangeKey(entry.value)) return ParseNumberCondition(source, *field, entry.value);
      return ParseTextCondition(source, *field, entry.value);
    default:
      return ParseTextCondition(source, *field, entry.value);
  }
}

}  // namespace

absl::StatusOr<Match> ParseMatch(const YamlSource& source, const YAML::Node& node) {
  ASSIGN_OR_RETURN(std::vector<YamlEntry> entries, source.AnyKeyMapping(node, "match"));
  std::vector<std::unique_ptr<Condition>> conditions;
  for (const YamlEntry& entry : entries) {
    ASSIGN_OR_RETURN(std::unique_ptr<Condition> condition, ParseCondition(source, entry));
    conditions.push_back(std::move(condition));
  }
  return Match(std::move(conditions));
}

absl::StatusOr<RecordField> ParseFieldName(const YamlSource& source, const YAML::Node& node,
                                           absl::string_view what, bool number) {
  ASSIGN_OR_RETURN(std::string name, source.Scalar(node, what));
  const std::optional<RecordField> field = FieldByName(name);
  if (!field.has_value()) {
    return source.Error(node, absl::StrCat("unknown field ", Quote(name), " as ", what,
                                           " (fields: ", KnownFieldNames(), ")"));
  }
  if (number && !field->is_number()) {
    return source.Error(node, absl::StrCat(what,
                                           " must be a number field (row_count, status_code "
                                           "or attributes.KEY), not ",
                                           Quote(name)));
  }
  if (!number && !field->is_text()) {
    return source.Error(node, absl::StrCat(what,
                                           " must be a text field (e.g. actor, tenant, "
                                           "source_ip, attributes.KEY), not ",
                                           Quote(name)));
  }
  return *field;
}

}  // namespace sealtrail::detect
