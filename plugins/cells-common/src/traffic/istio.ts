/**
 * Istio's standard metrics to observations:
 * - `istio_requests_total` (L7; in ambient only waypoints report it): one
 *   series per caller, callee, protocol and response code. No port, method or
 *   path: Istio's default labels carry none. A 403 counts as denied; Istio's
 *   labels cannot tell an AuthorizationPolicy's 403 from the application's.
 * - `istio_tcp_connections_opened_total` (L4, ztunnel): every connection
 *   ztunnel accepted for inspection, allowed or not; the ones its policy then
 *   refused are in `istio_tcp_connections_failed_total` with
 *   `response_flags="DENY"` (or `NETWORK_POLICY`), and are taken out of the
 *   opened count and reported as denied.
 */
import { attributeWorkload, AttributionIndex, ObservedWorkload } from './attribution';
import { Observation, ObservedProtocol, SkipCounts } from './types';

/** One series over the window: its labels and its increase per step, `[end of step (epoch ms), increase]`. */
export interface MetricSeries {
  labels: Record<string, string>;
  points: [number, number][];
}

/** ztunnel's response flags that mean its policy refused the connection. */
export const ZTUNNEL_DENY_FLAGS = new Set(['DENY', 'NETWORK_POLICY']);

const REQUEST_PROTOCOLS: Record<string, ObservedProtocol> = { http: 'HTTP', grpc: 'GRPC', tcp: 'TCP' };

/** Labels that identify a series' call (every label Cellplane reads, minus the verdict's). */
export const ISTIO_CALL_LABELS = [
  'reporter',
  'source_principal',
  'source_workload',
  'source_workload_namespace',
  'destination_principal',
  'destination_workload',
  'destination_workload_namespace',
  'destination_service',
  'request_protocol',
] as const;

function value(labels: Record<string, string>, key: string): string | undefined {
  const v = labels[key];
  return v === undefined || v === '' || v === 'unknown' ? undefined : v;
}

function side(labels: Record<string, string>, prefix: 'source' | 'destination'): ObservedWorkload {
  const principal = value(labels, `${prefix}_principal`);
  const namespace = value(labels, `${prefix}_workload_namespace`);
  const workload = value(labels, `${prefix}_workload`);
  return { ...(principal ? { principal } : {}), ...(namespace ? { namespace } : {}), ...(workload ? { workload } : {}) };
}

/** Total, and the first and last step with calls (the first from the start of its step). */
function span(points: [number, number][], stepMs: number): { count: number; firstSeen: number; lastSeen: number } | undefined {
  let count = 0;
  let first: number | undefined;
  let last = 0;
  for (const [t, v] of points) {
    if (!(v > 0)) continue;
    count += v;
    first ??= t - stepMs;
    last = t;
  }
  const rounded = Math.round(count);
  return first === undefined || rounded === 0 ? undefined : { count: rounded, firstSeen: first, lastSeen: last };
}

/** Normalises Istio metric series; `skipped` counts the series that became no observation, by reason. */
export class IstioNormalizer {
  readonly skipped: SkipCounts = {};

  constructor(private readonly index: AttributionIndex, private readonly stepMs: number) {}

  private skip(reason: string): undefined {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
    return undefined;
  }

  private ends(labels: Record<string, string>) {
    const src = attributeWorkload(this.index, side(labels, 'source'));
    let dstSeen = side(labels, 'destination');
    const service = value(labels, 'destination_service');
    // A destination outside the mesh has no workload: its service label is the host it was called by.
    if (!dstSeen.namespace && !dstSeen.principal && service) dstSeen = { names: [service] };
    const dst = attributeWorkload(this.index, dstSeen);
    if (src.waypointOf) return this.skip('waypoint leg (the caller is on the other leg)');
    const environment = dst.environment ?? src.environment;
    if (!environment) return this.skip('outside every cell');
    return { src, dst, environment };
  }

  /** One `istio_requests_total` series. */
  requests(series: MetricSeries): Observation | undefined {
    const ends = this.ends(series.labels);
    if (!ends) return undefined;
    const seen = span(series.points, this.stepMs);
    if (!seen) return this.skip('no calls in the window');
    const code = Number(series.labels.response_code);
    const flags = value(series.labels, 'response_flags');
    const denied = code === 403;
    const protocol: ObservedProtocol = REQUEST_PROTOCOLS[series.labels.request_protocol] ?? 'HTTP';
    return {
      environment: ends.environment,
      source: ends.src.peer,
      destination: ends.dst.peer,
      protocol,
      verdict: denied
        ? {
            allowed: false,
            code,
            reason: `HTTP 403 at the ${series.labels.reporter ?? 'proxy'}${
              flags && flags !== '-' ? ` (${flags})` : ''
            }: an AuthorizationPolicy, or the application itself`,
          }
        : { allowed: true, ...(Number.isFinite(code) && code > 0 ? { code } : {}) },
      ...seen,
      seenBy: series.labels.reporter === 'waypoint' ? 'waypoint' : 'ztunnel',
    };
  }

  /**
   * One call's ztunnel series: its `istio_tcp_connections_opened_total`
   * series and the matching `istio_tcp_connections_failed_total` series (same
   * call labels, any response flags).
   */
  connections(opened: MetricSeries, failed: MetricSeries[]): Observation[] {
    const ends = this.ends(opened.labels);
    if (!ends) return [];
    const out: Observation[] = [];
    const base = { environment: ends.environment, source: ends.src.peer, destination: ends.dst.peer, protocol: 'TCP' as const, seenBy: 'ztunnel' as const };
    let deniedTotal = 0;
    for (const f of failed) {
      const flag = f.labels.response_flags ?? '';
      if (!ZTUNNEL_DENY_FLAGS.has(flag)) continue;
      const seen = span(f.points, this.stepMs);
      if (!seen) continue;
      deniedTotal += seen.count;
      out.push({ ...base, verdict: { allowed: false, reason: `ztunnel refused the connection (${flag})` }, ...seen });
    }
    const seen = span(opened.points, this.stepMs);
    if (seen && seen.count > deniedTotal) out.push({ ...base, verdict: { allowed: true }, ...seen, count: seen.count - deniedTotal });
    if (out.length === 0) this.skip('no connections in the window');
    return out;
  }
}

/** The key of a series' call: its call labels, in a fixed order. */
export function callKey(labels: Record<string, string>): string {
  return ISTIO_CALL_LABELS.map(k => labels[k] ?? '').join('\u0000');
}
