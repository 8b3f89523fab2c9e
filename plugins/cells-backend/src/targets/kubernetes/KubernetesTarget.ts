import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AMBIENT_LABEL,
  CELL_LABEL,
  ENVIRONMENT_LABEL,
  GATEWAY_NAME_LABEL,
  KubeObject,
  MANAGED_BY,
  ObjectRef,
  ObjectStatus,
  TargetDescription,
  USE_WAYPOINT_LABEL,
} from '@cellplane/cells-common';
import {
  KubeConfig,
  KubernetesObject,
  makeInformer,
  Informer,
  ObjectCache,
} from '@kubernetes/client-node';
import {
  ApplyContext,
  ApplyResult,
  CellOutcome,
  CellTarget,
  DesiredCell,
  ObjectChangeSet,
  RemovedCell,
} from '../types';
import { KubeHttp, KubeResponse, RetryOptions } from './http';
import {
  collectionPath,
  groupVersionPath,
  ManagedKind,
  MANAGED_KINDS,
  managedKindOf,
  objectPath,
  phaseOf,
  kindKey,
} from './kinds';
import { managedDiff, managedPart } from './managedDiff';

export const FIELD_MANAGER = 'cellplane';

export interface KubernetesTargetOptions {
  cluster: string;
  kubeconfig: KubeConfig;
  environment: string;
  logger: LoggerService;
  /** Connection errors retry with exponential backoff; default 4 attempts from 250 ms. */
  retry?: RetryOptions;
  /** How long apply and observe wait for the first list of every watched kind; default 30 s. */
  syncTimeoutMs?: number;
}

type Live = KubernetesObject & {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
  };
} & Record<string, any>;
type Cache = Informer<Live> & ObjectCache<Live>;

const idOf = (o: {
  apiVersion?: string;
  kind?: string;
  metadata?: { namespace?: string; name?: string };
}) =>
  [o.apiVersion, o.kind, o.metadata?.namespace ?? '', o.metadata?.name].join(
    '\0',
  );

const refOf = (o: KubeObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  name: o.metadata.name,
});

const nameOf = (o: {
  kind: string;
  metadata: { namespace?: string; name: string };
}) =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${
    o.metadata.name
  }`;

const messageOf = (e: unknown) =>
  typeof e === 'object' && e !== null && 'message' in e
    ? String(e.message)
    : String(e);

const isOurs = (o: Live | undefined, environment: string) =>
  !!o &&
  o.metadata.labels?.[MANAGED_BY] === 'cellplane' &&
  o.metadata.labels?.[ENVIRONMENT_LABEL] === environment;

interface ObjectResult {
  state: 'in-sync' | 'conflict' | 'unavailable' | 'error';
  message?: string;
  change?: 'create' | 'update';
}

const rv = (o: Live | undefined) => Number(o?.metadata.resourceVersion ?? -1);

/** What went wrong with one object, in words that name the object, verb, resource or field. */
export function describeFailure(
  verb: string,
  kind: ManagedKind,
  object: KubeObject,
  response: KubeResponse,
): string {
  const what = nameOf(object);
  const body = response.body ?? {};
  const apiMessage =
    typeof body === 'object' ? body.message ?? '' : String(body);
  if (response.status === 403) {
    const group = kind.apiVersion.includes('/')
      ? kind.apiVersion.split('/')[0]
      : '';
    const scope = kind.namespaced
      ? ` in namespace ${object.metadata.namespace}`
      : '';
    return `${what}: forbidden: Cellplane's service account may not ${verb} ${
      kind.resource
    }${
      group ? `.${group}` : ''
    }${scope} (${apiMessage}). Fix: grant it with deploy/cells-backend-rbac.yaml`;
  }
  if (
    response.status === 422 ||
    (response.status === 500 && /field not declared in schema/.test(apiMessage))
  ) {
    const causes: { field?: string; message?: string }[] =
      body.details?.causes ?? [];
    const fields = causes
      .map(c => `${c.field ?? '?'}: ${c.message ?? ''}`)
      .join('; ');
    return `${what}: the API server rejected it: ${fields || apiMessage}`;
  }
  return `${what}: ${verb} failed with ${response.status}: ${apiMessage}`;
}

/**
 * The Kubernetes target: server-side applies each cell's objects (field
 * manager `cellplane`, exact JSON bodies), prunes only objects carrying
 * Cellplane's labels in the cell's namespace, never touches an object it does
 * not own, and reports live status from label-selected informers. Unchanged
 * objects cost no request: the steady state writes nothing.
 */
export class KubernetesTarget implements CellTarget {
  readonly description: TargetDescription;
  readonly http: KubeHttp;
  private readonly kubeconfig: KubeConfig;
  private readonly environment: string;
  private readonly logger: LoggerService;
  private readonly syncTimeoutMs: number;
  private readonly caches = new Map<string, Cache>();
  private readonly synced = new Map<string, boolean>();
  private readonly watchErrors = new Map<string, string>();
  private readonly groupAvailable = new Map<string, boolean>();
  private podCache?: Cache;
  /** Objects as the last write returned them, until the informer catches up. */
  private readonly written = new Map<string, Live>();
  private readonly deleted = new Set<string>();
  /** Same-named objects Cellplane does not own, found by apply: id -> message. */
  private readonly conflicts = new Map<string, string>();
  /** Last apply failure per cell, so observe does not report a half-applied cell as in sync. */
  private readonly failures = new Map<string, string>();
  private readonly cellRefs = new Map<string, string>();
  private readonly listeners: ((
    entityRef: string,
    environment: string,
  ) => void)[] = [];
  private starting?: Promise<void>;
  private stopped = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: KubernetesTargetOptions) {
    this.kubeconfig = options.kubeconfig;
    this.environment = options.environment;
    this.logger = options.logger;
    this.syncTimeoutMs = options.syncTimeoutMs ?? 30_000;
    this.http = new KubeHttp(options.kubeconfig, options.retry);
    this.description = { type: 'kubernetes', cluster: options.cluster };
  }

  onChange(listener: (entityRef: string, environment: string) => void): void {
    this.listeners.push(listener);
  }

  start(): Promise<void> {
    this.stopped = false;
    if (!this.starting) this.starting = this.startWatches();
    return this.starting;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const caches = [
      ...this.caches.values(),
      ...(this.podCache ? [this.podCache] : []),
    ];
    this.caches.clear();
    this.podCache = undefined;
    this.starting = undefined;
    await Promise.all(caches.map(c => c.stop().catch(() => undefined)));
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
  private async refreshAvailability(): Promise<void> {
    const versions = [...new Set(MANAGED_KINDS.map(k => k.apiVersion))].filter(
      v => !this.groupAvailable.get(v),
    );
    for (const apiVersion of versions) {
      const response = await this.http.request(
        'GET',
        groupVersionPath(apiVersion),
      );
      if (response.status === 200) {
        const served: { kind: string }[] = response.body?.resources ?? [];
        this.groupAvailable.set(apiVersion, true);
        for (const kind of MANAGED_KINDS.filter(
          k => k.apiVersion === apiVersion,
        )) {
          if (!served.some(r => r.kind === kind.kind))
            this.groupAvailable.set(apiVersion, false);
        }
      } else if (response.status === 404) {
        this.groupAvailable.set(apiVersion, false);
      } else {
        throw new Error(
          `discovery of ${apiVersion} failed with ${response.status}: ${
            response.body?.message ?? response.body
          }`,
        );
      }
      if (this.groupAvailable.get(apiVersion) && this.starting) {
        MANAGED_KINDS.filter(k => k.apiVersion === apiVersion).forEach(k =>
          this.watch(k),
        );
      }
    }
  }

  private watch(kind: ManagedKind): void {
    const key = kindKey(kind.apiVersion, kind.kind);
    if (this.caches.has(key)) return;
    const selector = `${MANAGED_BY}=cellplane,${ENVIRONMENT_LABEL}=${this.environment}`;
    this.caches.set(
      key,
      this.informer(key, collectionPath(kind), selector, kind),
    );
  }

  private informer(
    key: string,
    path: string,
    labelSelector?: string,
    kind?: ManagedKind,
  ): Cache {
    const list = async () => {
      const query = labelSelector
        ? `?labelSelector=${encodeURIComponent(labelSelector)}`
        : '';
      const response = await this.http.request('GET', `${path}${query}`);
      if (response.status !== 200) {
        throw new Error(
          response.status === 403
            ? `forbidden: Cellplane's service account may not list ${path} (${
                response.body?.message ?? ''
              })`
            : `list ${path}: ${response.status} ${
                response.body?.message ?? ''
              }`,
        );
      }
      // Lists carry no apiVersion/kind per item; the cache keys on them.
      for (const item of response.body.items) {
        if (kind)
          Object.assign(item, { apiVersion: kind.apiVersion, kind: kind.kind });
        else Object.assign(item, { apiVersion: 'v1', kind: 'Pod' });
      }
      // The informer fills its cache when this resolves, before any timer runs: only then is it synced.
      setTimeout(() => this.synced.set(key, true), 0);
      return response.body;
    };
    const informer = makeInformer<Live>(
      this.kubeconfig,
      path,
      list,
      labelSelector,
    ) as Cache;
    const changed = (o: Live) => {
      if (!kind) return this.notify(this.cellOfNamespace(o.metadata.namespace));
      const id = idOf(o);
      const w = this.written.get(id);
      if (w && rv(o) >= rv(w)) this.written.delete(id);
      return this.notify(o.metadata.labels?.[CELL_LABEL]);
    };
    informer.on('add', changed);
    informer.on('update', changed);
    informer.on('delete', o => {
      this.deleted.delete(idOf(o));
      this.written.delete(idOf(o));
      changed(o);
    });
    let delay = 500;
    let errors = 0;
    informer.on('error', error => {
      errors++;
      this.synced.set(key, false);
      this.watchErrors.set(key, messageOf(error));
      if (this.stopped) return;
      this.logger.warn(
        `watch of ${path} failed (${messageOf(
          error,
        )}); restarting in ${delay} ms`,
      );
      setTimeout(async () => {
        if (
          this.stopped ||
          (this.caches.get(key) !== informer && this.podCache !== informer)
        )
          return;
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
    const ns = this.caches.get('v1/Namespace')?.get(namespace);
    return ns?.metadata.labels?.[CELL_LABEL];
  }

  private notify(cellName: string | undefined) {
    const entityRef = cellName && this.cellRefs.get(cellName);
    if (!entityRef) return;
    for (const listener of this.listeners) {
      try {
        listener(entityRef, this.environment);
      } catch (e) {
        this.logger.warn(`onChange listener failed: ${messageOf(e)}`);
      }
    }
  }

  /** Waits until every informer has listed once, or throws naming the kinds that have not. */
  private async waitForSync(): Promise<void> {
    await this.start();
    const deadline = Date.now() + this.syncTimeoutMs;
    for (;;) {
      const pending = [...this.caches.keys()].filter(k => !this.synced.get(k));
      if (!pending.length) return;
      if (Date.now() > deadline) {
        const why = [
          ...new Set(pending.map(k => this.watchErrors.get(k)).filter(Boolean)),
        ];
        throw new Error(
          `no live view of the cluster: the watches of ${pending.join(
            ', ',
          )} are not running${why.length ? ` (${why.join('; ')})` : ''}`,
        );
      }
      await new Promise(r => setTimeout(r, 100));
    }
  }

  /** The freshest live copy Cellplane knows of: the informer's, or the one its own write returned. */
  private live(
    kind: ManagedKind,
    o: {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace?: string };
    },
  ): Live | undefined {
    const id = idOf(o);
    if (this.deleted.has(id)) return undefined;
    const cache = this.caches.get(kindKey(kind.apiVersion, kind.kind));
    const cached = cache?.get(
      o.metadata.name,
      kind.namespaced ? o.metadata.namespace : undefined,
    );
    const w = this.written.get(id);
    return w && rv(w) > rv(cached) ? w : cached;
  }

  private managedLiveOfCell(cellName: string, namespace: string): Live[] {
    const out: Live[] = [];
    for (const kind of MANAGED_KINDS) {
      const cache = this.caches.get(kindKey(kind.apiVersion, kind.kind));
      if (!cache) continue;
      for (const o of cache.list(kind.namespaced ? namespace : undefined)) {
        const live = this.live(kind, {
          apiVersion: kind.apiVersion,
          kind: kind.kind,
          metadata: o.metadata,
        });
        if (
          !live ||
          live.metadata.labels?.[CELL_LABEL] !== cellName ||
          !isOurs(live, this.environment)
        )
          continue;
        if (!kind.namespaced && live.metadata.name !== namespace) continue;
        out.push({ ...live, apiVersion: kind.apiVersion, kind: kind.kind });
      }
    }
    return out;
  }

  private remember(cell: { cellName: string; entityRef: string }) {
    this.cellRefs.set(cell.cellName, cell.entityRef);
  }

  async plan(cell: DesiredCell): Promise<ObjectChangeSet> {
    this.remember(cell);
    await this.waitForSync();
    const changes: ObjectChangeSet = {
      create: [],
      update: [],
      prune: [],
      unchanged: 0,
    };
    const desiredIds = new Set(cell.objects.map(idOf));
    for (const o of cell.objects) {
      const kind = managedKindOf(o);
      const live = kind && this.live(kind, o);
      if (!live) changes.create.push(refOf(o));
      else if (managedDiff(managedPart(o), live).length)
        changes.update.push(refOf(o));
      else changes.unchanged++;
    }
    for (const o of this.managedLiveOfCell(cell.cellName, cell.namespace)) {
      if (!desiredIds.has(idOf(o))) changes.prune.push(refOf(o as KubeObject));
    }
    return changes;
  }

  apply(
    upsert: DesiredCell[],
    remove: RemovedCell[],
    context: ApplyContext,
  ): Promise<ApplyResult> {
    const next = this.queue.then(() => this.applyNow(upsert, remove, context));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async applyNow(
    upsert: DesiredCell[],
    remove: RemovedCell[],
    context: ApplyContext,
  ): Promise<ApplyResult> {
    upsert.forEach(c => this.remember(c));
    remove.forEach(c => this.remember(c));
    try {
      await this.waitForSync();
      await this.refreshAvailability();
    } catch (e) {
      const message = `cannot reach the cluster: ${messageOf(
        e,
      )}; the next reconcile retries`;
      upsert.forEach(c => this.failures.set(c.entityRef, message));
      return { cells: upsert.map(c => this.failed(c, message)) };
    }
    const cells: CellOutcome[] = [];
    for (const cell of upsert) {
      if (context.signal?.aborted) {
        cells.push(
          this.failed(
            cell,
            'the reconcile was stopped before this cell was applied',
          ),
        );
        continue;
      }
      cells.push(await this.applyCell(cell, context));
    }
    for (const cell of remove) {
      try {
        await this.prune(
          this.managedLiveOfCell(cell.cellName, cell.namespace).filter(
            o => o.kind !== 'Namespace',
          ),
          context,
        );
      } catch (e) {
        this.logger.error(
          `could not prune removed cell ${cell.entityRef}: ${messageOf(e)}`,
        );
      }
    }
    return { cells };
  }

  private async applyCell(
    cell: DesiredCell,
    context: ApplyContext,
  ): Promise<CellOutcome> {
    const changes: ObjectChangeSet = {
      create: [],
      update: [],
      prune: [],
      unchanged: 0,
    };
    const statuses = new Map<string, ObjectStatus>();
    const problems: string[] = [];
    const unavailable = new Set<string>();
    const phases = [0, 1, 2, 3].map(p =>
      cell.objects.filter(o => phaseOf(o) === p),
    );
    let stoppedAt: number | undefined;
    // A namespace this apply created holds nothing of anyone else's yet: no lookup per object.
    let freshNamespace = false;
    for (let p = 0; p < phases.length && stoppedAt === undefined; p++) {
      const inFreshNamespace = freshNamespace;
      await Promise.all(
        phases[p].map(async o => {
          const result: ObjectResult = await this.applyObject(
            cell,
            o,
            context,
            inFreshNamespace,
          ).catch(e => ({
            state: 'error',
            message: `${nameOf(o)}: ${messageOf(e)}`,
          }));
          statuses.set(idOf(o), {
            ...refOf(o),
            state: result.state === 'error' ? 'pending' : result.state,
            ...(result.message ? { message: result.message } : {}),
          });
          if (result.state === 'unavailable') unavailable.add(result.message!);
          else if (result.state === 'error' || result.state === 'conflict')
            problems.push(result.message!);
          if (result.change === 'create') changes.create.push(refOf(o));
          else if (result.change === 'update') changes.update.push(refOf(o));
          else if (result.state === 'in-sync') changes.unchanged++;
        }),
      );
      if (p === 0)
        freshNamespace = changes.create.some(r => r.kind === 'Namespace');
      // Later phases deny by default: never apply them over allow rules that did not land.
      if (problems.length) stoppedAt = p;
    }
    if (!problems.length) {
      const desiredIds = new Set(cell.objects.map(idOf));
      const unwanted = this.managedLiveOfCell(
        cell.cellName,
        cell.namespace,
      ).filter(o => !desiredIds.has(idOf(o)));
      try {
        changes.prune.push(...(await this.prune(unwanted, context)));
      } catch (e) {
        problems.push(messageOf(e));
      }
    }
    const objects = cell.objects.map(
      o =>
        statuses.get(idOf(o)) ?? {
          ...refOf(o),
          state: 'pending' as const,
          message: 'not applied: an earlier phase failed',
        },
    );
    const base = {
      entityRef: cell.entityRef,
      environment: cell.environment,
      changes,
      objects,
    };
    if (problems.length) {
      const message = `${problems.join('; ')}${
        stoppedAt !== undefined && stoppedAt < 3
          ? '. Later apply phases wait until this is fixed, so the cell is not half-closed'
          : ''
      }`;
      this.failures.set(cell.entityRef, message);
      return { ...base, state: 'error', message };
    }
    this.failures.delete(cell.entityRef);
    if (unavailable.size)
      return {
        ...base,
        state: 'degraded',
        message: [...unavailable].join('; '),
      };
    return { ...base, state: 'in-sync', message: '' };
  }

  private async applyObject(
    cell: DesiredCell,
    o: KubeObject,
    context: ApplyContext,
    inFreshNamespace = false,
  ): Promise<ObjectResult> {
    const kind = managedKindOf(o);
    if (!kind)
      return {
        state: 'error',
        message: `${nameOf(o)}: Cellplane does not apply ${o.apiVersion} ${
          o.kind
        }`,
      };
    if (kind.namespaced && o.metadata.namespace !== cell.namespace) {
      return {
        state: 'error',
        message: `${nameOf(o)} is outside the cell namespace ${
          cell.namespace
        }; it is not applied`,
      };
    }
    if (!this.groupAvailable.get(kind.apiVersion)) {
      return {
        state: 'unavailable',
        message: `${kind.layer} is unavailable: the cluster does not serve ${kind.apiVersion} ${kind.kind} (its CRD is not installed)`,
      };
    }
    const path = objectPath(kind, o);
    let live = this.live(kind, o);
    if (!live && !(inFreshNamespace && kind.namespaced)) {
      // Not in the label-selected cache: someone else's object may hold the name.
      const found = await this.http.request(
        'GET',
        path,
        undefined,
        undefined,
        context.signal,
      );
      if (found.status === 200) live = found.body;
      else if (found.status !== 404)
        return {
          state: 'error',
          message: describeFailure('get', kind, o, found),
        };
    }
    if (
      live &&
      (!isOurs(live, this.environment) ||
        live.metadata.labels?.[CELL_LABEL] !== cell.cellName)
    ) {
      const owner = live.metadata.labels?.[CELL_LABEL]
        ? `Cellplane's object of cell ${live.metadata.labels[CELL_LABEL]}`
        : 'not managed by Cellplane';
      const message = `${nameOf(
        o,
      )} already exists and is ${owner}; it is left untouched. Fix: rename or remove that object`;
      this.conflicts.set(idOf(o), message);
      return { state: 'conflict', message };
    }
    this.conflicts.delete(idOf(o));
    if (live && !managedDiff(managedPart(o), live).length)
      return { state: 'in-sync' };
    let response = await this.ssa(path, o, false, context.signal);
    if (response.status === 409 && live) {
      // The object is Cellplane's; another manager took fields by hand (drift): take them back.
      this.logger.info(
        `${nameOf(o)}: repairing fields changed by another field manager`,
      );
      response = await this.ssa(path, o, true, context.signal);
    }
    if (response.status === 409) {
      const message = `${nameOf(o)} conflicts with another owner: ${
        response.body?.message ?? ''
      }`;
      this.conflicts.set(idOf(o), message);
      return { state: 'conflict', message };
    }
    if (
      response.status === 404 &&
      this.groupAvailable.get(kind.apiVersion) &&
      kind.layer !== 'identity'
    ) {
      // The CRD went away since discovery.
      this.groupAvailable.set(kind.apiVersion, false);
      return {
        state: 'unavailable',
        message: `${kind.layer} is unavailable: the cluster does not serve ${kind.apiVersion} ${kind.kind}`,
      };
    }
    if (response.status !== 200 && response.status !== 201)
      return {
        state: 'error',
        message: describeFailure('patch', kind, o, response),
      };
    const stored = {
      ...response.body,
      apiVersion: kind.apiVersion,
      kind: kind.kind,
    } as Live;
    this.written.set(idOf(o), stored);
    this.deleted.delete(idOf(o));
    return { state: 'in-sync', change: live ? 'update' : 'create' };
  }

  private ssa(
    path: string,
    o: KubeObject,
    force: boolean,
    signal?: AbortSignal,
  ) {
    const query = new URLSearchParams({
      fieldManager: FIELD_MANAGER,
      fieldValidation: 'Strict',
      force: String(force),
    });
    return this.http.request(
      'PATCH',
      `${path}?${query}`,
      o,
      'application/apply-patch+yaml',
      signal,
    );
  }

  /** Deletes managed objects: allow rules first, then default-deny, then identities; each only if it is still the same object. */
  private async prune(
    objects: Live[],
    context: ApplyContext,
  ): Promise<ObjectRef[]> {
    const STEP_OF_PHASE = [2, 2, 0, 1];
    const order = (o: Live) => STEP_OF_PHASE[phaseOf(o as KubeObject)];
    const pruned: ObjectRef[] = [];
    for (const step of [0, 1, 2]) {
      for (const o of objects.filter(x => order(x) === step)) {
        const kind = managedKindOf(o as KubeObject)!;
        const body = {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          preconditions: { uid: o.metadata.uid },
        };
        const response = await this.http.request(
          'DELETE',
          objectPath(kind, o as KubeObject),
          body,
          undefined,
          context.signal,
        );
        if (
          response.status !== 200 &&
          response.status !== 202 &&
          response.status !== 404 &&
          response.status !== 409
        ) {
          throw new Error(
            describeFailure('delete', kind, o as KubeObject, response),
          );
        }
        this.deleted.add(idOf(o));
        this.written.delete(idOf(o));
        pruned.push(refOf(o as KubeObject));
      }
    }
    return pruned;
  }

  async observe(cell: DesiredCell): Promise<CellOutcome> {
    this.remember(cell);
    try {
      await this.waitForSync();
    } catch (e) {
      return this.failed(cell, messageOf(e));
    }
    const objects: ObjectStatus[] = [];
    const notes: string[] = [];
    for (const o of cell.objects) {
      const kind = managedKindOf(o);
      if (!kind) {
        objects.push({
          ...refOf(o),
          state: 'unavailable',
          message: `Cellplane does not apply ${o.apiVersion} ${o.kind}`,
        });
        continue;
      }
      if (!this.groupAvailable.get(kind.apiVersion)) {
        objects.push({
          ...refOf(o),
          state: 'unavailable',
          message: `${kind.layer} is unavailable: the cluster does not serve ${kind.apiVersion} ${kind.kind}`,
        });
        continue;
      }
      const live = this.live(kind, o);
      if (!live) {
        const conflict = this.conflicts.get(idOf(o));
        objects.push(
          conflict
            ? { ...refOf(o), state: 'conflict', message: conflict }
            : { ...refOf(o), state: 'missing' },
        );
        continue;
      }
      const diff = managedDiff(managedPart(o), live);
      const status: ObjectStatus = diff.length
        ? { ...refOf(o), state: 'drifted', diff }
        : { ...refOf(o), state: 'in-sync' };
      if (o.kind === 'Gateway') {
        const programmed = (live.status?.conditions ?? []).find(
          (c: { type: string }) => c.type === 'Programmed',
        );
        if (programmed?.status !== 'True') {
          status.message = `the waypoint is not Programmed yet${
            programmed?.message ? `: ${programmed.message}` : ''
          }`;
          notes.push(`waypoint ${o.metadata.name} is not Programmed`);
        }
      }
      if (o.kind === 'Namespace') {
        const labels = live.metadata.labels ?? {};
        if (labels[AMBIENT_LABEL] !== 'ambient')
          notes.push(
            `namespace ${o.metadata.name} is not enrolled in ambient mode`,
          );
        if (!labels[USE_WAYPOINT_LABEL])
          notes.push(`namespace ${o.metadata.name} does not use the waypoint`);
      }
      objects.push(status);
    }
    const desiredIds = new Set(cell.objects.map(idOf));
    for (const o of this.managedLiveOfCell(cell.cellName, cell.namespace)) {
      if (!desiredIds.has(idOf(o)))
        objects.push({
          ...refOf(o as KubeObject),
          state: 'unwanted',
          message: 'no component wants it; the next reconcile prunes it',
        });
    }
    objects.push(...this.strayPods(cell));
    const off = objects.filter(
      o =>
        o.kind !== 'Pod' && o.state !== 'in-sync' && o.state !== 'unavailable',
    );
    const describe = (o: ObjectStatus) =>
      `${o.kind} ${o.name} ${o.state}${
        o.diff ? ` (${o.diff.join(', ')})` : ''
      }`;
    const pods = objects
      .filter(o => o.kind === 'Pod')
      .map(o => `pod ${o.name}: ${o.message}`);
    const base = {
      entityRef: cell.entityRef,
      environment: cell.environment,
      changes: await this.plan(cell),
      objects,
    };
    const failure = this.failures.get(cell.entityRef);
    if (off.some(o => o.state === 'conflict') || failure) {
      return {
        ...base,
        state: 'error',
        message: [failure, ...off.map(describe), ...notes, ...pods]
          .filter(Boolean)
          .join('; '),
      };
    }
    if (off.length)
      return {
        ...base,
        state: 'drifted',
        message: [...off.map(describe), ...notes, ...pods].join('; '),
      };
    const unavailable = [
      ...new Set(
        objects.filter(o => o.state === 'unavailable').map(o => o.message),
      ),
    ];
    if (unavailable.length)
      return {
        ...base,
        state: 'degraded',
        message: [...unavailable, ...notes, ...pods].join('; '),
      };
    return {
      ...base,
      state: 'in-sync',
      message: [...notes, ...pods].join('; '),
    };
  }

  /** Pods in the cell namespace that run as no component's service account or with no component's labels: their calls are denied. */
  private strayPods(cell: DesiredCell): ObjectStatus[] {
    const accounts = new Set(
      cell.objects
        .filter(o => o.kind === 'ServiceAccount')
        .map(o => o.metadata.name),
    );
    const selectors = cell.objects
      .filter(o => o.kind === 'Service')
      .map(
        o =>
          ((o.spec as Record<string, unknown> | undefined)?.selector ??
            {}) as Record<string, string>,
      )
      .filter(s => Object.keys(s).length);
    const out: ObjectStatus[] = [];
    for (const pod of this.podCache?.list(cell.namespace) ?? []) {
      const account = pod.spec?.serviceAccountName ?? 'default';
      const labels = pod.metadata.labels ?? {};
      // The waypoint's own pods (made by Istio for the cell's Gateway) belong to the cell.
      if (labels[GATEWAY_NAME_LABEL]) continue;
      const matches = selectors.some(s =>
        Object.entries(s).every(([k, v]) => labels[k] === v),
      );
      let why: string | undefined;
      if (!accounts.has(account))
        why = `runs under service account ${account}, which no component owns: its calls will be denied`;
      else if (!matches)
        why = `has labels no component's selector matches: its calls will be denied`;
      if (why)
        out.push({
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: cell.namespace,
          name: pod.metadata.name,
          state: 'unwanted',
          message: why,
        });
    }
    return out;
  }

  private failed(
    cell: Pick<DesiredCell, 'entityRef' | 'environment'>,
    message: string,
  ): CellOutcome {
    return {
      entityRef: cell.entityRef,
      environment: cell.environment,
      changes: { create: [], update: [], prune: [], unchanged: 0 },
      state: 'error',
      message,
      objects: [],
    };
  }
}
