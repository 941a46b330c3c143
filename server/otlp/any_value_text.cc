#include "server/otlp/any_value_text.h"

#include <cmath>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace sealtrail {
namespace {

using opentelemetry::proto::common::v1::AnyValue;

constexpr int kMaxDepth = 64;

std::string DoubleText(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return nlohmann::json(value).dump();  // Shortest round-trip form.
}

nlohmann::json ToJson(const AnyValue& value, int depth) {
  if (depth > kMaxDepth) return "…";
  switch (value.value_case()) {
    case AnyValue::kStringValue:
      return value.string_value();
    case AnyValue::kBoolValue:
      return value.bool_value();
    case AnyValue::kIntValue:
      return value.int_value();
    case AnyValue::kDoubleValue:
      if (!std::isfinite(value.double_value())) return DoubleText(value.double_value());
      return value.double_value();
    case AnyValue::kBytesValue:
      return absl::Base64Escape(value.bytes_value());
    case AnyValue::kArrayValue: {
      nlohmann::json array = nlohmann::json::array();
      for (const AnyValue& item : value.array_value().values()) {
        array.push_back(ToJson(item, depth + 1));
      }
      return array;
    }
    case AnyValue::kKvlistValue: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& entry : value.kvlist_value().values()) {
        object[entry.key()] = ToJson(entry.value(), depth + 1);
      }
      return object;
    }
    case AnyValue::VALUE_NOT_SET:
      break;
  }
  return nullptr;
}

}  // namespace

std::string AnyValueText(const AnyValue& value) {
  switch (value.value_case()) {
    case AnyValue::kStringValue:
      return value.string_value();
    case AnyValue::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case AnyValue::kIntValue:
      return absl::StrCat(value.int_value());
    case AnyValue::kDoubleValue:
      return DoubleText(value.double_value());
    case AnyValue::kBytesValue:
      return absl::Base64Escape(value.bytes_value());
    case AnyValue::kArrayValue:
    case AnyValue::kKvlistValue:
      // Invalid UTF-8 inside is replaced rather than thrown on.
      return ToJson(value, 0).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    case AnyValue::VALUE_NOT_SET:
      break;
  }
  return "";
}

}  // namespace sealtrail
