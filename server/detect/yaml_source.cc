#include "server/detect/yaml_source.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace sealtrail::detect {
namespace {

constexpr size_t kQuoteBytes = 64;
constexpr size_t kMaxListItems = 1000;

// Digits with an optional fraction and a unit (h, m, s, ms, us, ns), one or more times: what
// absl::ParseDuration takes, less its signs, "inf" and the bare "0".
bool LooksLikeDuration(absl::string_view text) {
  if (text.empty()) return false;
  size_t i = 0;
  while (i < text.size()) {
    const size_t digits_start = i;
    while (i < text.size() && absl::ascii_isdigit(text[i])) ++i;
    if (i == digits_start) return false;
    if (i < text.size() && text[i] == '.') {
      const size_t fraction_start = ++i;
      while (i < text.size() && absl::ascii_isdigit(text[i])) ++i;
      if (i == fraction_start) return false;
    }
    const absl::string_view rest = text.substr(i);
    if (absl::StartsWith(rest, "ms") || absl::StartsWith(rest, "us") ||
        absl::StartsWith(rest, "ns")) {
      i += 2;
    } else if (absl::StartsWith(rest, "h") || absl::StartsWith(rest, "m") ||
               absl::StartsWith(rest, "s")) {
      i += 1;
    } else {
      return false;
    }
  }
  return true;
}

absl::string_view TypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a single value";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "an undefined value";
  }
}

}  // namespace

std::string Quote(absl::string_view text) {
  const bool cut = text.size() > kQuoteBytes;
  return absl::StrCat("'", absl::CHexEscape(text.substr(0, kQuoteBytes)), cut ? "...'" : "'");
}

std::string YamlSource::Where(const YAML::Node& node) const {
  const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  if (mark.is_null()) return absl::StrCat(name_, ":1:1");
  return absl::StrCat(name_, ":", mark.line + 1, ":", mark.column + 1);
}

absl::Status YamlSource::Error(const YAML::Node& at, absl::string_view what) const {
  return absl::InvalidArgumentError(absl::StrCat(Where(at), ": ", what));
}

absl::StatusOr<std::vector<YamlEntry>> YamlSource::AnyKeyMapping(const YAML::Node& node,
                                                                 absl::string_view what) const {
  if (!node.IsMap()) {
    return Error(node,
                 absl::StrCat(what, " must be a mapping (key: value lines), not ", TypeName(node)));
  }
  std::vector<YamlEntry> entries;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      return Error(it->first, absl::StrCat("a key of ", what, " must be a plain word"));
    }
    std::string key = it->first.Scalar();
    if (it->second.IsNull()) {
      // Said at the key: yaml-cpp places an absent value at the start of the next line.
      return Error(it->first, absl::StrCat("key ", Quote(key), " in ", what, " has no value"));
    }
    for (const YamlEntry& earlier : entries) {
      if (earlier.key == key) {
        return Error(it->first, absl::StrCat("key ", Quote(key), " is given twice in ", what,
                                             " (first at ", Where(earlier.key_node), ")"));
      }
    }
    entries.push_back(YamlEntry{std::move(key), it->first, it->second});
  }
  return entries;
}

absl::StatusOr<std::vector<YamlEntry>> YamlSource::Mapping(
    const YAML::Node& node, absl::string_view what,
    std::initializer_list<absl::string_view> allowed) const {
  absl::StatusOr<std::vector<YamlEntry>> entries = AnyKeyMapping(node, what);
  if (!entries.ok()) return entries.status();
  for (const YamlEntry& entry : *entries) {
    if (std::find(allowed.begin(), allowed.end(), entry.key) == allowed.end()) {
      return Error(entry.key_node, absl::StrCat("unknown key ", Quote(entry.key), " in ", what,
                                                " (expected ", absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return entries;
}

absl::StatusOr<std::string> YamlSource::Scalar(const YAML::Node& node,
                                               absl::string_view what) const {
  if (!node.IsScalar()) {
    return Error(node, absl::StrCat(what, " must be a single value, not ", TypeName(node)));
  }
  return node.Scalar();
}

absl::StatusOr<std::vector<std::pair<std::string, YAML::Node>>> YamlSource::ScalarOrList(
    const YAML::Node& node, absl::string_view what) const {
  std::vector<std::pair<std::string, YAML::Node>> items;
  if (node.IsScalar()) {
    items.emplace_back(node.Scalar(), node);
    return items;
  }
  if (!node.IsSequence()) {
    return Error(node,
                 absl::StrCat(what, " must be a value or a list of values, not ", TypeName(node)));
  }
  if (node.size() == 0) return Error(node, absl::StrCat(what, " is an empty list"));
  if (node.size() > kMaxListItems) {
    return Error(node, absl::StrCat(what, " has ", node.size(), " items; at most ", kMaxListItems,
                                    " are allowed"));
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->IsScalar()) {
      return Error(
          *it, absl::StrCat("each item of ", what, " must be a single value, not ", TypeName(*it)));
    }
    items.emplace_back(it->Scalar(), *it);
  }
  return items;
}

absl::StatusOr<int64_t> YamlSource::Integer(const YAML::Node& node, absl::string_view what) const {
  absl::StatusOr<std::string> text = Scalar(node, what);
  if (!text.ok()) return text.status();
  int64_t value = 0;
  const bool digits = !text->empty() && text->find_first_not_of("-0123456789") == std::string::npos;
  if (!digits || !absl::SimpleAtoi(*text, &value)) {
    return Error(node,
                 absl::StrCat(what, " must be a whole number (e.g. 100000), not ", Quote(*text)));
  }
  return value;
}

absl::StatusOr<int64_t> YamlSource::DurationNanos(const YAML::Node& node, absl::string_view what,
                                                  int64_t max_nanos) const {
  absl::StatusOr<std::string> text = Scalar(node, what);
  if (!text.ok()) return text.status();
  absl::Duration duration;
  if (!LooksLikeDuration(*text) || !absl::ParseDuration(*text, &duration)) {
    return Error(node, absl::StrCat(what, " must be a duration such as 60s, 10m, 1h or 1h30m, not ",
                                    Quote(*text)));
  }
  if (duration <= absl::ZeroDuration()) {
    return Error(node, absl::StrCat(what, " must be longer than 0"));
  }
  if (duration > absl::Nanoseconds(max_nanos)) {
    return Error(node,
                 absl::StrCat(what, " is ", Quote(*text), "; at most ",
                              absl::FormatDuration(absl::Nanoseconds(max_nanos)), " is allowed"));
  }
  return absl::ToInt64Nanoseconds(duration);
}

absl::StatusOr<bool> YamlSource::Bool(const YAML::Node& node, absl::string_view what) const {
  absl::StatusOr<std::string> text = Scalar(node, what);
  if (!text.ok()) return text.status();
  if (*text == "true") return true;
  if (*text == "false") return false;
  return Error(node, absl::StrCat(what, " must be true or false, not ", Quote(*text)));
}

}  // namespace sealtrail::detect
