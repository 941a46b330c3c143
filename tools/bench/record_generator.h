// RecordGenerator: realistic contact-center audit events for the load generator: agents
// barging into and whispering on calls, configuration changes, data exports and logins, each
// with a tenant, a route and method, a source IP, a W3C trace context and an outcome (mostly
// SUCCESS). Records are padded through details.attributes to about the requested serialized
// size. commit_time_ns is left 0: the server assigns it.
//
// Every actor belongs to one tenant (TenantOfActor), as an agent belongs to one customer, so a
// query for (tenant, actor) names events that exist.
//
// Deterministic for a seed. Thread-safety: none (one generator per thread).
#ifndef SEALTRAIL_TOOLS_BENCH_RECORD_GENERATOR_H_
#define SEALTRAIL_TOOLS_BENCH_RECORD_GENERATOR_H_

#include <cstdint>
#include <random>
#include <string>

#include "sealtrail/v1/audit_record.pb.h"

namespace sealtrail::bench {

struct RecordShape {
  uint32_t tenants = 10;
  uint32_t actors = 1000;
  uint32_t record_size = 300;  // Target ByteSizeLong() of a record; larger ones are kept as is.
};

// "agent-N" and "tenant-N", and the tenant actor N belongs to.
std::string ActorId(uint32_t actor);
std::string TenantId(uint32_t tenant);
uint32_t TenantOfActor(uint32_t actor, uint32_t tenants);

class RecordGenerator {
 public:
  RecordGenerator(RecordShape shape, uint64_t seed);

  // A record by `actor` (< shape.actors), random in everything else.
  v1::AuditRecord Next(uint32_t actor);

 private:
  std::string RandomBytes(size_t n);
  std::string RandomHex(size_t n);
  void Pad(v1::AuditRecord& record);

  const RecordShape shape_;
  std::mt19937_64 rng_;
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_RECORD_GENERATOR_H_
