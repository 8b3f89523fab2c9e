import { AMBIENT_LABEL, GATEWAY_NAME_LABEL, KubeObject, USE_WAYPOINT_LABEL } from '@cellplane/cells-common';
import { CellOutcome, compareObjects, DesiredCell, managedDiff, ObjectChangeSet, objectRef, ObjectStatus, unwantedObjects } from '@cellplane/plugin-cells-node';
import { Applier } from './Applier';
import { managedKindOf } from './kinds';
import { Live, LiveCache } from './LiveCache';

const describe = (o: ObjectStatus) => `${o.kind} ${o.name} ${o.state}${o.diff ? ` (${o.diff.join(', ')})` : ''}`;

/**
 * Reads a cell's live state from the cache, without a request: each desired
 * object in sync, drifted (with its field diff), missing, in conflict or
 * unavailable; the cell's objects nobody wants any more; the waypoint's and
 * the namespace's own signals; pods whose calls will be denied.
 */
export class Observer {
  constructor(private readonly options: { cache: LiveCache; applier: Applier }) {}

  /** What apply would change for this cell (the cache must be synced). */
  plan(cell: DesiredCell): ObjectChangeSet {
    const { cache } = this.options;
    const found = cell.objects.flatMap(o => {
      const kind = managedKindOf(o);
      const live = kind && cache.live(kind, o);
      return live ? [live] : [];
    });
    return compareObjects(cell.objects, [...found, ...cache.cellObjects(cell.cellName, cell.namespace)], (d, live) => managedDiff(d, live).length > 0);
  }

  observe(cell: DesiredCell): CellOutcome {
    const { cache, applier } = this.options;
    const objects: ObjectStatus[] = [];
    const notes: string[] = [];
    for (const o of cell.objects) {
      const kind = managedKindOf(o);
      if (!kind) {
        objects.push({ ...objectRef(o), state: 'unavailable', message: `Cellplane does not apply ${o.apiVersion} ${o.kind}` });
        continue;
      }
      if (!cache.serves(kind.apiVersion)) {
        objects.push({
          ...objectRef(o),
          state: 'unavailable',
          message: `${kind.layer} is unavailable: the cluster does not serve ${kind.apiVersion} ${kind.kind}`,
        });
        continue;
      }
      const live = cache.live(kind, o);
      if (!live) {
        const conflict = applier.conflictOf(o);
        objects.push(conflict ? { ...objectRef(o), state: 'conflict', message: conflict } : { ...objectRef(o), state: 'missing' });
        continue;
      }
      const diff = managedDiff(o, live);
      const status: ObjectStatus = diff.length ? { ...objectRef(o), state: 'drifted', diff } : { ...objectRef(o), state: 'in-sync' };
      notes.push(...this.signals(o, live, status));
      objects.push(status);
    }
    for (const o of unwantedObjects(cell.objects, cache.cellObjects(cell.cellName, cell.namespace))) {
      objects.push({ ...objectRef(o), state: 'unwanted', message: 'no component wants it; the next reconcile prunes it' });
    }
    objects.push(...this.strayPods(cell));
    const off = objects.filter(o => o.kind !== 'Pod' && o.state !== 'in-sync' && o.state !== 'unavailable');
    const pods = objects.filter(o => o.kind === 'Pod').map(o => `pod ${o.name}: ${o.message}`);
    const base = { entityRef: cell.entityRef, environment: cell.environment, changes: this.plan(cell), objects };
    const failure = applier.failureOf(cell.entityRef);
    if (off.some(o => o.state === 'conflict') || failure) {
      return { ...base, state: 'error', message: [failure, ...off.map(describe), ...notes, ...pods].filter(Boolean).join('; ') };
    }
    if (off.length) return { ...base, state: 'drifted', message: [...off.map(describe), ...notes, ...pods].join('; ') };
    const unavailable = [...new Set(objects.filter(o => o.state === 'unavailable').map(o => o.message))];
    if (unavailable.length) return { ...base, state: 'degraded', message: [...unavailable, ...notes, ...pods].join('; ') };
    return { ...base, state: 'in-sync', message: [...notes, ...pods].join('; ') };
  }

  /** What the waypoint's status and the namespace's labels say beyond the managed fields. */
  private signals(o: KubeObject, live: Live, status: ObjectStatus): string[] {
    if (o.kind === 'Gateway') {
      const programmed = (live.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Programmed');
      if (programmed?.status === 'True') return [];
      status.message = `the waypoint is not Programmed yet${programmed?.message ? `: ${programmed.message}` : ''}`;
      return [`waypoint ${o.metadata.name} is not Programmed`];
    }
    if (o.kind === 'Namespace') {
      const labels = live.metadata.labels ?? {};
      const notes: string[] = [];
      if (labels[AMBIENT_LABEL] !== 'ambient') notes.push(`namespace ${o.metadata.name} is not enrolled in ambient mode`);
      if (!labels[USE_WAYPOINT_LABEL]) notes.push(`namespace ${o.metadata.name} does not use the waypoint`);
      return notes;
    }
    return [];
  }

  /** Pods in the cell namespace that run as no component's service account or with no component's labels: their calls are denied. */
  private strayPods(cell: DesiredCell): ObjectStatus[] {
    const accounts = new Set(cell.objects.filter(o => o.kind === 'ServiceAccount').map(o => o.metadata.name));
    const selectors = cell.objects
      .filter(o => o.kind === 'Service')
      .map(o => ((o.spec as Record<string, unknown> | undefined)?.selector ?? {}) as Record<string, string>)
      .filter(s => Object.keys(s).length);
    const out: ObjectStatus[] = [];
    for (const pod of this.options.cache.pods(cell.namespace)) {
      const account = pod.spec?.serviceAccountName ?? 'default';
      const labels = pod.metadata.labels ?? {};
      // The waypoint's own pods (made by Istio for the cell's Gateway) belong to the cell.
      if (labels[GATEWAY_NAME_LABEL]) continue;
      const matches = selectors.some(s => Object.entries(s).every(([k, v]) => labels[k] === v));
      let why: string | undefined;
      if (!accounts.has(account)) why = `runs under service account ${account}, which no component owns: its calls will be denied`;
      else if (!matches) why = `has labels no component's selector matches: its calls will be denied`;
      if (why) out.push({ apiVersion: 'v1', kind: 'Pod', namespace: cell.namespace, name: pod.metadata.name, state: 'unwanted', message: why });
    }
    return out;
  }
}
