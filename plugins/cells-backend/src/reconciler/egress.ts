import { egressUnitRef } from '@cellplane/plugin-cells-node';
import { CompiledEgressUnit } from './isolate';
import { EnvironmentPlan, EnvironmentState, PassInput } from './plan';
import { hashObjects } from './settle';

/**
 * The egress unit's part of an environment's plan (docs/egress.md): the
 * platform egress namespace is sent when it changed, kept as the target holds
 * it when it could not be compiled, and removed (durably: from the store's
 * record as much as from this process's memory) once no cell declares a host.
 */
export function planEgress(pass: PassInput, env: EnvironmentState, plan: EnvironmentPlan, egress: CompiledEgressUnit): EnvironmentPlan {
  const { environment } = env;
  const ref = egressUnitRef(environment);
  const applied = env.applied.get(ref);
  if ('error' in egress) {
    // Neither sent nor removed: the target keeps what it holds until the compiler succeeds.
    return applied ? { ...plan, upsert: [...plan.upsert, applied] } : plan;
  }
  const { cell } = egress;
  if (cell) {
    const repair = (pass.request.repair ?? []).some(r => r.environment === environment && r.entityRef === ref);
    const changed = !applied || env.stale.has(ref) || hashObjects(applied.objects) !== hashObjects(cell.objects);
    const send = changed || pass.firstPass || !!pass.request.full || repair;
    const known = env.known.get(ref);
    const record = send && (!known || known.namespace !== cell.namespace || known.cellName !== cell.cellName);
    return {
      ...plan,
      upsert: [...plan.upsert, cell],
      send: send ? [...plan.send, cell] : plan.send,
      record: record ? [...plan.record, { entityRef: ref, environment, cellName: cell.cellName, namespace: cell.namespace }] : plan.record,
    };
  }
  const held = env.known.get(ref) ?? applied;
  if (!held) return plan;
  // As for a cell: what this process never saw declared waits until the catalog has been read whole.
  if (!env.seen.has(ref) && pass.now < pass.unseenRemovalAt) return { ...plan, deferred: [...plan.deferred, ref] };
  return { ...plan, remove: [...plan.remove, { entityRef: ref, cellName: held.cellName, environment, namespace: held.namespace }] };
}
