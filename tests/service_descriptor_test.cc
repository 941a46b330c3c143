// The API is append-only: no gRPC method of sealtrail.v1 may update or delete anything. Every
// .proto under proto/ must be compiled in, every service in them is walked, and the exact method
// list is pinned so that a new method fails here until someone has reviewed it and added it.
#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"

#ifndef SEALTRAIL_PROTO_DIR
#error "SEALTRAIL_PROTO_DIR must name the proto/ source directory"
#endif

namespace sealtrail {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

// Words that suggest a method changes or removes what is stored.
const std::regex& MutatingName() {
  static const std::regex* const re = new std::regex(
      "update|delete|remove|put|set|modify|patch|truncate|purge|erase|drop|replace|overwrite",
      std::regex::icase);
  return *re;
}

// Every .proto under proto/, as protoc names it ("sealtrail/v1/audit_record.proto").
std::vector<std::string> ProtoFilesOnDisk() {
  std::vector<std::string> names;
  const std::filesystem::path root(SEALTRAIL_PROTO_DIR);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".proto") {
      names.push_back(entry.path().lexically_relative(root).generic_string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// "package.Service.Method" plus its streaming shape, for every method of every service.
std::vector<std::string> AllMethods() {
  std::vector<std::string> methods;
  for (const std::string& name : ProtoFilesOnDisk()) {
    const google::protobuf::FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr) {
      ADD_FAILURE() << name << " is not compiled into sealtrail_proto";
      continue;
    }
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const google::protobuf::MethodDescriptor* method = service->method(m);
        std::string shape = method->client_streaming() ? " client-streaming" : "";
        if (method->server_streaming()) shape += " server-streaming";
        methods.push_back(method->full_name() + shape);
      }
    }
  }
  return methods;
}

TEST(ServiceDescriptorTest, EveryProtoFileIsInTheGeneratedPool) {
  const std::vector<std::string> files = ProtoFilesOnDisk();
  EXPECT_THAT(files, ::testing::Contains("sealtrail/v1/audit_service.proto"));
  for (const std::string& name : files) {
    EXPECT_NE(google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name), nullptr)
        << name;
  }
}

TEST(ServiceDescriptorTest, NoMethodOrServiceCanUpdateOrDelete) {
  std::vector<std::string> offenders;
  for (const std::string& name : ProtoFilesOnDisk()) {
    const google::protobuf::FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    if (file == nullptr) continue;  // Reported by EveryProtoFileIsInTheGeneratedPool.
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      if (std::regex_search(service->name(), MutatingName())) {
        offenders.push_back(service->full_name());
      }
      for (int m = 0; m < service->method_count(); ++m) {
        if (std::regex_search(service->method(m)->name(), MutatingName())) {
          offenders.push_back(service->method(m)->full_name());
        }
      }
    }
  }
  EXPECT_THAT(offenders, IsEmpty());
}

TEST(ServiceDescriptorTest, MethodListIsExactlyTheReviewedOne) {
  // Adding a method? Check that it cannot change or remove stored data, then add it here.
  EXPECT_THAT(AllMethods(),
              UnorderedElementsAreArray({
                  "sealtrail.v1.AuditLog.Append",
                  "sealtrail.v1.AuditLog.AppendStream client-streaming server-streaming",
                  "sealtrail.v1.AuditLog.Query",
                  "sealtrail.v1.AuditLog.QueryStream server-streaming",
                  "sealtrail.v1.Prover.ProveInclusion",
                  "sealtrail.v1.Prover.ProveConsistency",
                  "sealtrail.v1.Prover.GetCheckpoint",
                  // OTLP logs ingestion (docs/otlp.md): appends, through the same admission.
                  "opentelemetry.proto.collector.logs.v1.LogsService.Export",
                  // Webhook delivery state (docs/detection.md): derived from the alert records,
                  // which it only reads; a retry is itself appended as evidence.
                  "sealtrail.v1.Admin.ListWebhookDeliveries",
                  "sealtrail.v1.Admin.RetryWebhookDeliveries",
              }));
}

TEST(ServiceDescriptorTest, MutatingNamePatternCatchesTypicalNames) {
  for (const char* name : {"DeleteRecord", "UpdateCheckpoint", "SetRetention", "PutRecord",
                           "RemoveTenant", "PurgeOld", "TruncateLog", "ReplaceLeaf", "Overwrite"}) {
    EXPECT_TRUE(std::regex_search(std::string(name), MutatingName())) << name;
  }
  for (const char* name : {"Append", "AppendStream", "Query", "QueryStream", "ProveInclusion",
                           "ProveConsistency", "GetCheckpoint", "Export"}) {
    EXPECT_FALSE(std::regex_search(std::string(name), MutatingName())) << name;
  }
}

}  // namespace
}  // namespace sealtrail
