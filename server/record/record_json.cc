// The JSON side of server/record/record.h: protobuf's proto3 JSON mapping, done here over the
// message's reflection rather than by protobuf's printer and parser, because
//   - protobuf prints map entries in the order of its hash map, which differs between two copies
//     of one record (so records.jsonl and `query --format json` were not deterministic), and
//   - protobuf's parser quotes the input around an error ("invalid value \"<input>\"", 20 bytes
//     of context), which may be an actor token on the same line.
// The mapping covers every field type a proto3 message without well-known types has.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "nlohmann/json.hpp"
#include "sealtrail/status_macros.h"
#include "server/record/hex_id.h"
#include "server/record/json_text.h"
#include "server/record/record.h"

namespace sealtrail {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using OutJson = nlohmann::ordered_json;  // Printed in the order built: field-number order.
using InJson = nlohmann::json;

// ---- Printing ------------------------------------------------------------------------------

OutJson MessageJson(const Message& message);

// A double or float as proto3 JSON: a number, or "NaN", "Infinity", "-Infinity".
OutJson FloatingJson(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

// Element `index` of a repeated field, or the singular field when index < 0.
OutJson ValueJson(const Message& message, const FieldDescriptor* field, int index) {
  const Reflection* r = message.GetReflection();
  const bool one = index < 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return one ? r->GetInt32(message, field) : r->GetRepeatedInt32(message, field, index);
    case FieldDescriptor::CPPTYPE_UINT32:
      return one ? r->GetUInt32(message, field) : r->GetRepeatedUInt32(message, field, index);
    case FieldDescriptor::CPPTYPE_INT64:  // 64-bit integers are strings: JSON numbers are doubles.
      return absl::StrCat(one ? r->GetInt64(message, field)
                              : r->GetRepeatedInt64(message, field, index));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(one ? r->GetUInt64(message, field)
                              : r->GetRepeatedUInt64(message, field, index));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return FloatingJson(one ? r->GetDouble(message, field)
                              : r->GetRepeatedDouble(message, field, index));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return FloatingJson(one ? r->GetFloat(message, field)
                              : r->GetRepeatedFloat(message, field, index));
    case FieldDescriptor::CPPTYPE_BOOL:
      return one ? r->GetBool(message, field) : r->GetRepeatedBool(message, field, index);
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number =
          one ? r->GetEnumValue(message, field) : r->GetRepeatedEnumValue(message, field, index);
      const EnumValueDescriptor* value = field->enum_type()->FindValueByNumber(number);
      return value != nullptr ? OutJson(value->name()) : OutJson(number);
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& text =
          one ? r->GetStringReference(message, field, &scratch)
              : r->GetRepeatedStringReference(message, field, index, &scratch);
      if (field->type() == FieldDescriptor::TYPE_BYTES) return absl::Base64Escape(text);
      return text;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageJson(one ? r->GetMessage(message, field)
                             : r->GetRepeatedMessage(message, field, index));
  }
  return nullptr;
}

// A map field as a JSON object, its entries sorted by key (bytewise): the order of protobuf's
// map is not the same for two copies of one record.
OutJson MapJson(const Message& message, const FieldDescriptor* field) {
  const Reflection* r = message.GetReflection();
  const FieldDescriptor* key_field = field->message_type()->map_key();
  const FieldDescriptor* value_field = field->message_type()->map_value();
  std::vector<std::pair<std::string, OutJson>> entries;
  for (int i = 0; i < r->FieldSize(message, field); ++i) {
    const Message& entry = r->GetRepeatedMessage(message, field, i);
    OutJson key = ValueJson(entry, key_field, -1);
    std::string key_text = key.is_string() ? key.get<std::string>() : key.dump();
    entries.emplace_back(std::move(key_text), ValueJson(entry, value_field, -1));
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  OutJson object = OutJson::object();
  for (auto& [key, value] : entries) object[key] = std::move(value);
  return object;
}

// Every field that is set (proto3: not its default), in field-number order.
OutJson MessageJson(const Message& message) {
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  std::sort(fields.begin(), fields.end(), [](const FieldDescriptor* a, const FieldDescriptor* b) {
    return a->number() < b->number();
  });
  OutJson object = OutJson::object();
  for (const FieldDescriptor* field : fields) {
    if (field->is_map()) {
      object[field->json_name()] = MapJson(message, field);
    } else if (field->is_repeated()) {
      OutJson array = OutJson::array();
      for (int i = 0; i < message.GetReflection()->FieldSize(message, field); ++i) {
        array.push_back(ValueJson(message, field, i));
      }
      object[field->json_name()] = std::move(array);
    } else {
      object[field->json_name()] = ValueJson(message, field, -1);
    }
  }
  return object;
}

// ---- Parsing -------------------------------------------------------------------------------
// Error messages name fields by their proto path ("context.tenant_id") and never quote a value.

absl::Status Invalid(const std::string& path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
}

absl::Status MergeObject(const InJson& object, Message& message, const std::string& path);

// An integer of type T from a JSON integer, an integral JSON number, or a decimal string.
template <typename T>
absl::StatusOr<T> ParseInteger(const InJson& value, const std::string& path) {
  const auto out_of_range = [&path] {
    return Invalid(path, absl::StrCat("is out of range for ", sizeof(T) * 8, "-bit integers"));
  };
  if (value.is_number_unsigned()) {
    const uint64_t number = value.get<uint64_t>();
    if (number > static_cast<uint64_t>(std::numeric_limits<T>::max())) return out_of_range();
    return static_cast<T>(number);
  }
  if (value.is_number_integer()) {
    const int64_t number = value.get<int64_t>();
    bool in_range = true;
    if constexpr (std::numeric_limits<T>::is_signed) {
      in_range = number >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                 number <= static_cast<int64_t>(std::numeric_limits<T>::max());
    } else {
      in_range = number >= 0 && static_cast<uint64_t>(number) <=
                                    static_cast<uint64_t>(std::numeric_limits<T>::max());
    }
    if (!in_range) return out_of_range();
    return static_cast<T>(number);
  }
  if (value.is_number_float()) {
    const double number = value.get<double>();
    // Integral doubles within 2^53 are exact; beyond that a string is needed.
    if (number != std::floor(number) || std::fabs(number) > 9007199254740992.0) {
      return Invalid(path, "must be an integer (a string for more than 2^53)");
    }
    return ParseInteger<T>(InJson(static_cast<int64_t>(number)), path);
  }
  if (value.is_string()) {
    T number = 0;
    if (!absl::SimpleAtoi(value.get<std::string>(), &number)) {
      return Invalid(path, "is a string that is not a decimal integer in range");
    }
    return number;
  }
  return Invalid(path, "must be an integer (a number or a decimal string)");
}

absl::StatusOr<double> ParseFloating(const InJson& value, const std::string& path) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (text == "Infinity") return std::numeric_limits<double>::infinity();
    if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
    double number = 0;
    if (absl::SimpleAtod(text, &number)) return number;
  }
  return Invalid(path, "must be a number");
}

// Trace and span ids are W3C hex (32 and 16 digits) or, as protobuf's JSON mapping has bytes,
// base64. No base64 of 16 (or 8) bytes is 32 (or 16) characters long, so the two never collide.
bool IsW3cId(const FieldDescriptor* field, size_t* size) {
  if (field->containing_type() != v1::Correlation::descriptor()) return false;
  *size = field->number() == v1::Correlation::kTraceIdFieldNumber ? kTraceIdBytes : kSpanIdBytes;
  return true;
}

absl::StatusOr<std::string> ParseBytes(const FieldDescriptor* field, const InJson& value,
                                       const std::string& path) {
  if (!value.is_string()) return Invalid(path, "must be a string (base64)");
  const std::string& text = value.get_ref<const std::string&>();
  size_t id_size = 0;
  const bool w3c_id = IsW3cId(field, &id_size);
  if (w3c_id) {
    if (std::optional<std::string> bytes = HexIdBytes(text, id_size)) return *std::move(bytes);
  }
  std::string bytes;
  if (!absl::Base64Unescape(text, &bytes) && !absl::WebSafeBase64Unescape(text, &bytes)) {
    return Invalid(path, w3c_id ? absl::StrCat("must be ", 2 * id_size,
                                               " hex digits (W3C) or base64 of ", id_size, " bytes")
                                : "is not base64");
  }
  if (w3c_id && !bytes.empty() && bytes.size() != id_size) {
    return Invalid(path,
                   absl::StrCat("must be ", 2 * id_size, " hex digits (W3C) or base64 of ", id_size,
                                " bytes; got ", text.size(), " characters, which are neither"));
  }
  return bytes;
}

absl::StatusOr<int> ParseEnum(const FieldDescriptor* field, const InJson& value,
                              const std::string& path) {
  if (value.is_string()) {
    const std::string& name = value.get_ref<const std::string&>();
    const EnumValueDescriptor* known = field->enum_type()->FindValueByName(name);
    if (known == nullptr) {
      std::vector<std::string> names;
      for (int i = 0; i < field->enum_type()->value_count(); ++i) {
        names.push_back(field->enum_type()->value(i)->name());
      }
      return Invalid(path, absl::StrCat("unknown value ", QuoteIfEnumName(name),
                                        "; expected one of ", absl::StrJoin(names, ", ")));
    }
    return known->number();
  }
  return ParseInteger<int32_t>(value, path);  // proto3 enums are open: any number parses.
}

// Sets the singular `field`, or adds an element to the repeated one.
absl::Status SetValue(Message& message, const FieldDescriptor* field, const InJson& value,
                      const std::string& path) {
  const Reflection* r = message.GetReflection();
  const bool add = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      ASSIGN_OR_RETURN(int32_t v, ParseInteger<int32_t>(value, path));
      add ? r->AddInt32(&message, field, v) : r->SetInt32(&message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      ASSIGN_OR_RETURN(uint32_t v, ParseInteger<uint32_t>(value, path));
      add ? r->AddUInt32(&message, field, v) : r->SetUInt32(&message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      ASSIGN_OR_RETURN(int64_t v, ParseInteger<int64_t>(value, path));
      add ? r->AddInt64(&message, field, v) : r->SetInt64(&message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      ASSIGN_OR_RETURN(uint64_t v, ParseInteger<uint64_t>(value, path));
      add ? r->AddUInt64(&message, field, v) : r->SetUInt64(&message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      ASSIGN_OR_RETURN(double v, ParseFloating(value, path));
      add ? r->AddDouble(&message, field, v) : r->SetDouble(&message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      ASSIGN_OR_RETURN(double v, ParseFloating(value, path));
      const auto f = static_cast<float>(v);
      add ? r->AddFloat(&message, field, f) : r->SetFloat(&message, field, f);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (!value.is_boolean()) return Invalid(path, "must be true or false");
      const bool v = value.get<bool>();
      add ? r->AddBool(&message, field, v) : r->SetBool(&message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      ASSIGN_OR_RETURN(int v, ParseEnum(field, value, path));
      add ? r->AddEnumValue(&message, field, v) : r->SetEnumValue(&message, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v;
      if (field->type() == FieldDescriptor::TYPE_BYTES) {
        ASSIGN_OR_RETURN(v, ParseBytes(field, value, path));
      } else if (value.is_string()) {
        v = value.get<std::string>();  // nlohmann's parser has checked it is UTF-8.
      } else {
        return Invalid(path, "must be a string");
      }
      add ? r->AddString(&message, field, std::move(v))
          : r->SetString(&message, field, std::move(v));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!value.is_object()) return Invalid(path, "must be an object");
      Message* child = add ? r->AddMessage(&message, field) : r->MutableMessage(&message, field);
      return MergeObject(value, *child, path);
    }
  }
  return absl::InternalError(absl::StrCat(path, ": a field type the JSON mapping does not know"));
}

// A map field from a JSON object; keys are strings in JSON whatever the key type. The entry's
// key is not quoted in errors (it is input).
absl::Status SetMap(Message& message, const FieldDescriptor* field, const InJson& value,
                    const std::string& path) {
  if (!value.is_object()) return Invalid(path, "must be an object (a map)");
  const FieldDescriptor* key_field = field->message_type()->map_key();
  const FieldDescriptor* value_field = field->message_type()->map_value();
  for (const auto& [key, entry_value] : value.items()) {
    Message* entry = message.GetReflection()->AddMessage(&message, field);
    InJson key_json(key);
    if (key_field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      if (key != "true" && key != "false") return Invalid(path, "a key must be true or false");
      key_json = key == "true";
    }
    RETURN_IF_ERROR(SetValue(*entry, key_field, key_json, absl::StrCat(path, " (a key)")));
    if (entry_value.is_null()) return Invalid(path, "an entry's value is null");
    RETURN_IF_ERROR(
        SetValue(*entry, value_field, entry_value, absl::StrCat(path, " (the value of an entry)")));
  }
  return absl::OkStatus();
}

// The field whose JSON name (lowerCamelCase) or proto name is `name`.
const FieldDescriptor* FieldNamed(const Descriptor& descriptor, const std::string& name) {
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const FieldDescriptor* field = descriptor.field(i);
    if (field->json_name() == name || field->name() == name) return field;
  }
  return nullptr;
}

absl::Status MergeObject(const InJson& object, Message& message, const std::string& path) {
  const Descriptor* descriptor = message.GetDescriptor();
  std::set<const FieldDescriptor*> seen;
  for (const auto& [name, value] : object.items()) {
    const FieldDescriptor* field = FieldNamed(*descriptor, name);
    if (field == nullptr) {  // Its name is input: the message lists the fields there are.
      std::vector<std::string> names;
      for (int i = 0; i < descriptor->field_count(); ++i) {
        names.push_back(descriptor->field(i)->name());
      }
      return Invalid(path.empty() ? std::string("record") : path,
                     absl::StrCat("unknown field (the fields here are ", absl::StrJoin(names, ", "),
                                  ", by these names or in lowerCamelCase)"));
    }
    const std::string field_path =
        path.empty() ? field->name() : absl::StrCat(path, ".", field->name());
    if (!seen.insert(field).second) {
      return Invalid(field_path, absl::StrCat("is given twice (as ", field->name(), " and ",
                                              field->json_name(), ")"));
    }
    if (value.is_null()) continue;  // null is the default value.
    if (field->is_map()) {
      RETURN_IF_ERROR(SetMap(message, field, value, field_path));
    } else if (field->is_repeated()) {
      if (!value.is_array()) return Invalid(field_path, "must be an array");
      for (size_t i = 0; i < value.size(); ++i) {
        RETURN_IF_ERROR(SetValue(message, field, value[i], absl::StrCat(field_path, "[", i, "]")));
      }
    } else {
      RETURN_IF_ERROR(SetValue(message, field, value, field_path));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::AuditRecord> RecordFromJson(std::string_view json) {
  absl::StatusOr<InJson> parsed = ParseJsonText<InJson>(json);
  absl::Status status = parsed.status();
  v1::AuditRecord record;
  if (status.ok() && !parsed->is_object()) status = absl::InvalidArgumentError("not an object");
  if (status.ok()) status = MergeObject(*parsed, record, "");
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an AuditRecord in JSON: ", status.message()));
  }
  return record;
}

absl::StatusOr<std::string> RecordToJson(const v1::AuditRecord& record) {
  try {
    return MessageJson(record).dump();
  } catch (const nlohmann::json::exception& error) {
    // A string that is not UTF-8 (a record built in memory; a parsed one always is).
    return absl::InvalidArgumentError(
        absl::StrCat("the record cannot be printed as JSON: ", JsonErrorWithoutInput(error)));
  }
}

}  // namespace sealtrail
