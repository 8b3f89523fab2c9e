import { LoggerService } from '@backstage/backend-plugin-api';
import { APPLY_PHASES, applyPhaseOf, KubeObject } from '@cellplane/cells-common';
import {
  ApplyContext,
  CellOutcome,
  DesiredCell,
  managedDiff,
  noChanges,
  objectId,
  objectName,
  objectRef,
  ObjectRef,
  ObjectStatus,
  RemovalOutcome,
  RemovedCell,
  unwantedObjects,
} from '@cellplane/plugin-cells-node';
import { KubeHttp, KubeResponse } from './http';
import { ManagedKind, managedKindOf, objectPath } from './kinds';
import { isOurs, Live, LiveCache, messageOf } from './LiveCache';
import { ownerOf, unitOf } from './units';

export const FIELD_MANAGER = 'cellplane';

interface ObjectResult {
  state: 'in-sync' | 'conflict' | 'unavailable' | 'error';
  message?: string;
  change?: 'create' | 'update';
}

/**
 * The index of an object's apply phase (`APPLY_PHASES`), from the tag the
 * compiler sets. Objects compiled before the tag existed (a held cell's stored
 * compilation) go by kind: the namespace first, identities next, anything
 * else last, where a rule that turns out to allow is merely late.
 */
export function phaseIndex(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): number {
  const tagged = applyPhaseOf(o);
  if (tagged) return APPLY_PHASES.indexOf(tagged);
  if (o.kind === 'Namespace') return 0;
  return managedKindOf(o)?.layer === 'identity' ? 1 : 3;
}

/** Pruning deletes allow rules first, then the rules that restrict, then identities: a cell never opens on the way. */
const PRUNE_STEP_OF_PHASE = [2, 2, 0, 1];

/** What went wrong with one object, in words that name the object, verb, resource or field. */
export function describeFailure(verb: string, kind: ManagedKind, object: KubeObject, response: KubeResponse): string {
  const what = objectName(object);
  const body = response.body ?? {};
  const apiMessage = typeof body === 'object' ? body.message ?? '' : String(body);
  if (response.status === 403) {
    const group = kind.apiVersion.includes('/') ? kind.apiVersion.split('/')[0] : '';
    const scope = kind.namespaced ? ` in namespace ${object.metadata.namespace}` : '';
    return `${what}: forbidden: Cellplane's service account may not ${verb} ${kind.resource}${
      group ? `.${group}` : ''
    }${scope} (${apiMessage}). Fix: grant it with deploy/cells-backend-rbac.yaml`;
  }
  if (response.status === 422 || (response.status === 500 && /field not declared in schema/.test(apiMessage))) {
    const causes: { field?: string; message?: string }[] = body.details?.causes ?? [];
    const fields = causes.map(c => `${c.field ?? '?'}: ${c.message ?? ''}`).join('; ');
    return `${what}: the API server rejected it: ${fields || apiMessage}`;
  }
  return `${what}: ${verb} failed with ${response.status}: ${apiMessage}`;
}

/**
 * Writes cells to the cluster: server-side apply phase by phase, then pruning
 * of what the cell no longer wants. Remembers the conflicts and failures it
 * met, so observing a cell does not call a half-applied cell in sync.
 */
export class Applier {
  /** Same-named objects Cellplane does not own, found by apply: id -> message. */
  private readonly conflicts = new Map<string, string>();
  /** Last apply failure per cell. */
  private readonly failures = new Map<string, string>();

  constructor(private readonly options: { cache: LiveCache; http: KubeHttp; environment: string; logger: LoggerService }) {}

  conflictOf(o: KubeObject): string | undefined {
    return this.conflicts.get(objectId(o));
  }

  failureOf(entityRef: string): string | undefined {
    return this.failures.get(entityRef);
  }

  /** Marks cells an apply could not even start on (the cluster away). */
  fail(entityRef: string, message: string): void {
    this.failures.set(entityRef, message);
  }

  async applyCell(cell: DesiredCell, context: ApplyContext): Promise<CellOutcome> {
    const changes = noChanges();
    const statuses = new Map<string, ObjectStatus>();
    const problems: string[] = [];
    const unavailable = new Set<string>();
    const phases = APPLY_PHASES.map((_, p) => cell.objects.filter(o => phaseIndex(o) === p));
    let stoppedAt: number | undefined;
    // A namespace this apply created holds nothing of anyone else's yet: no lookup per object.
    let freshNamespace = false;
    for (let p = 0; p < phases.length && stoppedAt === undefined; p++) {
      const inFreshNamespace = freshNamespace;
      await Promise.all(
        phases[p].map(async o => {
          const result: ObjectResult = await this.applyObject(cell, o, context, inFreshNamespace).catch(e => ({
            state: 'error' as const,
            message: `${objectName(o)}: ${messageOf(e)}`,
          }));
          statuses.set(objectId(o), {
            ...objectRef(o),
            state: result.state === 'error' ? 'pending' : result.state,
            ...(result.message ? { message: result.message } : {}),
          });
          if (result.state === 'unavailable') unavailable.add(result.message!);
          else if (result.state === 'error' || result.state === 'conflict') problems.push(result.message!);
          if (result.change === 'create') changes.create.push(objectRef(o));
          else if (result.change === 'update') changes.update.push(objectRef(o));
          else if (result.state === 'in-sync') changes.unchanged++;
        }),
      );
      if (p === 0) freshNamespace = changes.create.some(r => r.kind === 'Namespace');
      // Later phases deny by default: never apply them over allow rules that did not land.
      if (problems.length) stoppedAt = p;
    }
    if (!problems.length) {
      try {
        changes.prune.push(...(await this.prune(unwantedObjects(cell.objects, this.options.cache.cellObjects(cell.cellName, cell.namespace)), context)));
      } catch (e) {
        problems.push(messageOf(e));
      }
    }
    const objects = cell.objects.map(
      o => statuses.get(objectId(o)) ?? { ...objectRef(o), state: 'pending' as const, message: 'not applied: an earlier phase failed' },
    );
    const base = { entityRef: cell.entityRef, environment: cell.environment, changes, objects };
    if (problems.length) {
      const later = stoppedAt !== undefined && stoppedAt < APPLY_PHASES.length - 1;
      const message = `${problems.join('; ')}${later ? '. Later apply phases wait until this is fixed, so the cell is not half-closed' : ''}`;
      this.failures.set(cell.entityRef, message);
      return { ...base, state: 'error', message };
    }
    this.failures.delete(cell.entityRef);
    if (unavailable.size) return { ...base, state: 'degraded', message: [...unavailable].join('; ') };
    return { ...base, state: 'in-sync', message: '' };
  }

  /**
   * Prunes every object of a removed cell (or egress unit) but its namespace:
   * it may hold workloads Cellplane does not own.
   */
  async removeCell(cell: RemovedCell, context: ApplyContext): Promise<RemovalOutcome> {
    const base = { entityRef: cell.entityRef, environment: cell.environment };
    if (!cell.namespace) {
      return { ...base, state: 'error', pruned: [], message: `the namespace of removed cell ${cell.entityRef} is not known, so nothing is pruned` };
    }
    try {
      const objects = this.options.cache.cellObjects(cell.cellName, cell.namespace).filter(o => o.kind !== 'Namespace');
      const pruned = await this.prune(objects, context);
      this.failures.delete(cell.entityRef);
      return { ...base, state: 'removed', pruned, message: '' };
    } catch (e) {
      return { ...base, state: 'error', pruned: [], message: `could not prune removed cell ${cell.entityRef}: ${messageOf(e)}` };
    }
  }

  private async applyObject(cell: DesiredCell, o: KubeObject, context: ApplyContext, inFreshNamespace: boolean): Promise<ObjectResult> {
    const { cache, environment, logger } = this.options;
    const kind = managedKindOf(o);
    if (!kind) return { state: 'error', message: `${objectName(o)}: Cellplane does not apply ${o.apiVersion} ${o.kind}` };
    if (kind.namespaced && o.metadata.namespace !== cell.namespace) {
      return { state: 'error', message: `${objectName(o)} is outside the cell namespace ${cell.namespace}; it is not applied` };
    }
    if (!cache.serves(kind.apiVersion)) {
      return {
        state: 'unavailable',
        message: `${kind.layer} is unavailable: the cluster does not serve ${kind.apiVersion} ${kind.kind} (its CRD is not installed)`,
      };
    }
    const path = objectPath(kind, o);
    let live = cache.live(kind, o);
    if (!live && !(inFreshNamespace && kind.namespaced)) {
      // Not in the label-selected cache: someone else's object may hold the name.
      const found = await this.options.http.request('GET', path, undefined, undefined, context.signal);
      if (found.status === 200) live = found.body;
      else if (found.status !== 404) return { state: 'error', message: describeFailure('get', kind, o, found) };
    }
    if (live && (!isOurs(live, environment) || unitOf(live) !== cell.cellName)) {
      const message = `${objectName(o)} already exists and is ${ownerOf(live, environment)}; it is left untouched. Fix: rename or remove that object`;
      this.conflicts.set(objectId(o), message);
      return { state: 'conflict', message };
    }
    this.conflicts.delete(objectId(o));
    if (live && !managedDiff(o, live).length) return { state: 'in-sync' };
    let response = await this.ssa(path, o, false, context.signal);
    if (response.status === 409 && live) {
      // The object is Cellplane's; another manager took fields by hand (drift): take them back.
      logger.info(`${objectName(o)}: repairing fields changed by another field manager`);
      response = await this.ssa(path, o, true, context.signal);
    }
    if (response.status === 409) {
      const message = `${objectName(o)} conflicts with another owner: ${response.body?.message ?? ''}`;
      this.conflicts.set(objectId(o), message);
      return { state: 'conflict', message };
    }
    if (response.status === 404 && cache.serves(kind.apiVersion) && kind.layer !== 'identity') {
      // The CRD went away since discovery.
      cache.markUnserved(kind.apiVersion);
      return { state: 'unavailable', message: `${kind.layer} is unavailable: the cluster does not serve ${kind.apiVersion} ${kind.kind}` };
    }
    if (response.status !== 200 && response.status !== 201) return { state: 'error', message: describeFailure('patch', kind, o, response) };
    cache.recordWrite({ ...response.body, apiVersion: kind.apiVersion, kind: kind.kind } as Live);
    return { state: 'in-sync', change: live ? 'update' : 'create' };
  }

  private ssa(path: string, o: KubeObject, force: boolean, signal?: AbortSignal) {
    const query = new URLSearchParams({ fieldManager: FIELD_MANAGER, fieldValidation: 'Strict', force: String(force) });
    return this.options.http.request('PATCH', `${path}?${query}`, o, 'application/apply-patch+yaml', signal);
  }

  /** Deletes managed objects in prune order, each only if it is still the same object (uid precondition). */
  private async prune(objects: Live[], context: ApplyContext): Promise<ObjectRef[]> {
    const pruned: ObjectRef[] = [];
    for (const step of [0, 1, 2]) {
      for (const o of objects.filter(x => PRUNE_STEP_OF_PHASE[phaseIndex(x)] === step)) {
        const kind = managedKindOf(o)!;
        const body = { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: o.metadata.uid } };
        const response = await this.options.http.request('DELETE', objectPath(kind, o), body, undefined, context.signal);
        if (![200, 202, 404, 409].includes(response.status)) {
          throw new Error(describeFailure('delete', kind, o as KubeObject, response));
        }
        this.options.cache.recordDelete(o);
        pruned.push(objectRef(o));
      }
    }
    return pruned;
  }
}
