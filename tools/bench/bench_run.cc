#include "bench/bench_run.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "bench/append_stream_caller.h"
#include "bench/caller.h"
#include "bench/otlp_export_method.h"
#include "bench/otlp_log_records.h"
#include "bench/request_pool.h"
#include "bench/run_state.h"
#include "bench/ticket_source.h"
#include "bench/unary_caller.h"
#include "bench/unary_methods.h"
#include "cli/server_channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "sealtrail/status_macros.h"

namespace sealtrail::bench {
namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(5);
// How often the prove mode re-reads the latest checkpoint's size.
constexpr auto kTreeSizeRefresh = std::chrono::seconds(1);

std::chrono::nanoseconds Seconds(double seconds) {
  return std::chrono::nanoseconds(static_cast<int64_t>(seconds * 1e9));
}

double SecondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// `config.channels` channels to the server, each its own TCP connection (a local subchannel
// pool, and an argument that differs per channel), all connected.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> OpenChannels(
    const BenchConfig& config) {
  const cli::ServerConnection server{config.server, absl::Seconds(config.call_timeout_s),
                                     config.credentials};
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (uint32_t i = 0; i < config.channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("sealtrail.bench.channel", static_cast<int>(i));
    // Without the optional filters (census, compression, ...) a unary call costs the client ~20%
    // less CPU; the server shares the machine. Deadlines stay enforced.
    args.SetInt(GRPC_ARG_MINIMAL_STACK, 1);
    args.SetInt(GRPC_ARG_ENABLE_DEADLINE_CHECKS, 1);
    channels.push_back(cli::OpenServerChannel(server, args));
    if (!channels.back()->WaitForConnected(std::chrono::system_clock::now() + kConnectTimeout)) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to the server at ", config.server));
    }
  }
  return channels;
}

RunWindow MakeWindow(const BenchConfig& config, Clock::time_point start) {
  RunWindow window;
  window.start = start;
  window.measure_start = start + Seconds(config.warmup_s);
  window.end = window.measure_start + Seconds(config.duration_s);
  window.measured_limit = config.RequestLimit();
  return window;
}

// The per-channel call machinery of a run and its callers.
struct Callers {
  std::optional<RequestPool> pool;
  std::string stream_method = AuditLogMethodPath("AppendStream");
  std::vector<std::unique_ptr<AppendStub>> stream_stubs;
  std::vector<std::unique_ptr<UnaryMethod>> methods;
  std::vector<std::unique_ptr<Caller>> callers;
};

absl::Status MakeMethods(const BenchConfig& config,
                         const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                         Callers& made) {
  const RecordShape shape{config.tenants, config.actors, config.record_size};
  if (config.mode == Mode::kOtlp) {
    made.pool =
        RequestPool::Build(shape, config.UnitsPerRequest(), config.seed, ExportLogsRequestBytes);
  } else if (IsAppendMode(config.mode)) {
    made.pool = RequestPool::Build(shape, config.UnitsPerRequest(), config.seed);
  }
  for (const std::shared_ptr<grpc::Channel>& channel : channels) {
    switch (config.mode) {
      case Mode::kAppendStream:
        made.stream_stubs.push_back(std::make_unique<AppendStub>(channel));
        break;
      case Mode::kAppendBatch:
      case Mode::kAppendUnary:
        made.methods.push_back(
            std::make_unique<AppendMethod>(channel, &*made.pool, config.UnitsPerRequest()));
        break;
      case Mode::kOtlp:
        made.methods.push_back(
            std::make_unique<OtlpExportMethod>(channel, &*made.pool, config.UnitsPerRequest()));
        break;
      case Mode::kQuery:
        made.methods.push_back(std::make_unique<QueryMethod>(channel, shape, config.seed));
        break;
      case Mode::kProve: {
        auto prove = std::make_unique<ProveMethod>(channel, config.seed);
        RETURN_IF_ERROR(prove->RefreshTreeSize(Seconds(config.call_timeout_s)));
        made.methods.push_back(std::move(prove));
        break;
      }
    }
  }
  return absl::OkStatus();
}

void MakeCallers(const BenchConfig& config, TicketSource* source, RunState* run, Callers& made) {
  const std::chrono::nanoseconds call_timeout = Seconds(config.call_timeout_s);
  const std::chrono::nanoseconds stream_timeout =
      Seconds(config.warmup_s + config.duration_s) + call_timeout;
  for (uint32_t i = 0; i < config.concurrency; ++i) {
    const size_t channel = i % config.channels;
    if (config.mode == Mode::kAppendStream) {
      AppendStreamOptions options{config.window, config.batch, stream_timeout};
      made.callers.push_back(std::make_unique<AppendStreamCaller>(made.stream_stubs[channel].get(),
                                                                  &made.stream_method, &*made.pool,
                                                                  source, run, options));
    } else {
      made.callers.push_back(
          std::make_unique<UnaryCaller>(made.methods[channel].get(), source, run, call_timeout));
    }
  }
}

// Prints a progress line, and in the prove mode refreshes the tree size, once a second until
// every caller has finished. False if they have not finished by `give_up`.
bool WatchRun(const BenchConfig& config, const RunWindow& window, RunState& run, Callers& made,
              std::ostream* progress, Clock::time_point give_up) {
  uint64_t last_units = run.replied_units();
  Clock::time_point last = Clock::now();
  Clock::time_point next_refresh = last + kTreeSizeRefresh;
  while (!run.WaitForCallers(absl::Seconds(1))) {
    const Clock::time_point now = Clock::now();
    if (now > give_up) return false;
    if (config.progress && progress != nullptr) {
      const uint64_t units = run.replied_units();
      *progress << absl::StrFormat(
          "[%6.1f s] %-7s %10.0f %s/s  total %d  errors %d\n", SecondsBetween(window.start, now),
          now < window.measure_start ? "warm-up" : "run",
          (units - last_units) / SecondsBetween(last, now),
          IsAppendMode(config.mode) ? "records" : "requests", units, run.failures());
      progress->flush();
      last_units = units;
      last = now;
    }
    if (config.mode == Mode::kProve && now >= next_refresh) {
      next_refresh = now + kTreeSizeRefresh;
      auto* first = static_cast<ProveMethod*>(made.methods[0].get());
      absl::Status refreshed = first->RefreshTreeSize(Seconds(config.call_timeout_s));
      if (!refreshed.ok()) {
        run.AddFailure(grpc::Status(static_cast<grpc::StatusCode>(refreshed.code()),
                                    std::string(refreshed.message())),
                       1);
      }
      for (auto& method : made.methods) {
        static_cast<ProveMethod*>(method.get())->set_tree_size(first->tree_size());
      }
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<BenchReport> RunBench(const BenchConfig& config, std::ostream* progress) {
  ASSIGN_OR_RETURN(std::vector<std::shared_ptr<grpc::Channel>> channels, OpenChannels(config));
  auto made = std::make_unique<Callers>();
  RETURN_IF_ERROR(MakeMethods(config, channels, *made));

  const RunWindow window = MakeWindow(config, Clock::now());
  std::unique_ptr<TicketSource> source;
  OpenLoopSource* open_loop = nullptr;
  if (config.rate > 0) {
    auto open = std::make_unique<OpenLoopSource>(window, config.rate / config.UnitsPerRequest());
    open_loop = open.get();
    source = std::move(open);
  } else {
    source = std::make_unique<ClosedLoopSource>(window);
  }
  auto run = std::make_unique<RunState>(static_cast<int>(config.concurrency), source.get());
  MakeCallers(config, source.get(), run.get(), *made);
  for (auto& caller : made->callers) caller->Start();
  if (open_loop != nullptr) open_loop->Start();

  // Every call has a deadline within the run's time plus the call timeout.
  const Clock::time_point give_up = window.end + 2 * Seconds(config.call_timeout_s);
  if (!WatchRun(config, window, *run, *made, progress, give_up)) {
    // gRPC may still call into them: leak rather than destroy.
    (void)made.release();
    (void)run.release();
    (void)source.release();
    return absl::DeadlineExceededError("calls were still running long after their deadlines");
  }

  BenchReport report;
  report.config = config;
  CallerStats total;
  for (const auto& caller : made->callers) total.Merge(caller->stats());
  report.records = total.units;
  report.requests = total.requests;
  report.seconds = total.last_reply > window.measure_start
                       ? SecondsBetween(window.measure_start, total.last_reply)
                       : 0;
  report.latency_ns = std::move(total.latency_ns);
  report.record_bytes = made->pool.has_value() ? made->pool->mean_record_bytes() : 0;
  report.errors = run->failures();
  report.first_error = run->first_error();
  report.unsent = source->unsent();
  source.reset();  // Joins the scheduler before anything it may call goes away.
  if (config.mode == Mode::kQuery) {
    uint64_t queries = 0;
    uint64_t results = 0;
    for (auto& method : made->methods) {
      queries += static_cast<QueryMethod*>(method.get())->queries();
      results += static_cast<QueryMethod*>(method.get())->results();
    }
    if (queries > 0) report.extra["results_per_query"] = static_cast<double>(results) / queries;
  }
  if (config.mode == Mode::kProve) {
    report.extra["tree_size"] =
        static_cast<double>(static_cast<ProveMethod*>(made->methods[0].get())->tree_size());
  }
  return report;
}

}  // namespace sealtrail::bench
