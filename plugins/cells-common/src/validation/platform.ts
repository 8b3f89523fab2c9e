import { EgressCeiling, EgressPlatformRule, EndpointSpec, MetricsSpec } from '../model/types';
import { compareText } from '../order';
import { PlatformRole } from '../settings/platform';
import { MESH_RESERVED_PORTS, ProblemList, isRecord } from './fields';
import { checkObjectKeys } from './keys';

/** What validation needs of a platform service (cells.platform.services). */
export interface PlatformServiceRule {
  name: string;
  role: PlatformRole;
  ports: number[];
}

const DEFAULT_METRICS_PATH = '/metrics';

function names(services: PlatformServiceRule[], role: PlatformRole): string {
  const list = services.filter(s => s.role === role).map(s => s.name);
  return list.length ? list.join(', ') : 'none';
}

/** `{platform, port | ports, reason?}` of spec.egress, shape only (ports are checked by the caller's port reader). */
export function platformEntry(
  list: ProblemList,
  field: string,
  raw: Record<string, unknown>,
  ports: number[],
  reason?: string,
): EgressPlatformRule | undefined {
  const before = list.problems.length;
  if (typeof raw.platform !== 'string' || raw.platform === '') {
    list.add(
      `${field}.platform`,
      `${JSON.stringify(raw.platform)} is not a platform service name`,
      'name a service of cells.platform.services, e.g. otel-collector',
    );
  }
  for (const key of ['except', 'protocol', 'methods', 'paths'])
    if (raw[key] !== undefined)
      list.add(`${field}.${key}`, 'does not apply to a platform entry (the platform declares its protocol)', 'write {platform: <name>, port: <port>}');
  if (list.problems.length !== before || ports.length === 0) return undefined;
  return { kind: 'platform', platform: raw.platform as string, ports, ...(reason ? { reason } : {}), field };
}

/** `spec.metrics` of a Component, shape only; the endpoint and scraper checks need the settings (checkMetrics). */
export function parseMetrics(list: ProblemList, value: unknown): MetricsSpec | undefined {
  if (value === undefined) return undefined;
  const fix = 'write {port: <an HTTP endpoint port>, path: /metrics, scrapedBy: [monitoring]}';
  if (!isRecord(value)) {
    list.add('spec.metrics', 'must be an object', fix);
    return undefined;
  }
  const before = list.problems.length;
  checkObjectKeys(list, 'spec.metrics', value, 'spec.metrics');
  const { port, path, scrapedBy } = value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535 || MESH_RESERVED_PORTS.includes(port)) {
    list.add('spec.metrics.port', `${JSON.stringify(port)} is not a metrics port`, "give the port of one of the component's HTTP endpoints");
  }
  // Exact paths only: a scrape reads one page, and a pattern would admit every page under it.
  if (path !== undefined && (typeof path !== 'string' || !/^\/[^\s?#*]*$/.test(path))) {
    list.add('spec.metrics.path', `${JSON.stringify(path)} is not an exact path`, 'write a path such as /metrics (no "*", "?" or "#")');
  }
  let scrapers: string[] = [];
  if (scrapedBy !== undefined) {
    if (!Array.isArray(scrapedBy) || scrapedBy.length === 0 || scrapedBy.some(s => typeof s !== 'string' || s === '')) {
      list.add(
        'spec.metrics.scrapedBy',
        `${JSON.stringify(scrapedBy)} is not a list of scraper names`,
        'list names of scraping services of cells.platform.services, or leave it out for all',
      );
    } else scrapers = [...new Set(scrapedBy as string[])].sort(compareText);
  }
  if (list.problems.length !== before) return undefined;
  return { port: port as number, path: (path as string | undefined) ?? DEFAULT_METRICS_PATH, scrapedBy: scrapers };
}

/**
 * The checks of a component's platform entries against the configured
 * services and its cell's ceiling. Returns whether the entry passes; every
 * failure names the field, the configured names or the ceiling, and the fix.
 */
export function checkPlatformEntry(
  list: ProblemList,
  entry: EgressPlatformRule,
  cellRef: string,
  ceiling: EgressCeiling | undefined,
  services: PlatformServiceRule[],
): boolean {
  const before = list.problems.length;
  const service = services.find(s => s.name === entry.platform);
  if (!service || service.role !== 'called') {
    list.add(
      `${entry.field}.platform`,
      service
        ? `${entry.platform} scrapes components; nobody calls it`
        : `${entry.platform} is not a platform service (cells.platform.services that components call: ${names(services, 'called')})`,
      service
        ? 'remove the entry; admit the scraper with spec.metrics'
        : `name one of ${names(services, 'called')}, or ask the platform team to configure ${entry.platform}`,
    );
  } else {
    const outside = entry.ports.filter(p => !service.ports.includes(p));
    if (outside.length) {
      list.add(
        `${entry.field}.port`,
        `${entry.platform} serves no port ${outside.join(', ')} (its ports: ${service.ports.join(', ')})`,
        `use one of ${service.ports.join(', ')}`,
      );
    }
  }
  if (!ceiling?.platform?.includes(entry.platform)) {
    list.add(
      `${entry.field}.platform`,
      `${entry.platform} is outside the egress ceiling of ${cellRef} (spec.cell.egress.platform: ${
        ceiling?.platform?.length ? ceiling.platform.join(', ') : 'none'
      })`,
      `ask the owners of ${cellRef} to add ${entry.platform} to spec.cell.egress.platform, or remove the entry`,
    );
  }
  return list.problems.length === before;
}

/**
 * The checks of `spec.metrics` against the component's endpoints and the
 * configured scrapers. Returns the metrics with scrapedBy filled in (every
 * configured scraper when it names none; possibly none), or undefined
 * (nobody may scrape) when anything is wrong.
 */
export function checkMetrics(list: ProblemList, metrics: MetricsSpec, endpoints: EndpointSpec[], services: PlatformServiceRule[]): MetricsSpec | undefined {
  const before = list.problems.length;
  const endpoint = endpoints.find(e => e.port === metrics.port);
  if (!endpoint || endpoint.protocol !== 'HTTP') {
    list.add(
      'spec.metrics.port',
      endpoint
        ? `port ${metrics.port} is endpoint ${endpoint.name}, which serves ${endpoint.protocol}, not HTTP`
        : `no endpoint of the component serves port ${metrics.port}`,
      `declare an HTTP endpoint on port ${metrics.port} (e.g. {name: metrics, port: ${metrics.port}, protocol: HTTP, visibility: project})`,
    );
  }
  // Without scrapedBy the metrics admit every configured scraper, and none when the platform
  // configures none: the port and path are a fact about the component, and nothing is opened.
  const scrapers = services.filter(s => s.role === 'scrapes').map(s => s.name);
  metrics.scrapedBy.forEach((name, i) => {
    if (!scrapers.includes(name)) {
      list.add(
        `spec.metrics.scrapedBy[${i}]`,
        `${name} is not a scraping platform service (configured scrapers: ${names(services, 'scrapes')})`,
        `name one of ${names(services, 'scrapes')}`,
      );
    }
  });
  if (list.problems.length !== before) return undefined;
  return { ...metrics, scrapedBy: metrics.scrapedBy.length ? metrics.scrapedBy : scrapers };
}
