// The endpoints file, parsed with yaml-cpp. Every yaml-cpp call that can throw runs inside the
// one try block of ParseWebhookConfig, so no exception leaves this file.
#include "server/webhook/webhook_config.h"

#include <curl/curl.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <yaml-cpp/yaml.h>

#include <climits>
#include <exception>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sealtrail/read_file.h"
#include "sealtrail/status_macros.h"
#include "server/auth/openssl_util.h"
#include "server/webhook/webhook_signature.h"

namespace sealtrail {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr absl::string_view kEndpointKeys[] = {
    "id",          "url",     "secret",          "ca_file",     "ed25519",           "rules",
    "tenants",     "timeout", "initial_backoff", "max_backoff", "dead_letter_after", "max_queue",
    "min_severity"};

bool IsEndpointKey(std::string_view key) {
  for (absl::string_view known : kEndpointKeys) {
    if (known == Absl(key)) return true;
  }
  return false;
}

bool IsValidEndpointId(std::string_view id) {
  if (id.empty() || id.size() > 64 || !absl::ascii_isalnum(static_cast<unsigned char>(id[0]))) {
    return false;
  }
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

struct CurlUrlFree {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringFree {
  void operator()(char* text) const { curl_free(text); }
};

// Why `url` is not an https URL sealtrail will post to, or empty if it is. libcurl parses it, so
// the URL is judged by the same code that will connect to it.
std::string UrlProblem(const std::string& url) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return "the url holds a space or control character";
    }
  }
  std::unique_ptr<CURLU, CurlUrlFree> parsed(curl_url());
  if (parsed == nullptr) return "cannot parse the url (out of memory)";
  if (const CURLUcode code = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0);
      code != CURLUE_OK) {
    return absl::StrCat("not a valid URL (", curl_url_strerror(code), ")");
  }
  auto part = [&](CURLUPart which) -> std::string {
    char* value = nullptr;
    if (curl_url_get(parsed.get(), which, &value, 0) != CURLUE_OK || value == nullptr) return "";
    std::unique_ptr<char, CurlStringFree> owned(value);
    return std::string(value);
  };
  if (absl::AsciiStrToLower(part(CURLUPART_SCHEME)) != "https") {
    return "the url must start with https:// (deliveries are only made over TLS)";
  }
  if (part(CURLUPART_HOST).empty()) return "the url names no host";
  if (!part(CURLUPART_USER).empty() || !part(CURLUPART_PASSWORD).empty()) {
    return "the url holds a user name or password; authenticate with the secret instead";
  }
  return "";
}

class Parser {
 public:
  Parser(std::string_view file_name, Env* env, std::string_view base_dir)
      : file_name_(file_name), env_(env), base_dir_(base_dir) {}

  absl::StatusOr<WebhookConfig> Parse(std::string_view yaml);

 private:
  absl::Status Error(const YAML::Mark& mark, std::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(Absl(file_name_), ":", mark.line < 0 ? 1 : mark.line + 1, ": ", Absl(what)));
  }
  std::string Where(const YAML::Mark& mark) const {
    return absl::StrCat(Absl(file_name_), ":", mark.line < 0 ? 1 : mark.line + 1);
  }

  absl::StatusOr<WebhookEndpoint> ParseEndpoint(const YAML::Node& node, YAML::Mark* id_mark);
  absl::StatusOr<std::string> Text(const YAML::Node& value, std::string_view key) const;
  absl::StatusOr<absl::Duration> Duration(const YAML::Node& value, std::string_view key,
                                          absl::Duration max) const;
  absl::StatusOr<std::vector<std::string>> Globs(const YAML::Node& value,
                                                 std::string_view key) const;
  absl::Status CheckCaFile(const YAML::Node& value, const std::string& path) const;

  std::string file_name_;
  Env* env_;
  std::string base_dir_;
};

absl::StatusOr<std::string> Parser::Text(const YAML::Node& value, std::string_view key) const {
  if (!value.IsScalar() || value.Scalar().empty()) {
    return Error(value.Mark(), absl::StrCat(Absl(key), ": expected a non-empty text value"));
  }
  return value.Scalar();
}

absl::StatusOr<absl::Duration> Parser::Duration(const YAML::Node& value, std::string_view key,
                                                absl::Duration max) const {
  absl::Duration duration;
  if (!value.IsScalar() || !absl::ParseDuration(value.Scalar(), &duration) ||
      duration == absl::InfiniteDuration()) {
    return Error(
        value.Mark(),
        absl::StrCat(Absl(key), ": expected a duration such as 500ms, 15s, 10m or 72h",
                     value.IsScalar() ? absl::StrCat(", not \"", value.Scalar(), "\"") : ""));
  }
  if (duration <= absl::ZeroDuration() || duration > max) {
    return Error(value.Mark(), absl::StrCat(Absl(key), ": ", value.Scalar(),
                                            " is out of range; it must be above 0 and at most ",
                                            absl::FormatDuration(max)));
  }
  return duration;
}

absl::StatusOr<std::vector<std::string>> Parser::Globs(const YAML::Node& value,
                                                       std::string_view key) const {
  if (!value.IsSequence()) {
    return Error(value.Mark(),
                 absl::StrCat(Absl(key), ": expected a list of globs, e.g. [lock-account.*]"));
  }
  std::vector<std::string> globs;
  for (const YAML::Node& item : value) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      return Error(item.Mark(), absl::StrCat(Absl(key), ": every glob must be non-empty text"));
    }
    for (char c : item.Scalar()) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return Error(item.Mark(), absl::StrCat(Absl(key), ": a glob holds a control character"));
      }
    }
    globs.push_back(item.Scalar());
  }
  return globs;
}

absl::Status Parser::CheckCaFile(const YAML::Node& value, const std::string& path) const {
  absl::StatusOr<std::string> pem = ReadFileToString(env_, path, kMaxWebhookConfigBytes);
  if (!pem.ok()) {
    return Error(value.Mark(), absl::StrCat("ca_file ", path, ": ", pem.status().message()));
  }
  BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  X509* certificate =
      bio == nullptr ? nullptr : PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  ClearOpenSslErrors();
  if (certificate == nullptr) {
    return Error(
        value.Mark(),
        absl::StrCat("ca_file ", path, ": holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
  }
  X509_free(certificate);
  return absl::OkStatus();
}

absl::StatusOr<WebhookEndpoint> Parser::ParseEndpoint(const YAML::Node& node, YAML::Mark* id_mark) {
  if (!node.IsMap()) {
    return Error(node.Mark(), "an endpoint must be a mapping (id: ..., url: ..., secret: ...)");
  }
  WebhookEndpoint endpoint;
  endpoint.defined_at = Where(node.Mark());
  std::map<std::string, YAML::Node> values;
  std::map<std::string, YAML::Mark> key_marks;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) return Error(it->first.Mark(), "an endpoint key must be text");
    const std::string key = it->first.Scalar();
    if (!IsEndpointKey(key)) {
      return Error(it->first.Mark(), absl::StrCat("unknown endpoint key \"", key, "\" (known: ",
                                                  absl::StrJoin(std::begin(kEndpointKeys),
                                                                std::end(kEndpointKeys), ", "),
                                                  ")"));
    }
    if (values.count(key) != 0) {
      return Error(it->first.Mark(), absl::StrCat("\"", key, "\" is given twice (first on line ",
                                                  key_marks[key].line + 1, ")"));
    }
    values[key] = it->second;
    key_marks[key] = it->first.Mark();
  }
  for (std::string_view required : {"id", "url", "secret"}) {
    if (values.count(std::string(required)) == 0) {
      return Error(node.Mark(), absl::StrCat("the endpoint has no \"", Absl(required), "\""));
    }
  }

  *id_mark = values["id"].Mark();
  ASSIGN_OR_RETURN(endpoint.id, Text(values["id"], "id"));
  if (!IsValidEndpointId(endpoint.id)) {
    return Error(values["id"].Mark(),
                 absl::StrCat("id \"", endpoint.id,
                              "\" must be 1 to 64 of [A-Za-z0-9._-], starting with a letter or "
                              "digit (it names the endpoint's state file)"));
  }
  ASSIGN_OR_RETURN(endpoint.url, Text(values["url"], "url"));
  if (std::string problem = UrlProblem(endpoint.url); !problem.empty()) {
    return Error(values["url"].Mark(), absl::StrCat("url: ", problem));
  }
  ASSIGN_OR_RETURN(const std::string secret, Text(values["secret"], "secret"));
  absl::StatusOr<std::string> key = DecodeWebhookSecret(secret);
  if (!key.ok())
    return Error(values["secret"].Mark(), absl::StrCat("secret: ", key.status().message()));
  endpoint.hmac_key = *std::move(key);

  if (values.count("ca_file") != 0) {
    ASSIGN_OR_RETURN(std::string ca_file, Text(values["ca_file"], "ca_file"));
    if (ca_file[0] != '/' && !base_dir_.empty()) ca_file = absl::StrCat(base_dir_, "/", ca_file);
    RETURN_IF_ERROR(CheckCaFile(values["ca_file"], ca_file));
    endpoint.ca_file = ca_file;
  }
  if (values.count("ed25519") != 0) {
    const YAML::Node& value = values["ed25519"];
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, endpoint.ed25519)) {
      return Error(value.Mark(), "ed25519: expected true or false");
    }
  }
  if (values.count("rules") != 0) {
    ASSIGN_OR_RETURN(endpoint.route.rules, Globs(values["rules"], "rules"));
  }
  if (values.count("tenants") != 0) {
    ASSIGN_OR_RETURN(endpoint.route.tenants, Globs(values["tenants"], "tenants"));
  }
  if (values.count("min_severity") != 0) {
    const YAML::Node& value = values["min_severity"];
    endpoint.route.min_severity =
        value.IsScalar() ? ParseAlertSeverity(value.Scalar()) : std::nullopt;
    if (!endpoint.route.min_severity.has_value()) {
      return Error(
          value.Mark(),
          absl::StrCat("min_severity: expected one of ", Absl(AlertSeverityNames()),
                       value.IsScalar() ? absl::StrCat(", not \"", value.Scalar(), "\"") : ""));
    }
  }
  if (values.count("timeout") != 0) {
    ASSIGN_OR_RETURN(endpoint.timeout, Duration(values["timeout"], "timeout", kMaxWebhookTimeout));
  }
  if (values.count("initial_backoff") != 0) {
    ASSIGN_OR_RETURN(endpoint.initial_backoff,
                     Duration(values["initial_backoff"], "initial_backoff", kMaxWebhookBackoff));
  }
  if (values.count("max_backoff") != 0) {
    ASSIGN_OR_RETURN(endpoint.max_backoff,
                     Duration(values["max_backoff"], "max_backoff", kMaxWebhookBackoff));
  }
  if (endpoint.initial_backoff > endpoint.max_backoff) {
    const YAML::Node& at =
        values.count("initial_backoff") != 0 ? values["initial_backoff"] : values["max_backoff"];
    return Error(at.Mark(),
                 absl::StrCat("initial_backoff (", absl::FormatDuration(endpoint.initial_backoff),
                              ") is larger than max_backoff (",
                              absl::FormatDuration(endpoint.max_backoff), ")"));
  }
  if (values.count("dead_letter_after") != 0) {
    ASSIGN_OR_RETURN(
        endpoint.dead_letter_after,
        Duration(values["dead_letter_after"], "dead_letter_after", kMaxDeadLetterAfter));
  }
  if (values.count("max_queue") != 0) {
    const YAML::Node& value = values["max_queue"];
    uint64_t max_queue = 0;
    const bool digits = value.IsScalar() && !value.Scalar().empty() &&
                        value.Scalar().find_first_not_of("0123456789") == std::string::npos;
    if (!digits || !absl::SimpleAtoi(value.Scalar(), &max_queue) || max_queue == 0 ||
        max_queue > kMaxWebhookQueue) {
      return Error(value.Mark(),
                   absl::StrCat("max_queue: expected a whole number from 1 to ", kMaxWebhookQueue));
    }
    endpoint.max_queue = static_cast<size_t>(max_queue);
  }
  return endpoint;
}

absl::StatusOr<WebhookConfig> Parser::Parse(std::string_view yaml) {
  const YAML::Node root = YAML::Load(std::string(yaml));
  WebhookConfig config;
  if (root.IsNull()) return Error(root.Mark(), "the file is empty; expected \"endpoints:\"");
  if (!root.IsMap()) return Error(root.Mark(), "expected a mapping with \"endpoints:\"");
  YAML::Node endpoints;
  bool found = false;
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar() != "endpoints") {
      return Error(it->first.Mark(),
                   absl::StrCat("unknown key \"", it->first.IsScalar() ? it->first.Scalar() : "?",
                                "\" (the file holds only \"endpoints:\")"));
    }
    if (found) return Error(it->first.Mark(), "\"endpoints\" is given twice");
    endpoints = it->second;
    found = true;
  }
  if (!found) return Error(root.Mark(), "no \"endpoints:\"");
  if (endpoints.IsNull()) return config;  // "endpoints:" alone: no webhooks.
  if (!endpoints.IsSequence()) {
    return Error(endpoints.Mark(), "endpoints: expected a list (\"- id: ...\" items)");
  }
  std::map<std::string, YAML::Mark> id_marks;
  for (const YAML::Node& node : endpoints) {
    YAML::Mark id_mark;
    ASSIGN_OR_RETURN(WebhookEndpoint endpoint, ParseEndpoint(node, &id_mark));
    if (auto [it, inserted] = id_marks.emplace(endpoint.id, id_mark); !inserted) {
      return Error(id_mark, absl::StrCat("endpoint id \"", endpoint.id,
                                         "\" is already used on line ", it->second.line + 1));
    }
    config.endpoints.push_back(std::move(endpoint));
  }
  return config;
}

}  // namespace

absl::StatusOr<WebhookConfig> ParseWebhookConfig(std::string_view yaml, std::string_view file_name,
                                                 Env* env, std::string_view base_dir) {
  Parser parser(file_name, env, base_dir);
  try {
    return parser.Parse(yaml);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(Absl(file_name), ":",
                                                   e.mark.line < 0 ? 1 : e.mark.line + 1, ": ",
                                                   e.msg.empty() ? "not valid YAML" : e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(Absl(file_name), ": ", e.what()));
  }
}

absl::StatusOr<WebhookConfig> LoadWebhookConfig(Env* env, const std::string& path) {
  ASSIGN_OR_RETURN(const uint32_t mode, env->GetFileMode(path));
  if ((mode & 077) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "webhook endpoints file %s has mode %04o: it holds secrets, and group or others can "
        "access it; refusing to use it (run: chmod 600 %s)",
        path, mode, path));
  }
  ASSIGN_OR_RETURN(const std::string yaml, ReadFileToString(env, path, kMaxWebhookConfigBytes));
  const size_t slash = path.find_last_of('/');
  const std::string base_dir =
      slash == std::string::npos ? "" : (slash == 0 ? "/" : path.substr(0, slash));
  return ParseWebhookConfig(yaml, path, env, base_dir);
}

}  // namespace sealtrail
