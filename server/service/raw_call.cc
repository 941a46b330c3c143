#include "server/service/raw_call.h"

#include <climits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/stubs/common.h"
#include "google/protobuf/wire_format_lite.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/proto_buffer_reader.h"

namespace sealtrail {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;

// Deeper messages are not diagnosed (protobuf's own parser stops at 100 levels).
constexpr int kMaxDiagnosisDepth = 32;

std::string FieldPath(const std::string& parent, const FieldDescriptor& field, int index) {
  std::string path = parent.empty() ? field.name() : absl::StrCat(parent, ".", field.name());
  if (field.is_repeated()) absl::StrAppend(&path, "[", index, "]");
  return path;
}

// Why `bytes` do not parse as a message of `descriptor` (whose fields are at `path`): the first
// field whose bytes are wrong for it, or "" if none is found (protobuf may refuse what this walk
// accepts, e.g. a message nested too deeply). The walk reads the wire format the way protobuf's
// parser does: fields it does not know, or whose wire type does not match, are skipped as unknown
// fields, which is not an error.
std::string Diagnose(const Descriptor& descriptor, std::string_view bytes, const std::string& path,
                     int depth) {
  if (depth > kMaxDiagnosisDepth) return "";
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(bytes.data()),
                                               static_cast<int>(bytes.size()));
  std::vector<int> seen(static_cast<size_t>(descriptor.field_count()), 0);
  const std::string where = path.empty() ? std::string() : absl::StrCat(" in ", path);
  while (true) {
    const uint32_t tag = input.ReadTag();
    if (tag == 0) {
      return static_cast<size_t>(input.CurrentPosition()) == bytes.size()
                 ? ""
                 : absl::StrCat("malformed field tag", where, " at byte ", input.CurrentPosition());
    }
    const int number = static_cast<int>(WireFormatLite::GetTagFieldNumber(tag));
    const WireFormatLite::WireType wire_type = WireFormatLite::GetTagWireType(tag);
    const FieldDescriptor* field = descriptor.FindFieldByNumber(number);
    if (field == nullptr || wire_type != WireFormatLite::WIRETYPE_LENGTH_DELIMITED ||
        (field->type() != FieldDescriptor::TYPE_STRING &&
         field->type() != FieldDescriptor::TYPE_MESSAGE)) {
      // A scalar (or a packed run of them), or an unknown field: only its framing can be wrong.
      if (!WireFormatLite::SkipField(&input, tag)) {
        return field == nullptr
                   ? absl::StrCat("field number ", number, where, " is cut off or malformed")
                   : absl::StrCat("field ", FieldPath(path, *field, seen[field->index()]),
                                  " is cut off or malformed");
      }
      if (field != nullptr) ++seen[field->index()];
      continue;
    }
    const std::string field_path = FieldPath(path, *field, seen[field->index()]++);
    uint32_t length = 0;
    std::string value;
    if (!input.ReadVarint32(&length) || !input.ReadString(&value, static_cast<int>(length))) {
      return absl::StrCat("field ", field_path, " is cut off (its length runs past the end)");
    }
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      // proto3 strings must be UTF-8 (protobuf refuses the message otherwise).
      if (field->file()->syntax() == google::protobuf::FileDescriptor::SYNTAX_PROTO3 &&
          !google::protobuf::internal::IsStructurallyValidUTF8(value.data(),
                                                               static_cast<int>(value.size()))) {
        return absl::StrCat("field ", field_path, " is not valid UTF-8");
      }
      continue;
    }
    std::string nested = Diagnose(*field->message_type(), value, field_path, depth + 1);
    if (!nested.empty()) return nested;
  }
}

}  // namespace

absl::Status ParseRequest(const grpc::ByteBuffer& buffer, google::protobuf::Message& message) {
  {
    grpc::ByteBuffer shared(buffer);  // Shares the slices; the reader needs a mutable buffer.
    grpc::ProtoBufferReader reader(&shared);
    if (reader.status().ok() && message.ParseFromZeroCopyStream(&reader)) {
      return absl::OkStatus();
    }
  }
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (buffer.Dump(&slices).ok()) {
    for (const grpc::Slice& slice : slices) {
      bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
  }
  std::string why = bytes.size() <= static_cast<size_t>(INT_MAX)
                        ? Diagnose(*message.GetDescriptor(), bytes, "", 0)
                        : std::string();
  return absl::InvalidArgumentError(
      absl::StrCat("the request is not a valid ", message.GetDescriptor()->full_name(), ": ",
                   why.empty() ? "malformed protobuf wire format" : why));
}

grpc::ByteBuffer SerializeReply(const google::protobuf::Message& message) {
  grpc::ByteBuffer buffer;
  bool own_buffer = false;
  // Fails only for a message over 2 GiB, which the server's message limit rules out.
  (void)grpc::SerializationTraits<google::protobuf::Message>::Serialize(message, &buffer,
                                                                        &own_buffer);
  return buffer;
}

}  // namespace sealtrail
