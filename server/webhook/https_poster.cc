// The POST runs on libcurl's multi interface, so that the worker waits in curl_multi_poll and
// Interrupt can wake it with curl_multi_wakeup instead of waiting out a slow receiver.
#include "server/webhook/https_poster.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdint>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace sealtrail {
namespace {

// How long one curl_multi_poll waits at most; Interrupt wakes it earlier.
constexpr int kPollMillis = 1000;

absl::Status CurlSetupError() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  // curl_global_init is not thread-safe in every libcurl; once per process, before any handle.
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) {
    return absl::InternalError(absl::StrCat("libcurl setup failed: ", curl_easy_strerror(code)));
  }
  return absl::OkStatus();
}

size_t KeepPrefix(char* data, size_t size, size_t count, void* user) {
  auto* prefix = static_cast<std::string*>(user);
  const size_t bytes = size * count;
  if (prefix->size() < HttpsPoster::kAnswerPrefixBytes) {
    prefix->append(data, std::min(bytes, HttpsPoster::kAnswerPrefixBytes - prefix->size()));
  }
  return bytes;  // The rest is read and dropped: the answer's body means nothing to delivery.
}

// Also aborts a transfer between polls (libcurl calls it while it works).
int AbortIfInterrupted(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

struct HttpsPoster::Handles {
  CURLM* multi = nullptr;
  CURL* easy = nullptr;
  ~Handles() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (multi != nullptr) curl_multi_cleanup(multi);
  }
};

HttpsPoster::HttpsPoster(std::unique_ptr<Handles> handles) : handles_(std::move(handles)) {}
HttpsPoster::~HttpsPoster() = default;

absl::StatusOr<std::unique_ptr<HttpsPoster>> HttpsPoster::Create() {
  if (absl::Status setup = CurlSetupError(); !setup.ok()) return setup;
  auto handles = std::make_unique<Handles>();
  handles->multi = curl_multi_init();
  handles->easy = curl_easy_init();
  if (handles->multi == nullptr || handles->easy == nullptr) {
    return absl::InternalError("libcurl could not create its handles");
  }
  return std::unique_ptr<HttpsPoster>(new HttpsPoster(std::move(handles)));
}

void HttpsPoster::Interrupt() {
  interrupted_.store(true);
  curl_multi_wakeup(handles_->multi);
}

absl::StatusOr<HttpsAnswer> HttpsPoster::Post(const HttpsPost& post) {
  if (interrupted_.load()) return absl::CancelledError("the webhook sender is stopping");
  CURL* easy = handles_->easy;
  curl_easy_reset(easy);
  std::unique_ptr<curl_slist, SlistFree> headers;
  for (const auto& [name, value] : post.headers) {
    curl_slist* appended =
        curl_slist_append(headers.get(), absl::StrCat(name, ": ", value).c_str());
    if (appended == nullptr) return absl::ResourceExhaustedError("out of memory for headers");
    headers.release();
    headers.reset(appended);
  }
  // An empty "Expect:" stops libcurl from waiting for "100 Continue" before a large body.
  if (curl_slist* appended = curl_slist_append(headers.get(), "Expect:"); appended != nullptr) {
    headers.release();
    headers.reset(appended);
  }
  const long timeout_ms =  // NOLINT(runtime/int): libcurl's type
      static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(post.timeout)));  // NOLINT
  HttpsAnswer answer;
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy, CURLOPT_URL, post.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_PROXY, "");  // "" ignores http(s)_proxy in the environment.
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(easy, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  if (!post.ca_file.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, post.ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);  // Only the given CAs, not the system's too.
  }
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "sealtrail-webhooks/1");
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, post.body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.body.size()));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, KeepPrefix);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &answer.body_prefix);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, AbortIfInterrupted);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &interrupted_);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);

  CURLM* multi = handles_->multi;
  if (const CURLMcode added = curl_multi_add_handle(multi, easy); added != CURLM_OK) {
    return absl::InternalError(absl::StrCat("libcurl: ", curl_multi_strerror(added)));
  }
  CURLcode result = CURLE_OK;
  bool done = false;
  absl::Status failure;
  while (!done) {
    if (interrupted_.load()) {
      failure = absl::CancelledError("the webhook sender is stopping");
      break;
    }
    int running = 0;
    CURLMcode code = curl_multi_perform(multi, &running);
    if (code == CURLM_OK && running > 0)
      code = curl_multi_poll(multi, nullptr, 0, kPollMillis, nullptr);
    if (code != CURLM_OK) {
      failure = absl::InternalError(absl::StrCat("libcurl: ", curl_multi_strerror(code)));
      break;
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg == CURLMSG_DONE && message->easy_handle == easy) {
        result = message->data.result;
        done = true;
      }
    }
    if (!done && running == 0) {
      failure = absl::InternalError("libcurl finished the transfer without a result");
      break;
    }
  }
  curl_multi_remove_handle(multi, easy);
  if (!failure.ok()) return failure;
  if (result == CURLE_ABORTED_BY_CALLBACK && interrupted_.load()) {
    return absl::CancelledError("the webhook sender is stopping");
  }
  if (result != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("no answer: ", curl_easy_strerror(result),
                     error[0] != '\0' ? absl::StrCat(" (", error, ")") : std::string()));
  }
  long status = 0;  // NOLINT(runtime/int): libcurl's type
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  answer.status = static_cast<int>(status);
  return answer;
}

}  // namespace sealtrail
