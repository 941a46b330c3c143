// ParseMatch: a `match:` mapping (a rule's, or a sequence step's) compiled into a Match. The
// syntax of each field's condition is in docs/detection.md ("match").
//
// Internal to server/detect.
#ifndef SEALTRAIL_SERVER_DETECT_MATCH_PARSER_H_
#define SEALTRAIL_SERVER_DETECT_MATCH_PARSER_H_

#include "absl//status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/detect/condition.h"
#include "server/detect/record_field.h"
#include "server/detect/yaml_source.h"

namespace sealtrail::detect {

// INVALID_ARGUMENT "FILE:LINE:COL: ..." for an unknown field, a bad pattern, CIDR, number,
// outcome, time zone, weekday or hours, or a condition of the wrong shape for its field.
[[nodiscard]] absl::StatusOr<Match> ParseMatch(const YamlSource& source, const YAML::Node& node);

// A field named by a rule outside `match:` (a key, a summed or compared field). `number`: it
// must be a number field, else a text field. INVALID_ARGUMENT at `node` otherwise.
[[nodiscard]] absl::StatusOr<RecordField> ParseFieldName(const YamlSource& source,
                                                         const YAML::Node& node,
                                                         absl::string_view what, bool number);

}  // namespace sealtrail::detect

#endif  // SEALTRAIL_SERVER_DETECT_MATCH_PARSER_H_
