/** `cells.traffic` of app-config: where observed traffic comes from (docs/traffic.md). */

/** One flow source, as configured. */
export type TrafficSourceConfig =
  | {
      type: 'prometheus';
      /** Prometheus's base URL, e.g. http://prometheus.monitoring:9090 */
      url: string;
      /** Sent with every query (e.g. Authorization). */
      headers: Record<string, string>;
      /** The finest step of a range query, in milliseconds: at least twice the scrape interval. */
      resolutionMs: number;
    }
  | { type: 'hubble'; file: string }
  | { type: 'hubble'; relay: string };

/** A bad `cells.traffic` setting; the message names the key and what it accepts. */
export class TrafficConfigError extends Error {
  constructor(readonly key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = 'TrafficConfigError';
  }
}

const UNITS_MS: Record<string, number> = { milliseconds: 1, seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(raw: Record<string, unknown>, key: string, allowed: string[], what: string): void {
  for (const k of Object.keys(raw)) {
    if (!allowed.includes(k)) throw new TrafficConfigError(`${key}.${k}`, `unknown key for ${what}; it takes ${allowed.filter(a => a !== 'type').join(', ')}`);
  }
}

function nonEmpty(raw: Record<string, unknown>, key: string, field: string, what: string): string {
  const v = raw[field];
  if (typeof v !== 'string' || v.trim() === '') throw new TrafficConfigError(`${key}.${field}`, `${what}, not ${JSON.stringify(v)}`);
  return v;
}

function readDurationMs(raw: unknown, key: string): number {
  if (!isRecord(raw) || Object.keys(raw).length === 0 || Object.entries(raw).some(([k, v]) => !(k in UNITS_MS) || typeof v !== 'number' || !(v > 0))) {
    throw new TrafficConfigError(key, `must be a duration such as { minutes: 1 } (units: ${Object.keys(UNITS_MS).join(', ')})`);
  }
  return Object.entries(raw).reduce((ms, [k, v]) => ms + (v as number) * UNITS_MS[k], 0);
}

/** Reads one source; `key` is its config path, e.g. `cells.traffic.sources[0]`. */
export function readTrafficSource(raw: unknown, key: string): TrafficSourceConfig {
  if (!isRecord(raw)) throw new TrafficConfigError(key, 'must be an object with a type (prometheus or hubble)');
  if (raw.type === 'prometheus') {
    onlyKeys(raw, key, ['type', 'url', 'headers', 'resolution'], 'a prometheus source');
    const url = nonEmpty(raw, key, 'url', "must be Prometheus's base URL, e.g. http://prometheus.monitoring:9090");
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TrafficConfigError(`${key}.url`, `${JSON.stringify(url)} is not a URL; write e.g. http://prometheus.monitoring:9090`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new TrafficConfigError(`${key}.url`, `must be http or https, not ${parsed.protocol}`);
    const headers: Record<string, string> = {};
    if (raw.headers !== undefined) {
      if (!isRecord(raw.headers)) throw new TrafficConfigError(`${key}.headers`, 'must be a map of header names to values');
      for (const [name, value] of Object.entries(raw.headers)) {
        if (typeof value !== 'string') throw new TrafficConfigError(`${key}.headers.${name}`, 'must be a string');
        headers[name] = value;
      }
    }
    const resolutionMs = raw.resolution === undefined ? 60_000 : readDurationMs(raw.resolution, `${key}.resolution`);
    return { type: 'prometheus', url: url.replace(/\/+$/, ''), headers, resolutionMs };
  }
  if (raw.type === 'hubble') {
    onlyKeys(raw, key, ['type', 'file', 'relay'], 'a hubble source');
    if ((raw.file === undefined) === (raw.relay === undefined)) {
      throw new TrafficConfigError(
        key,
        'a hubble source takes exactly one of file (a `hubble observe -o jsonpb` export) and relay (host:port of Hubble Relay)',
      );
    }
    if (raw.file !== undefined) return { type: 'hubble', file: nonEmpty(raw, key, 'file', 'must be the path of a `hubble observe -o jsonpb` export') };
    const relay = nonEmpty(raw, key, 'relay', 'must be host:port of Hubble Relay, e.g. hubble-relay.kube-system:80');
    if (!/^[^\s/:]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/.test(relay))
      throw new TrafficConfigError(`${key}.relay`, `${JSON.stringify(relay)} is not host:port, e.g. hubble-relay.kube-system:80`);
    return { type: 'hubble', relay };
  }
  throw new TrafficConfigError(`${key}.type`, `must be prometheus or hubble, not ${JSON.stringify(raw.type)}`);
}

/** Reads `cells.traffic` (the plain value of the config key); no sources when absent. */
export function readTrafficConfig(raw: unknown): { sources: TrafficSourceConfig[] } {
  if (raw === undefined || raw === null) return { sources: [] };
  if (!isRecord(raw)) throw new TrafficConfigError('cells.traffic', 'must be an object with sources');
  onlyKeys(raw, 'cells.traffic', ['sources'], 'cells.traffic');
  if (raw.sources === undefined) return { sources: [] };
  if (!Array.isArray(raw.sources)) throw new TrafficConfigError('cells.traffic.sources', 'must be a list of sources');
  return { sources: raw.sources.map((s, i) => readTrafficSource(s, `cells.traffic.sources[${i}]`)) };
}
