#include "fuzz/jwt_fuzz_harness.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "auth_testing/jose_vectors.h"
#include "nlohmann/json.hpp"
#include "sealtrail/env.h"
#include "server/auth/jwt_verifier.h"

namespace sealtrail::fuzzing {
namespace {

constexpr char kFuzzAudience[] = "sealtrail-fuzz";
constexpr char kHmacKid[] = "rfc7515-a1";
constexpr char kEd25519Kid[] = "rfc8037-a1";
// RFC 8037 A.1's private key (the seed "d"), printed in the RFC.
constexpr char kRfc8037Ed25519Seed[] = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr int64_t kFuzzNowSeconds = testing::kRfc7515Exp - 120;

enum Mode : uint8_t { kToken = 0, kHs256Signed = 1, kEdDsaSigned = 2, kJwks = 3 };

// An Env whose clock never moves.
class FixedClockEnv : public EnvWrapper {
 public:
  FixedClockEnv() : EnvWrapper(Env::Default()) {}
  int64_t NowNanos() override { return kFuzzNowSeconds * 1'000'000'000; }
};

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "jwt fuzz harness: %s failed\n", what);
  std::abort();
}

std::string Unbase64Url(std::string_view text) {
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(absl::string_view(text.data(), text.size()), &bytes)) {
    Die("decoding a built-in key");
  }
  return bytes;
}

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string B64(std::string_view bytes) {
  return absl::WebSafeBase64Escape(absl::string_view(bytes.data(), bytes.size()));
}

struct Fixture {
  FixedClockEnv env;
  std::unique_ptr<JwtVerifier> verifier;
  std::string hmac_key;
  EVP_PKEY* ed25519 = nullptr;  // Lives as long as the process.

  Fixture() {
    absl::StatusOr<JwtKeySet> keys = JwtKeySet::FromJwks(testing::RfcExampleJwks());
    if (!keys.ok()) Die("loading the fuzz key set");
    JwtVerifierOptions options;
    options.issuer = testing::kRfc7515Issuer;
    options.audience = kFuzzAudience;
    options.max_token_bytes = 2048;
    absl::StatusOr<std::unique_ptr<JwtVerifier>> created =
        JwtVerifier::Create(*std::move(keys), options, &env);
    if (!created.ok()) Die("creating the fuzz verifier");
    verifier = *std::move(created);
    hmac_key =
        Unbase64Url(nlohmann::json::parse(testing::kRfc7515HmacKeyJwk)["k"].get<std::string>());
    const std::string seed = Unbase64Url(kRfc8037Ed25519Seed);
    ed25519 = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                           reinterpret_cast<const unsigned char*>(seed.data()),
                                           seed.size());
    if (ed25519 == nullptr) Die("loading the Ed25519 key");
  }

  std::string HmacSignature(std::string_view input) const {
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t length = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, hmac_key.data(), hmac_key.size(),
                  reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
                  sizeof(mac), &length) == nullptr) {
      Die("HMAC");
    }
    return std::string(reinterpret_cast<const char*>(mac), length);
  }

  std::string Ed25519Signature(std::string_view input) const {
    std::string signature(64, '\0');
    size_t length = signature.size();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr || EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, ed25519) != 1 ||
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
      Die("Ed25519 signing");
    }
    EVP_MD_CTX_free(ctx);
    return signature;
  }
};

const Fixture& GetFixture() {
  static const Fixture* fixture = new Fixture;
  return *fixture;
}

// `header_and_payload` is header JSON '\n' payload JSON (no '\n': all header, empty payload).
std::string SignedToken(const Fixture& fixture, Mode mode, std::string_view header_and_payload) {
  const size_t newline = header_and_payload.find('\n');
  const std::string_view header = header_and_payload.substr(0, newline);
  const std::string_view payload = newline == std::string_view::npos
                                       ? std::string_view()
                                       : header_and_payload.substr(newline + 1);
  const std::string signing_input = absl::StrCat(B64(header), ".", B64(payload));
  const std::string signature = mode == kHs256Signed ? fixture.HmacSignature(signing_input)
                                                     : fixture.Ed25519Signature(signing_input);
  return absl::StrCat(signing_input, ".", B64(signature));
}

// Whether `message` repeats a token-shaped `token` (three parts of base64url), or its signature
// part where no header or claim value (which a message may quote) holds it. Short pieces and
// other inputs are let through: the fuzzer finds those spelled out in the messages' own words.
bool EchoesTheToken(std::string_view token, absl::string_view message) {
  auto contains = [](absl::string_view haystack, std::string_view needle) {
    return absl::StrContains(haystack, absl::string_view(needle.data(), needle.size()));
  };
  const std::vector<absl::string_view> parts = absl::StrSplit(Absl(token), '.');
  const bool token_shaped =
      parts.size() == 3 && token.find_first_not_of(
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                               "vwxyz0123456789-_.") == std::string_view::npos;
  if (!token_shaped) return false;
  if (token.size() >= 16 && contains(message, token)) return true;
  const std::string_view signature(parts[2].data(), parts[2].size());
  if (signature.size() < 16 || !contains(message, signature)) return false;
  std::string header;
  std::string payload;
  absl::WebSafeBase64Unescape(parts[0], &header);
  absl::WebSafeBase64Unescape(parts[1], &payload);
  return !contains(header, signature) && !contains(payload, signature);
}

std::optional<std::string> FindBrokenInvariant(std::string_view token, Mode mode,
                                               const absl::StatusOr<VerifiedToken>& verified) {
  if (!verified.ok()) {
    const absl::Status& status = verified.status();
    if (status.code() != absl::StatusCode::kUnauthenticated) {
      return absl::StrCat("Verify returned ", status.ToString());
    }
    if (EchoesTheToken(token, status.message())) {
      return absl::StrCat("message echoes the token: ", status.ToString());
    }
    return std::nullopt;
  }
  const std::string expected_algorithm = mode == kHs256Signed   ? "HS256"
                                         : mode == kEdDsaSigned ? "EdDSA"
                                                                : verified->algorithm;
  const std::string expected_kid = mode == kHs256Signed   ? kHmacKid
                                   : mode == kEdDsaSigned ? kEd25519Kid
                                                          : verified->key_id;
  if (verified->algorithm != expected_algorithm || verified->key_id != expected_kid) {
    return absl::StrCat("accepted with ", verified->algorithm, " key \"", verified->key_id, "\"");
  }
  if (mode == kToken && !absl::StartsWith(verified->key_id, "rfc")) {
    return absl::StrCat("accepted with an unknown key \"", verified->key_id, "\"");
  }
  if (verified->expires_at + absl::Seconds(30) <= absl::FromUnixSeconds(kFuzzNowSeconds)) {
    return "accepted an expired token";
  }
  return std::nullopt;
}

JwtFuzzOutcome CheckVerification(std::string_view token, Mode mode,
                                 const absl::StatusOr<VerifiedToken>& verified) {
  return {FindBrokenInvariant(token, mode, verified), verified.ok()};
}

}  // namespace

JwtFuzzOutcome RunJwtFuzzInput(const uint8_t* data, size_t size) {
  const Fixture& fixture = GetFixture();
  if (size == 0) {
    return CheckVerification("", kToken, fixture.verifier->Verify(""));
  }
  const Mode mode = static_cast<Mode>(data[0] % 4);
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode == kJwks) {
    const absl::StatusOr<JwtKeySet> keys = JwtKeySet::FromJwks(rest);
    if (!keys.ok() && keys.status().code() != absl::StatusCode::kInvalidArgument) {
      return {absl::StrCat("FromJwks returned ", keys.status().ToString()), false};
    }
    if (keys.ok() && keys->size() == 0) return {"FromJwks returned an empty key set", true};
    return {std::nullopt, keys.ok()};
  }
  const std::string token = mode == kToken ? std::string(rest) : SignedToken(fixture, mode, rest);
  return CheckVerification(token, mode, fixture.verifier->Verify(token));
}

}  // namespace sealtrail::fuzzing
