// JwtVerifier: the order of the checks a token passes. Each refusal happens before the next
// step reads more of the token: size, shape, header, key choice, payload, signature, claims.
#include "server/auth/jwt_verifier.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "sealtrail/hash.h"
#include "sealtrail/status_macros.h"
#include "server/auth/jose_text.h"
#include "server/auth/jwt_claims.h"
#include "server/auth/jwt_key.h"
#include "server/auth/jwt_signature.h"

namespace sealtrail {
namespace {

absl::Status Refused(absl::string_view why) { return absl::UnauthenticatedError(why); }

bool IsBase64UrlOrDot(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

// The three parts of a compact JWS (RFC 7515 §7.1), still encoded.
struct TokenParts {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // header '.' payload
};

absl::StatusOr<TokenParts> SplitToken(std::string_view token) {
  for (char c : token) {
    if (!IsBase64UrlOrDot(c)) {
      return Refused("token holds a character that is neither base64url nor '.'");
    }
  }
  const size_t first_dot = token.find('.');
  const size_t second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return Refused("token is not three dot-separated parts (header.payload.signature)");
  }
  TokenParts parts;
  parts.header = token.substr(0, first_dot);
  parts.payload = token.substr(first_dot + 1, second_dot - first_dot - 1);
  parts.signature = token.substr(second_dot + 1);
  parts.signing_input = token.substr(0, second_dot);
  return parts;
}

// The decoded JSON object of one token part.
absl::StatusOr<nlohmann::json> DecodeJsonPart(std::string_view encoded, absl::string_view what) {
  const std::optional<std::string> bytes = DecodeBase64Url(encoded);
  if (!bytes.has_value()) return Refused(absl::StrCat("token ", what, " is not base64url"));
  std::optional<nlohmann::json> object = ParseJsonObject(*bytes);
  if (!object.has_value()) return Refused(absl::StrCat("token ", what, " is not a JSON object"));
  return *std::move(object);
}

// What the header says, after refusing what sealtrail never accepts.
struct TokenHeader {
  JwtAlgorithm algorithm;
  std::optional<std::string> kid;
};

absl::StatusOr<TokenHeader> ReadHeader(const nlohmann::json& header) {
  if (!header.contains("alg") || !header["alg"].is_string()) {
    return Refused("token header has no \"alg\" string");
  }
  const std::string& alg = header["alg"].get_ref<const std::string&>();
  if (absl::AsciiStrToLower(alg) == "none") return Refused("alg none is not accepted");
  const std::optional<JwtAlgorithm> algorithm = JwtAlgorithmFromName(alg);
  if (!algorithm.has_value()) {
    return Refused(absl::StrCat("alg ", QuoteForMessage(alg, 16),
                                " is not accepted (RS256, ES256, HS256 and EdDSA are)"));
  }
  // RFC 7515 §4.1.11: a recipient must refuse critical extensions it does not understand, and
  // sealtrail understands none.
  if (header.contains("crit")) return Refused("token header has \"crit\" extensions");
  // libjwt refuses any other type; refusing it here says so for every algorithm.
  if (header.contains("typ") &&
      (!header["typ"].is_string() ||
       absl::AsciiStrToUpper(header["typ"].get<std::string>()) != "JWT")) {
    return Refused("token header \"typ\" is not \"JWT\"");
  }
  TokenHeader result{*algorithm, std::nullopt};
  if (header.contains("kid")) {
    if (!header["kid"].is_string()) return Refused("token header \"kid\" is not a string");
    if (!header["kid"].get_ref<const std::string&>().empty()) {
      result.kid = header["kid"].get<std::string>();
    }
  }
  return result;
}

// The key named by the header's kid, or the only key for its algorithm when there is no kid;
// either way its algorithm must be the header's.
absl::StatusOr<const JwtKeySet::Key*> ChooseKey(
    const std::vector<std::shared_ptr<const JwtKeySet::Key>>& keys, const TokenHeader& header) {
  const absl::string_view alg = Absl(JwtAlgorithmName(header.algorithm));
  if (header.kid.has_value()) {
    for (const std::shared_ptr<const JwtKeySet::Key>& key : keys) {
      if (key->kid != *header.kid) continue;
      if (key->algorithm != header.algorithm) {
        return Refused(absl::StrCat("token alg ", alg, " does not match key ",
                                    QuoteForMessage(key->kid), ", which is for ",
                                    Absl(JwtAlgorithmName(key->algorithm))));
      }
      return key.get();
    }
    return Refused(absl::StrCat("unknown key id ", QuoteForMessage(*header.kid)));
  }
  const JwtKeySet::Key* chosen = nullptr;
  for (const std::shared_ptr<const JwtKeySet::Key>& key : keys) {
    if (key->algorithm != header.algorithm) continue;
    if (chosen != nullptr) {
      return Refused(
          absl::StrCat("token has no key id and more than one ", alg, " key could verify it"));
    }
    chosen = key.get();
  }
  if (chosen == nullptr) return Refused(absl::StrCat("no key for alg ", alg));
  return chosen;
}

}  // namespace

absl::StatusOr<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(JwtKeySet keys,
                                                                 JwtVerifierOptions options,
                                                                 Env* env) {
  if (options.issuer.empty()) return absl::InvalidArgumentError("JWT issuer is empty");
  if (options.audience.empty()) return absl::InvalidArgumentError("JWT audience is empty");
  if (keys.size() == 0) return absl::InvalidArgumentError("JWT key set is empty");
  if (options.leeway < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("JWT leeway is negative");
  }
  if (options.max_lifetime <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("JWT max_lifetime is not positive");
  }
  if (options.max_token_bytes == 0) {
    return absl::InvalidArgumentError("JWT max_token_bytes is 0");
  }
  return std::unique_ptr<JwtVerifier>(
      new JwtVerifier(std::move(keys), std::move(options), env == nullptr ? Env::Default() : env));
}

JwtVerifier::JwtVerifier(JwtKeySet keys, JwtVerifierOptions options, Env* env)
    : keys_(std::move(keys)), options_(std::move(options)), env_(env) {}

JwtVerifier::~JwtVerifier() = default;

absl::StatusOr<VerifiedToken> JwtVerifier::Verify(std::string_view token) const {
  if (token.empty() || token.size() > options_.max_token_bytes) return VerifyUncached(token);
  const Hash digest = Sha256(token);
  std::string key(AsStringView(digest));
  const absl::Time now = absl::FromUnixNanos(env_->NowNanos());
  {
    absl::MutexLock lock(&verified_mu_);
    auto it = verified_.find(key);
    if (it != verified_.end()) {
      if (now < it->second.expires_at + options_.leeway) return it->second;
      verified_.erase(it);  // Expired: the full check below says so.
    }
  }
  ASSIGN_OR_RETURN(VerifiedToken verified, VerifyUncached(token));
  absl::MutexLock lock(&verified_mu_);
  if (verified_.size() >= kMaxRememberedTokens) verified_.clear();
  verified_.emplace(std::move(key), verified);
  return verified;
}

absl::StatusOr<VerifiedToken> JwtVerifier::VerifyUncached(std::string_view token) const {
  if (token.empty()) return Refused("no token");
  if (token.size() > options_.max_token_bytes) {
    return Refused(absl::StrCat("token has ", token.size(), " bytes, more than the limit of ",
                                options_.max_token_bytes));
  }
  ASSIGN_OR_RETURN(const TokenParts parts, SplitToken(token));
  ASSIGN_OR_RETURN(const nlohmann::json header_json, DecodeJsonPart(parts.header, "header"));
  ASSIGN_OR_RETURN(const TokenHeader header, ReadHeader(header_json));
  ASSIGN_OR_RETURN(const JwtKeySet::Key* key, ChooseKey(keys_.keys_, header));
  ASSIGN_OR_RETURN(const nlohmann::json claims, DecodeJsonPart(parts.payload, "payload"));
  const std::optional<std::string> signature = DecodeBase64Url(parts.signature);
  if (!signature.has_value() || signature->empty()) {
    return Refused("token signature is not non-empty base64url");
  }
  RETURN_IF_ERROR(VerifyJwtSignature(*key, std::string(token), parts.signing_input, *signature));

  ASSIGN_OR_RETURN(VerifiedToken verified,
                   CheckJwtClaims(claims, options_, absl::FromUnixNanos(env_->NowNanos())));
  verified.key_id = key->kid;
  verified.algorithm = std::string(JwtAlgorithmName(key->algorithm));
  return verified;
}

}  // namespace sealtrail
