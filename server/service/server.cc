#include "server/service/server.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "sealtrail/checkpoint_store.h"
#include "sealtrail/checkpointer.h"
#include "sealtrail/log.h"
#include "sealtrail/status_macros.h"
#include "server/index/open_or_rebuild.h"
#include "server/otlp/otlp_http_server.h"
#include "server/otlp/otlp_ingest.h"
#include "server/otlp/otlp_logs_service.h"
#include "server/record/record.h"
#include "server/service/access_control.h"
#include "server/service/admin_service.h"
#include "server/service/alert_feed.h"
#include "server/service/alert_record.h"
#include "server/service/append_pipeline.h"
#include "server/service/audit_log_service.h"
#include "server/service/authenticator.h"
#include "server/service/client_address.h"
#include "server/service/denial_recorder.h"
#include "server/service/detection_stage.h"
#include "server/service/integrity_auditor.h"
#include "server/service/key_heads.h"
#include "server/service/proof_source.h"
#include "server/service/prover_service.h"
#include "server/service/server_health.h"
#include "server/service/signing_key.h"
#include "server/service/token_verifier.h"
#include "server/service/transport_security.h"
#include "server/webhook/webhook_config.h"
#include "server/webhook/webhook_dispatcher.h"
#include "server/webhook/webhook_signature.h"

namespace sealtrail {
namespace {

// How long Shutdown lets in-flight calls finish before cancelling them.
constexpr auto kShutdownGrace = std::chrono::seconds(30);

absl::Status CheckOptions(const ServerOptions& options) {
  if (options.listen.empty() || options.listen.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", options.listen, "\" is not HOST:PORT"));
  }
  if (options.data_dir.empty()) return absl::InvalidArgumentError("the data directory is empty");
  if (options.max_record_bytes < 256 || options.max_record_bytes > kMaxRecordLimit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max record bytes must be in 256..", kMaxRecordLimit, ", got ", options.max_record_bytes));
  }
  if (options.checkpoint_interval_ms < 1) {
    return absl::InvalidArgumentError("the checkpoint interval must be at least 1 ms");
  }
  if (options.max_batch_records < 1) {
    return absl::InvalidArgumentError("max batch records must be at least 1");
  }
  if (options.denial_window_ms < 1 || options.max_denial_keys < 1) {
    return absl::InvalidArgumentError(
        "the denial window and the number of denials tracked must be at least 1");
  }
  return CheckTransportOptions(options);
}

}  // namespace

class AuditServer::Impl {
 public:
  absl::Status Open(const ServerOptions& options, EventLog* events) {
    options_ = options;
    events_ = events;
    env_ = options.env != nullptr ? options.env : Env::Default();
    health_ = std::make_unique<ServerHealth>(events_);
    RETURN_IF_ERROR(CheckOptions(options));

    LogOptions log_options;
    log_options.env = env_;
    log_options.leaves_per_segment_log2 = options.leaves_per_segment_log2;
    log_options.max_record_bytes = options.max_record_bytes;
    log_options.sync = options.sync;
    ASSIGN_OR_RETURN(log_, Log::Open(log_options, options.data_dir));
    for (const std::string& action : log_->recovery_report().actions) {
      events_->Warning("log_recovery", {{"action", action}});
    }
    ASSIGN_OR_RETURN(TreeHead head, log_->Head());
    events_->Info("log_opened",
                  {{"data_dir", options.data_dir},
                   {"records", head.size},
                   {"root", HashToBase64(head.root)},
                   {"sync", options.sync == SyncPolicy::kDurable ? "durable" : "none"}});
    if (options.sync != SyncPolicy::kDurable) {
      events_->Warning("sync_disabled",
                       {{"note",
                         "appends are acknowledged before they are on disk; a machine "
                         "crash can lose acknowledged records (benchmarks only)"}});
    }

    ASSIGN_OR_RETURN(store_, CheckpointStore::Open(env_, options.data_dir, /*read_only=*/false));
    ASSIGN_OR_RETURN(NoteSigner signer,
                     LoadOrCreateSigningKey(env_, options.data_dir, options.key_file, events_));
    verifier_key_ = signer.VerifierKeyText();
    if (!options.webhooks_file.empty()) {
      // v1a webhook signatures are made with the log's own key, so a receiver checks them with
      // the verifier key it already trusts for checkpoints.
      ASSIGN_OR_RETURN(Ed25519WebhookKey webhook_key, Ed25519WebhookKey::FromNoteSigner(signer));
      webhook_key_ = std::make_unique<Ed25519WebhookKey>(std::move(webhook_key));
    }
    // Before the first checkpoint: each one signs the key map root of its size.
    ASSIGN_OR_RETURN(key_heads_, KeyHeads::Load(*log_));
    events_->Info("key_map_loaded",
                  {{"commitment_from", key_heads_->commitment_from()}, {"records", head.size}});
    CheckpointerOptions checkpointer_options;
    checkpointer_options.env = env_;
    checkpointer_options.content = [heads =
                                        key_heads_.get()]() -> absl::StatusOr<CheckpointContent> {
      ASSIGN_OR_RETURN(const KeyMapHead map, heads->Advance());
      return CheckpointContent{map.size, {map.ExtensionLine()}};
    };
    checkpointer_options.interval_ms = options.checkpoint_interval_ms;
    checkpointer_options.on_background_error = [this](const absl::Status& error) {
      health_->Fail("checkpointer", error);
    };
    checkpointer_ = std::make_unique<Checkpointer>(log_.get(), store_.get(), std::move(signer),
                                                   checkpointer_options);
    // Before serving anything: the log must extend the latest checkpoint it ever signed.
    ASSIGN_OR_RETURN(StoredCheckpoint latest, checkpointer_->SignNow());
    events_->Info("checkpoint",
                  {{"tree_size", latest.checkpoint.size}, {"origin", checkpointer_->origin()}});

    std::string index_dir = options.index_dir.empty()
                                ? absl::StrCat(options.data_dir, "/", kDefaultIndexDir)
                                : options.index_dir;
    ASSIGN_OR_RETURN(OpenedIndex opened,
                     OpenOrRebuild(index_dir, *log_, IndexFieldsFromStoredBytes, options.index));
    index_ = std::move(opened.index);
    index_->OnBackgroundError([events = events_](const absl::Status& error) {
      events->Error("index_background_error", {{"error", error.ToString()}});
    });
    events_->Info("index_opened", {{"index_dir", index_dir},
                                   {"report", opened.report.ToString()},
                                   {"covered", index_->covered()}});

    if (!options.rules_path.empty()) {
      DetectionOptions detection;
      detection.rules_path = options.rules_path;
      detection.data_dir = options.data_dir;
      detection.on_alert_committed = [this](uint64_t alert_seq) { OnAlertCommitted(alert_seq); };
      ASSIGN_OR_RETURN(detection_,
                       DetectionStage::Create(log_.get(), events_, env_, std::move(detection)));
    }

    AppendPipelineOptions pipeline_options;
    pipeline_options.max_batch_records = std::max<uint32_t>(options.max_batch_records, 16384);
    pipeline_options.max_inflight_bytes = options.max_inflight_bytes;
    pipeline_options.max_record_bytes = options.max_record_bytes;
    pipeline_options.key_heads = key_heads_.get();
    pipeline_options.on_stage_failure = [this](std::string_view stage, const absl::Status& cause) {
      health_->Fail(stage, cause);
    };
    if (detection_ != nullptr) {
      pipeline_options.on_committed = [stage = detection_.get()](const CommittedRecords& batch) {
        stage->OnCommitted(batch);
      };
    }
    ASSIGN_OR_RETURN(pipeline_, AppendPipeline::Start(log_.get(), index_.get(), events_, env_,
                                                      pipeline_options));
    proofs_ = std::make_unique<ProofSource>(log_.get(), store_.get(), checkpointer_.get());
    alert_feed_ = std::make_unique<LogAlertFeed>(log_.get(), index_.get(), proofs_.get());
    // Before anything else can append: alerts a crash kept from being raised are raised now.
    if (detection_ != nullptr) RETURN_IF_ERROR(detection_->Recover(pipeline_.get()));
    RETURN_IF_ERROR(StartWebhooks());
    RETURN_IF_ERROR(StartIntegrityAuditor());

    RETURN_IF_ERROR(OpenAccessControl());
    AuditLogServiceOptions service_options;
    service_options.max_batch_records = options.max_batch_records;
    service_options.require_verified_actor = options.require_verified_actor;
    completeness_ = std::make_unique<CompletenessProver>(log_.get(), index_.get(), key_heads_.get(),
                                                         proofs_.get());
    audit_service_ =
        std::make_unique<AuditLogService>(pipeline_.get(), log_.get(), index_.get(), proofs_.get(),
                                          completeness_.get(), access_.get(), service_options);
    prover_service_ = std::make_unique<ProverService>(log_.get(), index_.get(), pipeline_.get(),
                                                      store_.get(), proofs_.get(), access_.get());
    OtlpIngestOptions otlp_options;
    otlp_options.mapping = options.otlp_mapping;
    otlp_options.max_batch_records = options.max_batch_records;
    otlp_options.max_record_bytes = options.max_record_bytes;
    otlp_options.require_verified_actor = options.require_verified_actor;
    otlp_ingest_ = std::make_unique<OtlpIngest>(pipeline_.get(), access_.get(), otlp_options);
    otlp_service_ = std::make_unique<OtlpLogsService>(otlp_ingest_.get(), access_.get());
    admin_service_ =
        std::make_unique<AdminService>(webhooks_.get(), pipeline_.get(), access_.get());
    RETURN_IF_ERROR(Listen());
    return ListenOtlpHttp();
  }

  absl::Status ReloadRules() {
    if (detection_ == nullptr) {
      return absl::FailedPreconditionError("the server runs without detection rules (--rules)");
    }
    return detection_->Reload();
  }

  // The integrity alarm (docs/detection.md): damage found in the data directory becomes an
  // integrity.violation alert record, delivered like every alert; the server goes on serving.
  absl::Status StartIntegrityAuditor() {
    ASSIGN_OR_RETURN(NoteVerifierKey key, ParseNoteVerifierKey(verifier_key_));
    IntegrityAuditorOptions auditor_options;
    auditor_options.scan_period = absl::Milliseconds(options_.integrity_scan_period_ms);
    auditor_options.env = env_;
    ASSIGN_OR_RETURN(integrity_, IntegrityAuditor::Start(
                                     options_.data_dir, std::move(key), checkpointer_->origin(),
                                     [this](const IntegrityViolation& violation) {
                                       RecordIntegrityViolation(violation);
                                     },
                                     events_, auditor_options));
    return absl::OkStatus();
  }

  void RecordIntegrityViolation(const IntegrityViolation& violation) {
    std::vector<v1::AuditRecord> records;
    records.push_back(IntegrityViolationRecord(violation));
    pipeline_->Submit(std::move(records), [this, violation](
                                              absl::StatusOr<std::vector<CommittedRecord>> done) {
      if (!done.ok()) {
        // The auditor logged the violation itself ("integrity_violation"); without a
        // record there is nothing for the webhooks to deliver.
        events_->Error("integrity_violation_not_recorded", {{"file", violation.file},
                                                            {"offset", violation.offset},
                                                            {"error", done.status().ToString()}});
        return;
      }
      OnAlertCommitted(done->front().seq);
    });
  }

  // Webhook delivery of alerts (docs/detection.md): the outbox is the log (LogAlertFeed), the
  // delivery state DATA_DIR/webhooks.
  absl::Status StartWebhooks() {
    if (options_.webhooks_file.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(WebhookConfig config, LoadWebhookConfig(env_, options_.webhooks_file));
    WebhookDispatcherOptions webhook_options;
    webhook_options.env = env_;
    webhook_options.events = events_;
    webhook_options.state_dir = absl::StrCat(options_.data_dir, "/", kWebhookStateDir);
    // Ids of different logs differ: the prefix is the log's origin's hash.
    const Hash origin_hash = Sha256(checkpointer_->origin());
    webhook_options.webhook_id_prefix = absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(origin_hash.data()), 6));
    webhook_options.ed25519_key = webhook_key_.get();
    // An endpoint seen for the first time is owed the alerts from now on, not the history.
    webhook_options.start_seq = log_->Size();
    webhook_options.on_overflow = [this](const std::string& endpoint, uint64_t deferred) {
      RecordWebhookOverflow(endpoint, deferred);
    };
    ASSIGN_OR_RETURN(webhooks_,
                     WebhookDispatcher::Start(webhook_options, config, alert_feed_.get()));
    uint64_t lowest_cursor = log_->Size();
    for (const WebhookEndpointStats& stats : webhooks_->Stats()) {
      lowest_cursor = std::min(lowest_cursor, stats.cursor);
    }
    RETURN_IF_ERROR(alert_feed_->Seed(lowest_cursor));
    webhooks_->Notify();
    events_->Info("webhooks_started",
                  {{"endpoints", static_cast<uint64_t>(config.endpoints.size())},
                   {"from_seq", lowest_cursor}});
    return absl::OkStatus();
  }

  // An endpoint's queue overflowed: its alerts wait in the log, and that it fell behind is
  // evidence too (a receiver that was flooded, or down, while alerts were raised).
  void RecordWebhookOverflow(const std::string& endpoint, uint64_t deferred) {
    v1::AuditRecord record;
    record.mutable_actor()->set_service("sealtrail.webhooks");
    record.mutable_action()->set_name(kWebhookOverflowAction);
    record.mutable_action()->set_resource_type("webhook_endpoint");
    record.mutable_action()->set_resource_id(endpoint);
    record.mutable_context()->set_tenant_id(kPlatformTenant);
    record.mutable_outcome()->set_result(v1::Outcome::FAILURE);
    record.mutable_outcome()->set_reason(
        "more alerts were pending than the endpoint's queue holds; they wait in the log and are "
        "delivered as the queue drains");
    (*record.mutable_details()->mutable_attributes())["deferred"] = absl::StrCat(deferred);
    std::vector<v1::AuditRecord> records;
    records.push_back(std::move(record));
    pipeline_->Submit(
        std::move(records), [this, endpoint](absl::StatusOr<std::vector<CommittedRecord>> done) {
          if (!done.ok()) {
            events_->Error("webhook_overflow_not_recorded",
                           {{"endpoint", endpoint}, {"error", done.status().ToString()}});
          }
        });
  }

  // An alert record is durable: owed to the webhook endpoints that take its rule.
  void OnAlertCommitted(uint64_t alert_seq) {
    if (alert_feed_ != nullptr) alert_feed_->Added(alert_seq);
    if (webhooks_ != nullptr) webhooks_->Notify();
  }

  // Authentication (tokens, client certificates), client addresses and denial evidence.
  absl::Status OpenAccessControl() {
    ASSIGN_OR_RETURN(std::unique_ptr<JwtVerifier> verifier,
                     LoadTokenVerifier(env_, options_, events_));
    ClientIdentities identities;
    if (!options_.client_identities_file.empty()) {
      ASSIGN_OR_RETURN(identities, LoadClientIdentities(env_, options_.client_identities_file));
    }
    authenticator_ = std::make_unique<Authenticator>(std::move(verifier), std::move(identities));
    ASSIGN_OR_RETURN(ClientAddress addresses, ClientAddress::Create(options_.trusted_proxies));
    addresses_ = std::make_unique<ClientAddress>(std::move(addresses));
    DenialRecorderOptions denial_options;
    denial_options.window = absl::Milliseconds(options_.denial_window_ms);
    denial_options.max_keys = options_.max_denial_keys;
    denials_ = std::make_unique<DenialRecorder>(pipeline_.get(), events_, env_, denial_options);
    access_ =
        std::make_unique<AccessControl>(authenticator_.get(), addresses_.get(), denials_.get());
    return absl::OkStatus();
  }

  absl::Status Listen() {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                     MakeServerCredentials(env_, options_));
    grpc::ServerBuilder builder;
    // gRPC sets SO_REUSEPORT by default: a second server on the same address would then start
    // without error and take half the connections (and their appends) into its own log.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.AddListeningPort(options_.listen, credentials, &port_);
    builder.SetMaxReceiveMessageSize(static_cast<int>(options_.max_message_bytes));
    builder.SetMaxSendMessageSize(static_cast<int>(options_.max_message_bytes));
    builder.RegisterService(audit_service_.get());
    builder.RegisterService(prover_service_.get());
    builder.RegisterService(otlp_service_.get());
    builder.RegisterService(admin_service_.get());
    server_ = builder.BuildAndStart();
    // BuildAndStart returns a server even when the port failed to bind; the selected port is
    // then 0.
    if (server_ == nullptr || port_ == 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options_.listen,
                       " (address in use by another process, or not a local address?)"));
    }
    health_->Attach(server_->GetHealthCheckService());
    std::string host = ListenHost(options_.listen);
    address_ = absl::StrCat(host, ":", port_);
    if (options_.tls_cert_file.empty()) {
      // CheckTransportOptions allowed plaintext on loopback only.
      events_->Warning("plaintext_loopback",
                       {{"address", address_},
                        {"note",
                         "gRPC without TLS: only for local use; anyone on this machine can read "
                         "the traffic (use --tls-cert/--tls-key otherwise)"}});
    }
    checkpointer_->Start();
    events_->Info("listening", {{"address", address_}, {"verifier_key", verifier_key_}});
    return absl::OkStatus();
  }

  absl::Status ListenOtlpHttp() {
    if (options_.otlp_http_listen.empty()) return absl::OkStatus();
    OtlpHttpOptions http;
    http.listen = options_.otlp_http_listen;
    http.tls_cert_file = options_.tls_cert_file;
    http.tls_key_file = options_.tls_key_file;
    http.tls_client_ca_file = options_.tls_client_ca_file;
    http.max_body_bytes = options_.otlp_http_max_body_bytes;
    http.on_error = [events = events_](const absl::Status& error) {
      events->Error("otlp_http_error", {{"error", error.ToString()}});
    };
    ASSIGN_OR_RETURN(otlp_http_, OtlpHttpServer::Start(http, otlp_ingest_.get(), access_.get()));
    events_->Info("listening_otlp_http",
                  {{"address", absl::StrCat(ListenHost(http.listen), ":", otlp_http_->port())},
                   {"tls", http.tls_cert_file.empty() ? "off" : "on"}});
    return absl::OkStatus();
  }

  absl::Status Shutdown() {
    {
      absl::MutexLock lock(&mu_);
      if (shutting_down_) {
        mu_.Await(absl::Condition(&shut_down_));
        return shutdown_status_;
      }
      shutting_down_ = true;
    }
    absl::Status status = StopEverything();
    absl::MutexLock lock(&mu_);
    shutdown_status_ = status;
    shut_down_ = true;
    return status;
  }

  void Wait() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&shut_down_));
  }

  int port() const { return port_; }
  int otlp_http_port() const { return otlp_http_ != nullptr ? otlp_http_->port() : 0; }
  const std::string& address() const { return address_; }
  const std::string& verifier_key() const { return verifier_key_; }

 private:
  // The shutdown order of server.h. Each step runs even if an earlier one failed.
  absl::Status StopEverything() {
    absl::Status first_error;
    auto keep = [&first_error](const absl::Status& status) {
      if (first_error.ok()) first_error = status;
    };
    if (server_ != nullptr) {
      events_->Info("shutting_down", {{"address", address_}});
      health_->BeginShutdown();
      audit_service_->BeginShutdown();
      server_->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
    }
    if (otlp_http_ != nullptr) otlp_http_->Stop();
    // Before the pipeline drains: the auditor and the dispatcher use it and the log.
    if (integrity_ != nullptr) integrity_->Stop();
    if (webhooks_ != nullptr) webhooks_->Stop();
    // No call is running any more: the last denials' counts go to the pipeline before it drains.
    if (denials_ != nullptr) denials_->Stop();
    if (pipeline_ != nullptr) pipeline_->Stop();
    // After the pipeline: the last batches' alerts were submitted (or, refused by the stopped
    // pipeline, are left for the next start's replay); the cursor says which.
    if (detection_ != nullptr) detection_->Stop();
    if (checkpointer_ != nullptr) checkpointer_->Stop();
    // Only a server that came up signs on the way down: a failed start changes nothing more.
    if (checkpointer_ != nullptr && server_ != nullptr) {
      absl::StatusOr<StoredCheckpoint> final_checkpoint = checkpointer_->SignNow();
      if (final_checkpoint.ok()) {
        events_->Info("final_checkpoint", {{"tree_size", final_checkpoint->checkpoint.size}});
      } else {
        events_->Error("final_checkpoint_failed",
                       {{"error", final_checkpoint.status().ToString()}});
        keep(final_checkpoint.status());
      }
    }
    if (index_ != nullptr) {
      absl::Status closed = index_->Close();
      if (!closed.ok()) {
        events_->Error("index_close_failed", {{"error", closed.ToString()}});
        keep(closed);
      }
    }
    if (health_ != nullptr) health_->Attach(nullptr);
    server_.reset();
    otlp_http_.reset();
    otlp_service_.reset();
    admin_service_.reset();
    otlp_ingest_.reset();
    prover_service_.reset();
    audit_service_.reset();
    access_.reset();
    denials_.reset();
    integrity_.reset();
    webhooks_.reset();
    pipeline_.reset();
    alert_feed_.reset();
    detection_.reset();
    checkpointer_.reset();
    index_.reset();
    store_.reset();
    uint64_t records = log_ != nullptr ? log_->Size() : 0;
    log_.reset();
    events_->Info("stopped", {{"records", records}});
    return first_error;
  }

  ServerOptions options_;
  EventLog* events_ = nullptr;
  Env* env_ = nullptr;
  std::unique_ptr<ServerHealth> health_;  // Outlives every stage that reports to it.
  std::unique_ptr<Log> log_;
  std::unique_ptr<CheckpointStore> store_;
  std::unique_ptr<KeyHeads> key_heads_;  // Outlives the checkpointer and the pipeline.
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<AuditIndex> index_;
  std::unique_ptr<DetectionStage> detection_;  // Null without --rules.
  std::unique_ptr<AppendPipeline> pipeline_;
  std::unique_ptr<CompletenessProver> completeness_;
  std::unique_ptr<LogAlertFeed> alert_feed_;
  std::unique_ptr<IntegrityAuditor> integrity_;
  std::unique_ptr<Ed25519WebhookKey> webhook_key_;  // Null without --webhooks.
  std::unique_ptr<WebhookDispatcher> webhooks_;     // Null without --webhooks.
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<ClientAddress> addresses_;
  std::unique_ptr<DenialRecorder> denials_;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<ProofSource> proofs_;
  std::unique_ptr<AuditLogService> audit_service_;
  std::unique_ptr<ProverService> prover_service_;
  std::unique_ptr<OtlpIngest> otlp_ingest_;
  std::unique_ptr<OtlpLogsService> otlp_service_;
  std::unique_ptr<OtlpHttpServer> otlp_http_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
  std::string verifier_key_;

  absl::Mutex mu_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status shutdown_status_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::unique_ptr<AuditServer>> AuditServer::Start(const ServerOptions& options,
                                                                EventLog* events) {
  auto impl = std::make_unique<Impl>();
  absl::Status opened = impl->Open(options, events);
  if (!opened.ok()) {
    (void)impl->Shutdown();  // Closes whatever was opened, in order.
    return opened;
  }
  return std::unique_ptr<AuditServer>(new AuditServer(std::move(impl)));
}

AuditServer::AuditServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuditServer::~AuditServer() { (void)impl_->Shutdown(); }
int AuditServer::port() const { return impl_->port(); }
std::string AuditServer::address() const { return impl_->address(); }
int AuditServer::otlp_http_port() const { return impl_->otlp_http_port(); }
const std::string& AuditServer::verifier_key() const { return impl_->verifier_key(); }
absl::Status AuditServer::Shutdown() { return impl_->Shutdown(); }
void AuditServer::Wait() { impl_->Wait(); }
absl::Status AuditServer::ReloadRules() { return impl_->ReloadRules(); }

}  // namespace sealtrail
