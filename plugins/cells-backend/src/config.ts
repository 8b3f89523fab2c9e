import path from 'node:path';
import { Config } from '@backstage/config';
import { HumanDuration } from '@backstage/types';
import { Duration } from 'luxon';
import { CellsSettings, SettingsError, readCellsSettings } from '@cellplane/cells-common';
import { readTrafficConfig, TrafficConfigError, TrafficSourceConfig } from '@cellplane/plugin-cells-node';
import { defaultWorkerCount } from './workers/size';

/** Where one environment's manifests go, as configured. */
export type TargetConfig = { type: 'directory'; path: string; commit: boolean } | { type: 'kubernetes'; cluster: string } | ModuleTargetConfig;

/** A target of a type a backend module adds (cellsTargetsExtensionPoint): the module's factory reads its block. */
export interface ModuleTargetConfig {
  type: string;
  /** The `target` block as written. */
  config: Config;
}

export function isModuleTarget(target: TargetConfig): target is ModuleTargetConfig {
  return 'config' in target;
}

export interface EnvironmentTargetConfig {
  environment: string;
  target: TargetConfig;
}

/** Everything the cells backend reads from app-config, checked once at start. */
export interface CellsBackendConfig {
  settings: CellsSettings;
  targets: EnvironmentTargetConfig[];
  /** How often the catalog is checked for changed cell entities (cheap: etags only). */
  catalogPollInterval: HumanDuration;
  /** How often every cell is compared with its target, changed or not. */
  fullReconcileInterval: HumanDuration;
  /** Where observed traffic comes from (`cells.traffic.sources`). */
  trafficSources: TrafficSourceConfig[];
  /** Worker threads for the heavy analysis (`cells.workers.size`); 0 runs it on the event loop. */
  workers: { size: number };
  /** Bounds of the backend's caches (`cells.caches`); a missing one takes its default. */
  caches?: { topologyAnswersMiB?: number };
  /** Continuous verification (`cells.compliance.verification`); absent in hand-built test configs: the defaults. */
  verification?: VerificationConfig;
  /** How replicas sharing one database tell each other they are alive (`cells.replicas`). */
  replicas: ReplicasConfig;
}

export interface ReplicasConfig {
  /** This replica's id; unset, one is made at start (host name and a random suffix). */
  id?: string;
  heartbeatInterval: HumanDuration;
  /** A replica whose heartbeat is older than this is gone: its runs are failed and its leases free. */
  staleAfter: HumanDuration;
}

/** How often every cell is verified and how long the results are kept. */
export interface VerificationConfig {
  frequency: HumanDuration;
  retentionDays: number;
}

export const DEFAULT_VERIFICATION: VerificationConfig = { frequency: { days: 1 }, retentionDays: 400 };

/** A bad setting: the message names the key and what it accepts. */
export class CellsConfigError extends Error {
  constructor(key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = 'CellsConfigError';
  }
}

/** The folder a directory target uses when the environment names none: gitops/<environment> under the working directory. */
export function defaultDirectoryPath(environment: string): string {
  return path.resolve('gitops', environment);
}

function readTarget(config: Config | undefined, key: string, environment: string, moduleTypes: ReadonlySet<string>): TargetConfig {
  if (!config) return { type: 'directory', path: defaultDirectoryPath(environment), commit: false };
  const type = config.getOptionalString('type') ?? 'directory';
  if (type === 'directory') {
    for (const k of config.keys()) {
      if (!['type', 'path', 'commit'].includes(k)) {
        throw new CellsConfigError(`${key}.${k}`, `unknown key for a directory target; it takes path and commit`);
      }
    }
    const dir = config.getOptionalString('path');
    if (dir !== undefined && dir.trim() === '') throw new CellsConfigError(`${key}.path`, 'must be a folder path, not empty');
    return {
      type: 'directory',
      path: dir ? path.resolve(dir) : defaultDirectoryPath(environment),
      commit: config.getOptionalBoolean('commit') ?? false,
    };
  }
  if (type === 'kubernetes') {
    for (const k of config.keys()) {
      if (!['type', 'cluster'].includes(k)) {
        throw new CellsConfigError(`${key}.${k}`, `unknown key for a kubernetes target; it takes cluster`);
      }
    }
    const cluster = config.getOptionalString('cluster');
    if (!cluster) throw new CellsConfigError(`${key}.cluster`, 'a kubernetes target names a cluster of kubernetes.clusterLocatorMethods or cells.clusters');
    return { type: 'kubernetes', cluster };
  }
  if (moduleTypes.has(type)) return { type, config };
  const known = ['directory', 'kubernetes', ...[...moduleTypes].sort()];
  throw new CellsConfigError(
    `${key}.type`,
    `must be ${known.slice(0, -1).join(', ')} or ${known[known.length - 1]}, not ${JSON.stringify(type)}${
      moduleTypes.size ? '' : ' (a backend module can add other target types)'
    }`,
  );
}

function readTraffic(raw: unknown): TrafficSourceConfig[] {
  try {
    return readTrafficConfig(raw).sources;
  } catch (e) {
    if (e instanceof TrafficConfigError) throw new CellsConfigError(e.key, e.message.slice(e.key.length + 2));
    throw e;
  }
}

function readDuration(config: Config, key: string, fallback: HumanDuration, name = key): HumanDuration {
  if (!config.has(key)) return fallback;
  const value = config.get(key);
  const units = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'];
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    Object.keys(value).length === 0 ||
    Object.entries(value).some(([k, v]) => !units.includes(k) || typeof v !== 'number' || v < 0)
  ) {
    throw new CellsConfigError(name, `must be a duration such as { seconds: 10 } (units: ${units.join(', ')})`);
  }
  return value as HumanDuration;
}

function readVerification(cells: Config | undefined): VerificationConfig {
  const key = 'cells.compliance.verification';
  const section = cells?.getOptionalConfig('compliance')?.getOptionalConfig('verification');
  for (const k of section?.keys() ?? []) {
    if (!['frequency', 'retentionDays'].includes(k)) throw new CellsConfigError(`${key}.${k}`, `unknown key; ${key} takes frequency and retentionDays`);
  }
  let frequency = DEFAULT_VERIFICATION.frequency;
  const raw = section?.getOptional('frequency');
  if (typeof raw === 'string') {
    // An ISO 8601 duration such as P1D or PT6H.
    const parsed = Duration.fromISO(raw);
    if (!parsed.isValid || parsed.toMillis() <= 0) {
      throw new CellsConfigError(`${key}.frequency`, `must be an ISO duration such as P1D or PT6H, or { hours: 6 }, not ${JSON.stringify(raw)}`);
    }
    frequency = parsed.toObject() as HumanDuration;
  } else if (raw !== undefined) {
    frequency = readDuration(cells!, 'compliance.verification.frequency', frequency, `${key}.frequency`);
    if (Duration.fromObject(frequency).toMillis() <= 0) throw new CellsConfigError(`${key}.frequency`, 'must be longer than zero');
  }
  let retentionDays = DEFAULT_VERIFICATION.retentionDays;
  if (section?.has('retentionDays')) {
    const days = section.get('retentionDays');
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
      throw new CellsConfigError(`${key}.retentionDays`, `must be a whole number of days, at least 1, not ${JSON.stringify(days)}`);
    }
    retentionDays = days;
  }
  return { frequency, retentionDays };
}

/** The largest pool accepted: more threads than this only copy the catalog more often. */
const MAX_WORKERS = 64;

function readWorkers(cells: Config | undefined): { size: number } {
  const workers = cells?.getOptionalConfig('workers');
  for (const k of workers?.keys() ?? []) {
    if (k !== 'size') throw new CellsConfigError(`cells.workers.${k}`, 'unknown key; cells.workers takes size');
  }
  if (!workers?.has('size')) return { size: defaultWorkerCount() };
  const size = workers.get('size');
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_WORKERS) {
    throw new CellsConfigError('cells.workers.size', `must be a whole number from 0 (no worker threads) to ${MAX_WORKERS}, not ${JSON.stringify(size)}`);
  }
  return { size };
}

function readCaches(cells: Config | undefined): { topologyAnswersMiB?: number } {
  const caches = cells?.getOptionalConfig('caches');
  for (const k of caches?.keys() ?? []) {
    if (k !== 'topologyAnswersMiB') throw new CellsConfigError(`cells.caches.${k}`, 'unknown key; cells.caches takes topologyAnswersMiB');
  }
  if (!caches?.has('topologyAnswersMiB')) return {};
  const mib = caches.get('topologyAnswersMiB');
  if (typeof mib !== 'number' || !Number.isInteger(mib) || mib < 1) {
    throw new CellsConfigError('cells.caches.topologyAnswersMiB', `must be a whole number of MiB, at least 1, not ${JSON.stringify(mib)}`);
  }
  return { topologyAnswersMiB: mib };
}

function readReplicas(root: Config): ReplicasConfig {
  const replicas = root.getOptionalConfig('cells.replicas');
  for (const k of replicas?.keys() ?? []) {
    if (!['id', 'heartbeatInterval', 'staleAfter'].includes(k)) {
      throw new CellsConfigError(`cells.replicas.${k}`, 'unknown key; cells.replicas takes id, heartbeatInterval and staleAfter');
    }
  }
  const id = replicas?.getOptional('id');
  if (id !== undefined && (typeof id !== 'string' || !/^[A-Za-z0-9._:-]{1,100}$/.test(id))) {
    throw new CellsConfigError('cells.replicas.id', `must be 1 to 100 letters, digits or . _ : -, not ${JSON.stringify(id)}`);
  }
  const heartbeatInterval = readDuration(root, 'cells.replicas.heartbeatInterval', { seconds: 5 });
  const staleAfter = readDuration(root, 'cells.replicas.staleAfter', { seconds: 30 });
  const ms = (d: HumanDuration) => Duration.fromObject(d).toMillis();
  if (ms(heartbeatInterval) <= 0) throw new CellsConfigError('cells.replicas.heartbeatInterval', 'must be longer than zero');
  // Two missed beats are a slow database, not a dead replica.
  if (ms(staleAfter) < 2 * ms(heartbeatInterval)) {
    throw new CellsConfigError(
      'cells.replicas.staleAfter',
      'must be at least twice cells.replicas.heartbeatInterval, or a slow beat looks like a dead replica',
    );
  }
  return { ...(id !== undefined ? { id: id as string } : {}), heartbeatInterval, staleAfter };
}

/**
 * Reads `cells:` from app-config: the compiler's settings (cells-common), and
 * the backend's own keys. Throws CellsConfigError naming the key: a bad
 * setting stops the plugin at start instead of becoming a silent default.
 */
export function readCellsBackendConfig(root: Config, options: { moduleTargetTypes?: Iterable<string> } = {}): CellsBackendConfig {
  const moduleTypes = new Set(options.moduleTargetTypes ?? []);
  const cells = root.getOptionalConfig('cells');
  let settings: CellsSettings;
  try {
    // The compiler's reader knows its keys and ignores the backend's (targets, reconcile, clusters).
    settings = readCellsSettings(cells?.get() ?? undefined);
  } catch (e) {
    if (e instanceof SettingsError) throw new CellsConfigError(`cells.${e.key}`.replace(/\.$/, ''), e.message.replace(/^cells\.\S*: /, ''));
    throw e;
  }
  const envConfigs = cells?.getOptionalConfigArray('environments') ?? [];
  const targets: EnvironmentTargetConfig[] = settings.environments.map(env => {
    const index = envConfigs.findIndex(c => c.getOptionalString('name') === env.name);
    const key = `cells.environments[${index}].target`;
    return { environment: env.name, target: readTarget(index >= 0 ? envConfigs[index].getOptionalConfig('target') : undefined, key, env.name, moduleTypes) };
  });
  const directories = new Map<string, string>();
  for (const t of targets) {
    if (isModuleTarget(t.target) || t.target.type !== 'directory') continue;
    const other = directories.get(t.target.path);
    if (other) {
      throw new CellsConfigError(
        `cells.environments[${envConfigs.findIndex(c => c.getOptionalString('name') === t.environment)}].target.path`,
        `${t.target.path} is also the folder of environment ${other}; give each environment its own folder`,
      );
    }
    directories.set(t.target.path, t.environment);
  }
  return {
    settings,
    targets,
    catalogPollInterval: readDuration(root, 'cells.reconcile.catalogPollInterval', { seconds: 5 }),
    fullReconcileInterval: readDuration(root, 'cells.reconcile.fullInterval', { minutes: 5 }),
    trafficSources: readTraffic(cells?.getOptional('traffic')),
    workers: readWorkers(cells),
    caches: readCaches(cells),
    replicas: readReplicas(root),
    verification: readVerification(cells),
  };
}
