// YamlSource: reading one rules file's YAML nodes with every mistake reported as
// "FILE:LINE:COL: what is wrong" (lines and columns from 1, as editors count them).
//
// Every accessor checks the node's type first, so nothing here throws: yaml-cpp's conversions
// (which throw on a type mismatch) are never used. Messages quote at most a short prefix of what
// the file says, escaped.
//
// Internal to server/detect. Thread-safety: immutable; the nodes are the caller's.
#ifndef SEALTRAIL_SERVER_DETECT_YAML_SOURCE_H_
#define SEALTRAIL_SERVER_DETECT_YAML_SOURCE_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "yaml-cpp/yaml.h"

namespace sealtrail::detect {

// One key: value of a mapping, in file order.
struct YamlEntry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// `text` in single quotes, C-escaped, cut to 64 bytes ("..." marks a cut).
std::string Quote(absl::string_view text);

class YamlSource {
 public:
  explicit YamlSource(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  // "FILE:LINE:COL" of `node` ("FILE:1:1" if it has no position).
  std::string Where(const YAML::Node& node) const;
  // INVALID_ARGUMENT "FILE:LINE:COL: `what`".
  absl::Status Error(const YAML::Node& at, absl::string_view what) const;

  // The entries of a mapping (`what` names it in messages, e.g. "a rule"). Every key must be a
  // scalar, given once, one of `allowed`, and have a value (`key:` alone is refused at the key).
  [[nodiscard]] absl::StatusOr<std::vector<YamlEntry>> Mapping(
      const YAML::Node& node, absl::string_view what,
      std::initializer_list<absl::string_view> allowed) const;
  // As Mapping, but any scalar key is allowed (a match: its keys are field names).
  [[nodiscard]] absl::StatusOr<std::vector<YamlEntry>> AnyKeyMapping(const YAML::Node& node,
                                                                     absl::string_view what) const;

  // A scalar's text (a quoted empty string is ""). `what` names the value: "the id".
  [[nodiscard]] absl::StatusOr<std::string> Scalar(const YAML::Node& node,
                                                   absl::string_view what) const;
  // A scalar, or a non-empty list of scalars (at most 1000), each with its node.
  [[nodiscard]] absl::StatusOr<std::vector<std::pair<std::string, YAML::Node>>> ScalarOrList(
      const YAML::Node& node, absl::string_view what) const;
  // A whole decimal number that fits int64.
  [[nodiscard]] absl::StatusOr<int64_t> Integer(const YAML::Node& node,
                                                absl::string_view what) const;
  // A duration such as 90s, 10m, 1h, 1h30m, 500ms: positive and at most `max_nanos`.
  [[nodiscard]] absl::StatusOr<int64_t> DurationNanos(const YAML::Node& node,
                                                      absl::string_view what,
                                                      int64_t max_nanos) const;
  // true or false.
  [[nodiscard]] absl::StatusOr<bool> Bool(const YAML::Node& node, absl::string_view what) const;

 private:
  const std::string name_;
};

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_YAML_SOURCE_H_
