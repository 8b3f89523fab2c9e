/**
 * `{ type: prometheus, url, headers? }`: Istio's metrics through Prometheus's
 * HTTP API. One range query per metric over the window, each step's
 * `increase` summed by the labels attribution reads: the step sums to the
 * window's count and shows when calls were first and last seen.
 */
import { AttributionIndex, callKey, ISTIO_CALL_LABELS, IstioNormalizer, MetricSeries, TrafficWindow, WindowedAggregator } from '@cellplane/cells-common';
import { TrafficSourceConfig } from './config';
import { ReadOptions, toRead, TrafficRead, TrafficSourceError } from './read';

type PrometheusConfig = Extract<TrafficSourceConfig, { type: 'prometheus' }>;

/** At most this many steps per query (Prometheus refuses more than 11,000 points per series). */
export const MAX_STEPS = 500;

const CALL_LABELS = ISTIO_CALL_LABELS.join(', ');

/** The queries, by what they count. In ambient only waypoints report requests; with sidecars the destination does. */
export function istioQueries(stepSeconds: number): { requests: string; opened: string; failed: string } {
  const range = `[${stepSeconds}s]`;
  return {
    requests: `sum by (${CALL_LABELS}, response_code, response_flags) (increase(istio_requests_total{reporter=~"waypoint|destination"}${range}))`,
    opened: `sum by (${CALL_LABELS}) (increase(istio_tcp_connections_opened_total{reporter="destination"}${range}))`,
    failed: `sum by (${CALL_LABELS}, response_flags) (increase(istio_tcp_connections_failed_total{reporter="destination"}${range}))`,
  };
}

/** The step: the window over at most MAX_STEPS, never finer than the configured resolution, in whole seconds. */
export function stepFor(window: TrafficWindow, resolutionMs: number): number {
  return Math.max(Math.ceil((window.to - window.from) / MAX_STEPS / 1000), Math.ceil(resolutionMs / 1000));
}

async function queryRange(config: PrometheusConfig, query: string, window: TrafficWindow, stepSeconds: number, options: ReadOptions): Promise<MetricSeries[]> {
  const source = `prometheus ${config.url}`;
  const body = new URLSearchParams({
    query,
    // Each point is the increase over the step that ends there: the first ends one step after the window starts.
    start: String(window.from / 1000 + stepSeconds),
    end: String(window.to / 1000),
    step: `${stepSeconds}s`,
  });
  let res: Response;
  try {
    res = await fetch(`${config.url}/api/v1/query_range`, {
      method: 'POST',
      headers: { ...config.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: options.signal,
    });
  } catch (e) {
    throw new TrafficSourceError(source, `unreachable (${(e as Error).cause ? String((e as any).cause.message ?? (e as any).cause) : (e as Error).message})`);
  }
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TrafficSourceError(source, `answered HTTP ${res.status} with no Prometheus JSON (${text.slice(0, 120)})`);
  }
  if (!res.ok || json.status !== 'success')
    throw new TrafficSourceError(source, `query failed: HTTP ${res.status} ${json.errorType ?? ''} ${json.error ?? ''}`.trim());
  if (json.data?.resultType !== 'matrix' || !Array.isArray(json.data.result)) throw new TrafficSourceError(source, 'answered a range query without a matrix');
  return json.data.result.map((r: { metric: Record<string, string>; values: [number, string][] }) => ({
    labels: r.metric,
    points: r.values.map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]),
  }));
}

export async function readPrometheus(
  config: PrometheusConfig,
  index: AttributionIndex,
  window: TrafficWindow,
  options: ReadOptions = {},
): Promise<TrafficRead> {
  const step = stepFor(window, config.resolutionMs);
  const queries = istioQueries(step);
  const [requests, opened, failed] = await Promise.all([
    queryRange(config, queries.requests, window, step, options),
    queryRange(config, queries.opened, window, step, options),
    queryRange(config, queries.failed, window, step, options),
  ]);
  const normalizer = new IstioNormalizer(index, step * 1000);
  const agg = new WindowedAggregator(window);
  for (const s of requests) {
    const o = normalizer.requests(s);
    if (o) agg.add(o);
  }
  const failedByCall = new Map<string, MetricSeries[]>();
  for (const s of failed) failedByCall.set(callKey(s.labels), [...(failedByCall.get(callKey(s.labels)) ?? []), s]);
  for (const s of opened) for (const o of normalizer.connections(s, failedByCall.get(callKey(s.labels)) ?? [])) agg.add(o);
  return toRead(`prometheus ${config.url}`, agg, normalizer.skipped);
}
