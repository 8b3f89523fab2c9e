import { LoggerService } from '@backstage/backend-plugin-api';
import { ENVIRONMENT_LABEL, MANAGED_BY, SOURCE_ANNOTATION } from '@cellplane/cells-common';
import { EGRESS_UNIT_NAME, egressUnitRef, HeldCell, ObjectIdentity, objectId } from '@cellplane/plugin-cells-node';
import { Informer, KubeConfig, KubernetesObject, makeInformer, ObjectCache } from '@kubernetes/client-node';
import { KubeHttp } from './http';
import { collectionPath, groupVersionPath, kindKey, ManagedKind, MANAGED_KINDS } from './kinds';
import { unitOf } from './units';

/** A live object as the API server returns it. */
export type Live = KubernetesObject & {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
  };
} & Record<string, any>;
type Cache = Informer<Live> & ObjectCache<Live>;

export const messageOf = (e: unknown) => (typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e));

const rv = (o: Live | undefined) => Number(o?.metadata.resourceVersion ?? -1);

/** Cellplane's object in this environment (labels), not someone else's that holds the name. */
export function isOurs(o: Live | undefined, environment: string): boolean {
  return !!o && o.metadata.labels?.[MANAGED_BY] === 'cellplane' && o.metadata.labels?.[ENVIRONMENT_LABEL] === environment;
}

/**
 * The target's view of a cluster: one label-selected informer per managed
 * kind the cluster serves (plus one on pods), the CRD groups discovery found,
 * and the objects Cellplane's own writes returned until the informers catch
 * up. Reading it costs no request: the steady state compares against it.
 */
export class LiveCache {
  private readonly caches = new Map<string, Cache>();
  private readonly synced = new Map<string, boolean>();
  private readonly watchErrors = new Map<string, string>();
  private readonly groupAvailable = new Map<string, boolean>();
  private podCache?: Cache;
  /** Objects as the last write returned them, until the informer catches up. */
  private readonly written = new Map<string, Live>();
  private readonly deleted = new Set<string>();
  private readonly cellRefs = new Map<string, string>();
  private readonly listeners: ((entityRef: string, environment: string) => void)[] = [];
  private starting?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: { kubeconfig: KubeConfig; http: KubeHttp; environment: string; logger: LoggerService; syncTimeoutMs: number }) {}

  onChange(listener: (entityRef: string, environment: string) => void): void {
    this.listeners.push(listener);
  }

  /** Which entity a cell name stands for, so watch events name the cell's entity. */
  remember(cell: { cellName: string; entityRef: string }): void {
    this.cellRefs.set(cell.cellName, cell.entityRef);
  }

  start(): Promise<void> {
    this.stopped = false;
    if (!this.starting) this.starting = this.startWatches();
    return this.starting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const caches = [...this.caches.values(), ...(this.podCache ? [this.podCache] : [])];
    this.caches.clear();
    this.podCache = undefined;
    this.starting = undefined;
    await Promise.all(caches.map(c => c.stop().catch(() => undefined)));
  }

  /** Whether the cluster serves this group version (its CRD is installed). */
  serves(apiVersion: string): boolean {
    return !!this.groupAvailable.get(apiVersion);
  }

  /** A write found the kind gone (its CRD was removed since discovery). */
  markUnserved(apiVersion: string): void {
    this.groupAvailable.set(apiVersion, false);
  }

  /** Discovers which CRD groups the cluster serves and starts an informer per served kind. */
  private async startWatches(): Promise<void> {
    await this.refreshAvailability();
    for (const kind of MANAGED_KINDS) {
      if (this.groupAvailable.get(kind.apiVersion)) this.watch(kind);
    }
    if (!this.podCache) this.podCache = this.informer('pods', '/api/v1/pods');
  }

  /** GET /apis/<group>/<version> for each group not yet known to be served: 404 means its CRD is missing. */
  async refreshAvailability(): Promise<void> {
    const versions = [...new Set(MANAGED_KINDS.map(k => k.apiVersion))].filter(v => !this.groupAvailable.get(v));
    for (const apiVersion of versions) {
      const response = await this.options.http.request('GET', groupVersionPath(apiVersion));
      if (response.status === 200) {
        const served: { kind: string }[] = response.body?.resources ?? [];
        const kinds = MANAGED_KINDS.filter(k => k.apiVersion === apiVersion);
        this.groupAvailable.set(
          apiVersion,
          kinds.every(kind => served.some(r => r.kind === kind.kind)),
        );
      } else if (response.status === 404) {
        this.groupAvailable.set(apiVersion, false);
      } else {
        throw new Error(`discovery of ${apiVersion} failed with ${response.status}: ${response.body?.message ?? response.body}`);
      }
      if (this.groupAvailable.get(apiVersion) && this.starting) {
        MANAGED_KINDS.filter(k => k.apiVersion === apiVersion).forEach(k => this.watch(k));
      }
    }
  }

  private watch(kind: ManagedKind): void {
    const key = kindKey(kind.apiVersion, kind.kind);
    if (this.caches.has(key)) return;
    const selector = `${MANAGED_BY}=cellplane,${ENVIRONMENT_LABEL}=${this.options.environment}`;
    this.caches.set(key, this.informer(key, collectionPath(kind), selector, kind));
  }

  private informer(key: string, path: string, labelSelector?: string, kind?: ManagedKind): Cache {
    const { http, logger } = this.options;
    const list = async () => {
      const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
      const response = await http.request('GET', `${path}${query}`);
      if (response.status !== 200) {
        throw new Error(
          response.status === 403
            ? `forbidden: Cellplane's service account may not list ${path} (${response.body?.message ?? ''})`
            : `list ${path}: ${response.status} ${response.body?.message ?? ''}`,
        );
      }
      // Lists carry no apiVersion/kind per item; the cache keys on them.
      for (const item of response.body.items) {
        Object.assign(item, kind ? { apiVersion: kind.apiVersion, kind: kind.kind } : { apiVersion: 'v1', kind: 'Pod' });
      }
      // The informer fills its cache when this resolves, before any timer runs: only then is it synced.
      setTimeout(() => this.synced.set(key, true), 0);
      return response.body;
    };
    const informer = makeInformer<Live>(this.options.kubeconfig, path, list, labelSelector) as Cache;
    const changed = (o: Live) => {
      if (!kind) return this.notify(this.cellOfNamespace(o.metadata.namespace));
      const id = objectId(o);
      const w = this.written.get(id);
      if (w && rv(o) >= rv(w)) this.written.delete(id);
      return this.notify(unitOf(o));
    };
    informer.on('add', changed);
    informer.on('update', changed);
    informer.on('delete', o => {
      this.deleted.delete(objectId(o));
      this.written.delete(objectId(o));
      changed(o);
    });
    let delay = 500;
    let errors = 0;
    informer.on('error', error => {
      errors++;
      this.synced.set(key, false);
      this.watchErrors.set(key, messageOf(error));
      if (this.stopped) return;
      logger.warn(`watch of ${path} failed (${messageOf(error)}); restarting in ${delay} ms`);
      setTimeout(async () => {
        if (this.stopped || (this.caches.get(key) !== informer && this.podCache !== informer)) return;
        const before = errors;
        // Resumes from the last resourceVersion (the API server replays what was missed) or lists again.
        await informer.start().catch(() => undefined);
        if (errors === before) {
          this.synced.set(key, true);
          delay = 500;
        }
      }, delay);
      delay = Math.min(delay * 2, 5_000);
    });
    informer.start().catch(() => undefined);
    return informer;
  }

  private cellOfNamespace(namespace: string | undefined): string | undefined {
    if (!namespace) return undefined;
    return unitOf(this.caches.get('v1/Namespace')?.get(namespace));
  }

  private notify(cellName: string | undefined) {
    const entityRef = cellName && this.cellRefs.get(cellName);
    if (!entityRef) return;
    for (const listener of this.listeners) {
      try {
        listener(entityRef, this.options.environment);
      } catch (e) {
        this.options.logger.warn(`onChange listener failed: ${messageOf(e)}`);
      }
    }
  }

  /** Waits until every informer has listed once (again, after an outage), or throws naming the kinds that have not. */
  async waitForSync(timeoutMs = this.options.syncTimeoutMs): Promise<void> {
    await this.start();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = [...this.caches.keys()].filter(k => !this.synced.get(k));
      if (!pending.length) return;
      if (Date.now() > deadline) {
        const why = [...new Set(pending.map(k => this.watchErrors.get(k)).filter(Boolean))];
        throw new Error(`no live view of the cluster: the watches of ${pending.join(', ')} are not running${why.length ? ` (${why.join('; ')})` : ''}`);
      }
      await new Promise(r => setTimeout(r, 100));
    }
  }

  /** The freshest live copy Cellplane knows of: the informer's, or the one its own write returned. */
  live(kind: ManagedKind, o: ObjectIdentity): Live | undefined {
    const id = objectId(o);
    if (this.deleted.has(id)) return undefined;
    const cached = this.caches.get(kindKey(kind.apiVersion, kind.kind))?.get(o.metadata.name, kind.namespaced ? o.metadata.namespace : undefined);
    const w = this.written.get(id);
    return w && rv(w) > rv(cached) ? w : cached;
  }

  /** A write's answer: the freshest copy until the watch delivers it. */
  recordWrite(stored: Live): void {
    this.written.set(objectId(stored), stored);
    this.deleted.delete(objectId(stored));
  }

  recordDelete(o: ObjectIdentity): void {
    this.deleted.add(objectId(o));
    this.written.delete(objectId(o));
  }

  /** Cellplane's live objects of one unit (a cell, or the egress unit): in its namespace, with its label, in this environment. */
  cellObjects(cellName: string, namespace: string): Live[] {
    const out: Live[] = [];
    for (const kind of MANAGED_KINDS) {
      const cache = this.caches.get(kindKey(kind.apiVersion, kind.kind));
      if (!cache) continue;
      for (const o of cache.list(kind.namespaced ? namespace : undefined)) {
        const live = this.live(kind, { apiVersion: kind.apiVersion, kind: kind.kind, metadata: o.metadata });
        if (!live || unitOf(live) !== cellName || !isOurs(live, this.options.environment)) continue;
        if (!kind.namespaced && live.metadata.name !== namespace) continue;
        out.push({ ...live, apiVersion: kind.apiVersion, kind: kind.kind });
      }
    }
    return out;
  }

  /**
   * The cells this environment's labelled objects belong to, the namespace
   * aside (a removed cell's namespace stays: it may hold workloads). The
   * entity is the one the namespace's source annotation names; the platform
   * egress namespace's objects are the environment's egress unit.
   */
  heldCells(): HeldCell[] {
    const groups = new Map<string, HeldCell & { namespace: string }>();
    for (const kind of MANAGED_KINDS) {
      if (!kind.namespaced) continue;
      for (const o of this.caches.get(kindKey(kind.apiVersion, kind.kind))?.list() ?? []) {
        const cellName = unitOf(o);
        const namespace = o.metadata.namespace;
        if (
          !cellName ||
          !namespace ||
          !isOurs(o, this.options.environment) ||
          this.deleted.has(objectId({ ...o, apiVersion: kind.apiVersion, kind: kind.kind }))
        )
          continue;
        const key = `${cellName}|${namespace}`;
        if (groups.has(key)) continue;
        if (cellName === EGRESS_UNIT_NAME) {
          groups.set(key, { entityRef: egressUnitRef(this.options.environment), cellName, namespace });
          continue;
        }
        const entityRef = this.caches.get('v1/Namespace')?.get(namespace)?.metadata.annotations?.[SOURCE_ANNOTATION];
        if (!entityRef?.startsWith('system:')) {
          this.options.logger.warn(
            `objects of cell ${cellName} in namespace ${namespace} carry Cellplane's labels, but no namespace names their cell's entity; they are left alone`,
          );
          continue;
        }
        groups.set(key, { entityRef, cellName, namespace });
      }
    }
    return [...groups.values()];
  }

  /** The pods of a namespace, from the pod informer. */
  pods(namespace: string): readonly Live[] {
    return this.podCache?.list(namespace) ?? [];
  }
}
