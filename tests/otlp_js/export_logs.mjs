// Sends audit events to sealtraild as OpenTelemetry logs with the OpenTelemetry JS SDK and its
// real OTLP exporters: OTLP/gRPC, OTLP/HTTP JSON (gzip) and OTLP/HTTP protobuf, each through a
// LoggerProvider and a BatchLogRecordProcessor, as an application would.
//
//   node export_logs.mjs --grpc 127.0.0.1:PORT --http http://127.0.0.1:PORT \
//       --token-file DATA/dev-token --tenant acme [--records 3]
//
// Prints one JSON line per record sent: {"exporter": ..., "traceId": HEX, "spanId": HEX}. Exits 1
// if the SDK reported an export error. tests/otlp_js/otlp_js_test.cc checks that the server
// stored every one with its trace id, and that their inclusion proofs verify.
//
// Runs on node >= 18.19 (Debian 12's nodejs): package.json pins the SDK's 2.x line, the last whose
// engines accept node 18, where SeverityNumber still comes from @opentelemetry/api-logs.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import { Metadata, credentials } from '@grpc/grpc-js';
import { context, diag, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as HttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as HttpProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';

const { values: args } = parseArgs({
  options: {
    grpc: { type: 'string' },
    http: { type: 'string' },
    'token-file': { type: 'string' },
    tenant: { type: 'string', default: 'acme' },
    records: { type: 'string', default: '3' },
  },
});
const token = readFileSync(args['token-file'], 'utf8').trim();
const authorization = `Bearer ${token}`;

let failed = false;
diag.setLogger(
  {
    error: (...m) => {
      failed = true;
      console.error('otel error:', ...m);
    },
    warn: (...m) => console.error('otel warn:', ...m),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  },
  { logLevel: 'warn' },
);

function grpcExporter() {
  const metadata = new Metadata();
  metadata.set('authorization', authorization);
  return new GrpcExporter({
    url: `http://${args.grpc}`,
    credentials: credentials.createInsecure(),
    metadata,
  });
}

const exporters = {
  grpc: grpcExporter,
  'http-json-gzip': () =>
    new HttpJsonExporter({
      url: `${args.http}/v1/logs`,
      headers: { authorization },
      compression: 'gzip',
    }),
  'http-proto': () =>
    new HttpProtoExporter({ url: `${args.http}/v1/logs`, headers: { authorization } }),
};

for (const [name, makeExporter] of Object.entries(exporters)) {
  const exporter = makeExporter();
  // Report what each export returned: the SDK otherwise only logs failures.
  const exportOnce = exporter.export.bind(exporter);
  exporter.export = (logs, done) =>
    exportOnce(logs, (result) => {
      if (result.code !== 0) {
        failed = true;
        console.error(`${name}: export failed:`, result.error?.message ?? result.error);
      }
      done(result);
    });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otlp-js-test', 'tenant.id': args.tenant }),
    processors: [new BatchLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('sealtrail-otlp-js-test', '1.0.0');
  for (let i = 0; i < Number(args.records); ++i) {
    const spanContext = {
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      traceFlags: TraceFlags.SAMPLED,
    };
    logger.emit({
      context: trace.setSpanContext(context.active(), spanContext),
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: `${name} barge ${i}`,
      attributes: {
        'enduser.id': `agent-${i}`,
        'audit.action': 'call.barge',
        'audit.outcome': 'SUCCESS',
        'http.request.method': 'POST',
        'http.route': '/v2/calls/{id}/barge',
        'http.response.status_code': 200,
        'session.id': `s-${i}`,
      },
    });
    console.log(JSON.stringify({ exporter: name, traceId: spanContext.traceId, spanId: spanContext.spanId }));
  }
  await provider.forceFlush();
  await provider.shutdown();
}
process.exit(failed ? 1 : 0);
