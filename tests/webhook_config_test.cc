// The webhook endpoints file (server/webhook/webhook_config.h) and per-rule routing
// (server/webhook/alert_routing.h): a full file parses to what it says; every kind of mistake is
// INVALID_ARGUMENT naming the file, the line and what is wrong; a file others can read is refused.
#include "server/webhook/webhook_config.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/webhook/alert_routing.h"
#include "server_testing/test_certs.h"
#include "testing/file_util.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

class WebhookConfigTest : public ::testing::Test {
 protected:
  WebhookConfigTest() {
    testing::TestCa ca("webhook-config-test-ca");
    EXPECT_OK(testing::WriteWholeFile(scratch_.Sub("ca.pem"), ca.cert_pem()));
    EXPECT_OK(testing::WriteWholeFile(scratch_.Sub("not-a-cert.pem"), "hello\n"));
  }

  absl::StatusOr<WebhookConfig> Parse(const std::string& yaml) {
    return ParseWebhookConfig(yaml, "hooks.yaml", Env::Default(), scratch_.path());
  }

  ScratchDir scratch_{"webhook_config_test"};
};

TEST_F(WebhookConfigTest, AFullFileParsesToWhatItSays) {
  ASSERT_OK_AND_ASSIGN(const WebhookConfig config, Parse(absl::StrCat(R"(# two endpoints
endpoints:
  - id: identity-platform
    url: https://idp.example.com/hooks/sealtrail?tenant=acme
    secret: )",
                                                                      kSecret, R"(
    ca_file: ca.pem
    ed25519: true
    rules: [lock-account.*, "integrity.violation"]
    tenants: [acme, "eu-*"]
    timeout: 20s
    initial_backoff: 250ms
    max_backoff: 10m
    dead_letter_after: 72h
    max_queue: 50
  - id: on-call
    url: https://pager.example.com/v1/events
    secret: )",
                                                                      kSecret, R"(
    min_severity: critical
)")));
  ASSERT_EQ(config.endpoints.size(), 2u);
  const WebhookEndpoint& idp = config.endpoints[0];
  EXPECT_EQ(idp.id, "identity-platform");
  EXPECT_EQ(idp.url, "https://idp.example.com/hooks/sealtrail?tenant=acme");
  EXPECT_EQ(idp.hmac_key.size(), 24u);
  EXPECT_EQ(idp.ca_file, scratch_.Sub("ca.pem"));
  EXPECT_TRUE(idp.ed25519);
  EXPECT_THAT(idp.route.rules, ElementsAre("lock-account.*", "integrity.violation"));
  EXPECT_THAT(idp.route.tenants, ElementsAre("acme", "eu-*"));
  EXPECT_FALSE(idp.route.min_severity.has_value());
  EXPECT_EQ(idp.timeout, absl::Seconds(20));
  EXPECT_EQ(idp.initial_backoff, absl::Milliseconds(250));
  EXPECT_EQ(idp.max_backoff, absl::Minutes(10));
  EXPECT_EQ(idp.dead_letter_after, absl::Hours(72));
  EXPECT_EQ(idp.max_queue, 50u);
  EXPECT_EQ(idp.defined_at, "hooks.yaml:3");

  const WebhookEndpoint& on_call = config.endpoints[1];
  EXPECT_EQ(on_call.route.min_severity, AlertSeverity::kCritical);
  EXPECT_TRUE(on_call.ca_file.empty());
  EXPECT_FALSE(on_call.ed25519);
  EXPECT_EQ(on_call.timeout, absl::Seconds(15));  // The defaults.
  EXPECT_EQ(on_call.initial_backoff, absl::Seconds(5));
  EXPECT_EQ(on_call.max_backoff, absl::Hours(1));
  EXPECT_EQ(on_call.dead_letter_after, absl::Hours(72));
  EXPECT_EQ(on_call.max_queue, 1000u);
}

TEST_F(WebhookConfigTest, TheDocsExampleParses) {
  ASSERT_OK_AND_ASSIGN(const std::string doc,
                       testing::ReadWholeFile(std::string(SEALTRAIL_DOCS_DIR) + "/detection.md"));
  // The endpoints file example: the first YAML block after the "Endpoint configuration" heading.
  const size_t section = doc.find("### Endpoint configuration");
  ASSERT_NE(section, std::string::npos);
  const size_t start = doc.find("```yaml\n", section);
  ASSERT_NE(start, std::string::npos);
  const size_t end = doc.find("```\n", start + 8);
  ASSERT_NE(end, std::string::npos);
  ASSERT_OK(testing::WriteWholeFile(scratch_.Sub("idp-ca.pem"),
                                    *testing::ReadWholeFile(scratch_.Sub("ca.pem"))));
  ASSERT_OK_AND_ASSIGN(const WebhookConfig config, Parse(doc.substr(start + 8, end - start - 8)));
  ASSERT_EQ(config.endpoints.size(), 2u);
  EXPECT_EQ(config.endpoints[1].route.min_severity, AlertSeverity::kCritical);
  EXPECT_EQ(config.endpoints[1].dead_letter_after, absl::Hours(24));
}

TEST_F(WebhookConfigTest, NoEndpointsIsNoWebhooks) {
  ASSERT_OK_AND_ASSIGN(const WebhookConfig empty, Parse("endpoints: []\n"));
  EXPECT_TRUE(empty.endpoints.empty());
  ASSERT_OK_AND_ASSIGN(const WebhookConfig bare, Parse("endpoints:\n"));
  EXPECT_TRUE(bare.endpoints.empty());
}

struct Mistake {
  const char* what;
  std::string yaml;
  int line;
  const char* reason;
};

// An endpoint whose line 2 of the file is "  - id: a" and whose extra lines start at line 5.
std::string Endpoint(const std::string& extra, const std::string& url = "https://a.example/h",
                     const std::string& secret = kSecret) {
  return absl::StrCat("endpoints:\n  - id: a\n    url: ", url, "\n    secret: ", secret, "\n",
                      extra);
}

TEST_F(WebhookConfigTest, EveryKindOfMistakeNamesItsLineAndWhatIsWrong) {
  const std::vector<Mistake> mistakes = {
      {"empty file", "", 1, "the file is empty"},
      {"not YAML", "endpoints: [\n  - id: a\n", 2, "illegal block entry"},
      {"top level not a mapping", "- id: a\n", 1, "expected a mapping with \"endpoints:\""},
      {"unknown top-level key", "endpoints: []\nhooks: []\n", 2, "unknown key \"hooks\""},
      {"no endpoints key", "# nothing\n{}\n", 2, "no \"endpoints:\""},
      {"endpoints not a list", "endpoints:\n  id: a\n", 2, "endpoints: expected a list"},
      {"endpoint not a mapping", "endpoints:\n  - just text\n", 2, "must be a mapping"},
      {"missing id", "endpoints:\n  - url: https://a.example/h\n    secret: x\n", 2,
       "the endpoint has no \"id\""},
      {"missing url", "endpoints:\n  - id: a\n    secret: x\n", 2, "has no \"url\""},
      {"missing secret", "endpoints:\n  - id: a\n    url: https://a.example/h\n", 2,
       "has no \"secret\""},
      {"bad id", "endpoints:\n  - id: ../etc\n    url: https://a.example/h\n    secret: x\n", 2,
       "id \"../etc\" must be 1 to 64 of [A-Za-z0-9._-]"},
      {"http url", Endpoint("", "http://a.example/h"), 3, "must start with https://"},
      {"not a url", Endpoint("", "https://"), 3, "url: not a valid URL"},
      {"url with a password", Endpoint("", "https://user:pw@a.example/h"), 3,
       "holds a user name or password"},
      {"url with a space", Endpoint("", "\"https://a.example/a b\""), 3,
       "space or control character"},
      {"secret without prefix", Endpoint("", "https://a.example/h", "abc"), 4,
       "secret: a webhook secret starts with \"whsec_\""},
      {"short secret", Endpoint("", "https://a.example/h", "whsec_c2hvcnQ="), 4,
       "decodes to 5 bytes"},
      {"empty secret", Endpoint("", "https://a.example/h", "\"\""), 4,
       "secret: expected a non-empty text value"},
      {"unknown endpoint key", Endpoint("    retries: 3\n"), 5,
       "unknown endpoint key \"retries\" (known: id, url"},
      {"key given twice", Endpoint("    timeout: 1s\n    timeout: 2s\n"), 6,
       "\"timeout\" is given twice (first on line 5)"},
      {"ca_file missing", Endpoint("    ca_file: nowhere.pem\n"), 5, "ca_file "},
      {"ca_file not PEM", Endpoint("    ca_file: not-a-cert.pem\n"), 5, "holds no PEM certificate"},
      {"ed25519 not a bool", Endpoint("    ed25519: maybe\n"), 5,
       "ed25519: expected true or false"},
      {"rules not a list", Endpoint("    rules: lock-account.*\n"), 5,
       "rules: expected a list of globs"},
      {"empty glob", Endpoint("    rules: [\"\"]\n"), 5, "rules: every glob must be non-empty"},
      {"tenants not a list", Endpoint("    tenants: {a: b}\n"), 5, "tenants: expected a list"},
      {"unknown severity", Endpoint("    min_severity: urgent\n"), 5,
       "min_severity: expected one of info, low, medium, high, critical, not \"urgent\""},
      {"bad duration", Endpoint("    timeout: soon\n"), 5,
       "timeout: expected a duration such as 500ms, 15s, 10m or 72h, not \"soon\""},
      {"days are not a duration", Endpoint("    dead_letter_after: 3d\n"), 5,
       "dead_letter_after: expected a duration"},
      {"zero duration", Endpoint("    initial_backoff: 0s\n"), 5,
       "initial_backoff: 0s is out of range"},
      {"negative duration", Endpoint("    max_backoff: -1s\n"), 5,
       "max_backoff: -1s is out of range"},
      {"timeout too long", Endpoint("    timeout: 11m\n"), 5, "at most 10m"},
      {"initial above max backoff", Endpoint("    initial_backoff: 2m\n    max_backoff: 1m\n"), 5,
       "initial_backoff (2m) is larger than max_backoff (1m)"},
      {"max_queue zero", Endpoint("    max_queue: 0\n"), 5,
       "max_queue: expected a whole number from 1"},
      {"max_queue not a number", Endpoint("    max_queue: lots\n"), 5, "max_queue: expected"},
      {"max_queue too big", Endpoint("    max_queue: 1000001\n"), 5, "from 1 to 1000000"},
      {"duplicate id",
       Endpoint("") + "  - id: a\n    url: https://b.example/h\n    secret: " + kSecret + "\n", 5,
       "endpoint id \"a\" is already used on line 2"},
  };
  for (const Mistake& mistake : mistakes) {
    SCOPED_TRACE(mistake.what);
    EXPECT_THAT(Parse(mistake.yaml),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(StartsWith(absl::StrCat("hooks.yaml:", mistake.line, ": ")),
                               HasSubstr(mistake.reason), Not(HasSubstr("MfKQ9r8GKYqr")))));
  }
}

TEST_F(WebhookConfigTest, AFileOthersCanReadIsRefusedBecauseItHoldsSecrets) {
  const std::string path = scratch_.Sub("hooks.yaml");
  ASSERT_OK(testing::WriteWholeFile(path, Endpoint("    ca_file: ca.pem\n")));
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  EXPECT_THAT(LoadWebhookConfig(Env::Default(), path),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       AllOf(HasSubstr(path), HasSubstr("0644"), HasSubstr("chmod 600"))));
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  ASSERT_OK_AND_ASSIGN(const WebhookConfig config, LoadWebhookConfig(Env::Default(), path));
  // A relative ca_file is found next to the endpoints file.
  EXPECT_EQ(config.endpoints.at(0).ca_file, scratch_.Sub("ca.pem"));
  EXPECT_THAT(LoadWebhookConfig(Env::Default(), scratch_.Sub("missing.yaml")),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(WebhookConfigTest, AMistakeInAFileIsReportedWithItsPath) {
  const std::string path = scratch_.Sub("hooks.yaml");
  ASSERT_OK(testing::WriteWholeFile(path, Endpoint("    max_queue: -1\n")));
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  EXPECT_THAT(LoadWebhookConfig(Env::Default(), path),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith(path + ":5: max_queue")));
}

PendingAlert Alert(const std::string& rule, const std::string& severity,
                   const std::string& tenant = "acme") {
  return PendingAlert{1, rule, severity, tenant};
}

TEST(AlertRouting, AnEndpointGetsItsRulesAndWhatReachesItsSeverity) {
  AlertRoute lock_accounts;
  lock_accounts.rules = {"lock-account.*"};
  EXPECT_TRUE(RouteTakes(lock_accounts, Alert("lock-account.mass-export", "medium")));
  EXPECT_FALSE(RouteTakes(lock_accounts, Alert("page.denied-burst", "critical")));

  AlertRoute on_call;
  on_call.rules = {"page.*"};
  on_call.min_severity = AlertSeverity::kCritical;
  EXPECT_TRUE(RouteTakes(on_call, Alert("page.denied-burst", "low")));
  EXPECT_TRUE(RouteTakes(on_call, Alert("integrity.violation", "critical")));
  EXPECT_FALSE(RouteTakes(on_call, Alert("lock-account.mass-export", "high")));
  // A severity nobody knows counts as critical: a typo must not silence an alert.
  EXPECT_TRUE(RouteTakes(on_call, Alert("custom", "sev1")));

  AlertRoute integrity;
  integrity.rules = {"integrity.violation"};
  EXPECT_TRUE(RouteTakes(integrity, Alert("integrity.violation", "critical")));
  EXPECT_FALSE(RouteTakes(integrity, Alert("integrity.violationx", "critical")));

  AlertRoute everything;
  EXPECT_TRUE(RouteTakes(everything, Alert("anything", "info")));
}

TEST(AlertRouting, TenantsNarrowEveryOtherChoice) {
  AlertRoute acme;
  acme.tenants = {"acme", "eu-*"};
  acme.min_severity = AlertSeverity::kHigh;
  EXPECT_TRUE(RouteTakes(acme, Alert("r", "high", "acme")));
  EXPECT_TRUE(RouteTakes(acme, Alert("r", "critical", "eu-west")));
  EXPECT_FALSE(RouteTakes(acme, Alert("r", "critical", "globex")));
  EXPECT_FALSE(RouteTakes(acme, Alert("r", "medium", "acme")));
}

TEST(AlertRouting, SeverityNamesRoundTrip) {
  for (const char* name : {"info", "low", "medium", "high", "critical"}) {
    ASSERT_TRUE(ParseAlertSeverity(name).has_value()) << name;
    EXPECT_EQ(AlertSeverityName(*ParseAlertSeverity(name)), name);
  }
  EXPECT_FALSE(ParseAlertSeverity("High").has_value());
  EXPECT_LT(*ParseAlertSeverity("high"), *ParseAlertSeverity("critical"));
}

}  // namespace
}  // namespace sealtrail
