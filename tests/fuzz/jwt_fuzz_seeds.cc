// Seed inputs for the token-path fuzz target (see jwt_fuzz_harness.h for the input format).
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "auth_testing/jose_vectors.h"
#include "fuzz/jwt_fuzz_harness.h"
#include "nlohmann/json.hpp"

namespace sealtrail::fuzzing {
namespace {

using nlohmann::json;

std::string B64(const std::string& bytes) { return absl::WebSafeBase64Escape(bytes); }

json ValidClaims() {
  const int64_t exp = testing::kRfc7515Exp;
  return {{"iss", testing::kRfc7515Issuer},
          {"aud", "sealtrail-fuzz"},
          {"sub", "alice"},
          {"exp", exp},
          {"iat", exp - 180},
          {"nbf", exp - 180},
          {"roles", {"auditor"}},
          {"tenants", {"acme"}}};
}

// Claims sets around the valid one: each check passing and failing.
std::vector<json> ClaimVariants() {
  std::vector<json> variants;
  auto with = [&](const char* name, json value) {
    json claims = ValidClaims();
    if (value.is_discarded()) {
      claims.erase(name);
    } else {
      claims[name] = std::move(value);
    }
    variants.push_back(std::move(claims));
  };
  const json absent = json::value_t::discarded;
  const int64_t exp = testing::kRfc7515Exp;
  variants.push_back(ValidClaims());
  with("roles", "admin");
  with("roles", {"appender", 7});
  with("tenants", "*");
  with("tenants", json::object());
  with("aud", {"other", "sealtrail-fuzz"});
  with("aud", "other");
  with("aud", absent);
  with("iss", "mallory");
  with("iss", absent);
  with("exp", absent);
  with("exp", "tomorrow");
  with("exp", static_cast<double>(exp) + 0.5);
  with("exp", exp - 600);
  with("exp", 18446744073709551615ull);
  with("exp", -1e300);
  with("nbf", exp + 600);
  with("iat", exp + 600);
  with("sub", 42);
  with("role", "nurse");
  with("tenant", {"acme"});
  return variants;
}

std::string Input(char mode, const std::string& rest) { return std::string(1, mode) + rest; }

std::string SignedInput(char mode, const json& header, const json& claims) {
  return Input(mode, header.dump() + "\n" + claims.dump());
}

}  // namespace

std::vector<std::string> JwtFuzzSeeds() {
  std::vector<std::string> seeds;
  // Mode 0: tokens as they are.
  for (const char* token : {testing::kRfc7515Hs256Token, testing::kRfc7515Rs256Token,
                            testing::kRfc7515Es256Token, testing::kRfc8037EdDsaToken}) {
    seeds.push_back(Input('\0', token));
  }
  const std::string claims = B64(ValidClaims().dump());
  for (const json& header :
       {json{{"alg", "none"}}, json{{"alg", "HS256"}, {"kid", "rfc7515-a2"}},
        json{{"alg", "RS256"}, {"kid", "unknown"}}, json{{"alg", "ES256"}, {"crit", {"b64"}}},
        json{{"alg", "HS512"}}, json{{"kid", "rfc7515-a1"}}}) {
    seeds.push_back(Input('\0', absl::StrCat(B64(header.dump()), ".", claims, ".c2ln")));
  }
  for (const char* token : {"", "a", "a.b", "a.b.c", "a.b.c.d", "..", "a.b.", "!!.??.**",
                            "eyJhbGciOiJIUzI1NiJ9.e30.AB", "bm90IGpzb24.e30.c2ln"}) {
    seeds.push_back(Input('\0', token));
  }
  seeds.push_back(Input('\0', std::string(2100, 'a')));

  // Modes 1 and 2: signed by the harness.
  const json hs256 = {{"alg", "HS256"}, {"kid", "rfc7515-a1"}, {"typ", "JWT"}};
  const json eddsa = {{"alg", "EdDSA"}, {"kid", "rfc8037-a1"}};
  for (const json& variant : ClaimVariants()) {
    seeds.push_back(SignedInput('\1', hs256, variant));
  }
  seeds.push_back(SignedInput('\2', eddsa, ValidClaims()));
  for (const json& header :
       {json{{"alg", "HS256"}}, json{{"alg", "HS256"}, {"kid", "rfc7515-a2"}},
        json{{"alg", "HS256"}, {"typ", "at+jwt"}}, json{{"alg", "none"}, {"kid", "rfc7515-a1"}}}) {
    seeds.push_back(SignedInput('\1', header, ValidClaims()));
  }
  seeds.push_back(SignedInput('\2', json{{"alg", "EdDSA"}}, ClaimVariants()[3]));
  seeds.push_back(Input('\1', "{\"alg\":\"HS256\"}\nnot json"));

  // Mode 3: key sets.
  for (const char* jwk : {testing::kRfc7515HmacKeyJwk, testing::kRfc7515RsaKeyJwk,
                          testing::kRfc7515EcKeyJwk, testing::kRfc8037Ed25519KeyJwk}) {
    seeds.push_back(Input('\3', absl::StrCat(R"({"keys":[)", jwk, "]}")));
    json with_d = json::parse(jwk);
    with_d["d"] = "AQAB";
    seeds.push_back(Input('\3', json{{"keys", {with_d}}}.dump()));
  }
  seeds.push_back(Input('\3', R"({"keys":[{"kty":"oct","k":"c2hvcnQ"}]})"));
  seeds.push_back(Input('\3', R"({"keys":[{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}]})"));
  seeds.push_back(Input('\3', R"({"keys":[]})"));
  return seeds;
}

}  // namespace sealtrail::fuzzing
