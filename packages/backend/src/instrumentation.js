/*
 * OpenTelemetry for the example backend: the metrics Backstage's metrics
 * service records (the cells backend's among them, docs/scale.md) are served
 * for Prometheus at http://<host>:9464/metrics (OTEL_EXPORTER_PROMETHEUS_PORT
 * and OTEL_EXPORTER_PROMETHEUS_HOST move it). Loaded before the backend with
 * --require (see this package's start script and tools/portal.mjs).
 */
const { isMainThread } = require('node:worker_threads');

// Worker threads (the cells backend's analysis pool) inherit --require: one exporter, on the main thread.
if (isMainThread) {
  const { metrics } = require('@opentelemetry/api');
  const { MeterProvider } = require('@opentelemetry/sdk-metrics');
  const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
  const port = Number(process.env.OTEL_EXPORTER_PROMETHEUS_PORT ?? PrometheusExporter.DEFAULT_OPTIONS.port);
  const exporter = new PrometheusExporter({ port, host: process.env.OTEL_EXPORTER_PROMETHEUS_HOST }, error => {
    // A port another process holds (a second portal on this machine) leaves the metrics unserved, not the backend down.
    if (error) process.stderr.write(`metrics are not served for Prometheus: port ${port}: ${error.message}\n`);
  });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
}
