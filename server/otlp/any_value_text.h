// AnyValueText: an OTLP attribute value or log body as the text sealtrail stores in
// details.attributes (map<string, string>).
//
//   string        the string itself
//   bool          "true" / "false"
//   int           decimal ("42", "-7")
//   double        shortest round-trip decimal ("0.5", "1e+300"); NaN and infinities as
//                 "NaN", "Infinity", "-Infinity" (OTLP JSON's spelling)
//   bytes         standard base64 (OTLP JSON's spelling of bytes)
//   array, kvlist compact JSON of the values, nested the same way ("[1,\"a\"]",
//                 "{\"k\":true}"); strings inside are JSON strings
//   empty         ""
//
// Thread-safety: a pure function.
#ifndef SEALTRAIL_SERVER_OTLP_ANY_VALUE_TEXT_H_
#define SEALTRAIL_SERVER_OTLP_ANY_VALUE_TEXT_H_

#include <string>

#include "opentelemetry/proto/common/v1/common.pb.h"

namespace sealtrail {

// The text of `value`, as above. Nesting deeper than 64 levels is cut off as "…" (protobuf's own
// parser already bounds the depth of what arrives).
std::string AnyValueText(const opentelemetry::proto::common::v1::AnyValue& value);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_OTLP_ANY_VALUE_TEXT_H_
