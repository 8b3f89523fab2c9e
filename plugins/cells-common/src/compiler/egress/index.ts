import { CellModel } from '../../model/types';
import { CellsSettings } from '../../settings/settings';
import { inPhase } from '../applyPhase';
import { egressAuthorizationPolicies } from './authorizationPolicy';
import { egressContext, KubeObject } from './context';
import { egressNetworkPolicies } from './network';
import { serviceEntries } from './serviceEntry';
import { egressNamespace, egressWaypoint } from './waypoint';

/** The platform egress namespace's objects in one environment (none when no cell declares a host). */
export interface CompiledEgress {
  environment: string;
  namespace: string;
  objects: KubeObject[];
  /** What this data plane cannot enforce about the declared hosts: a condition for status and verify. */
  warnings: string[];
}

/** Compiles the egress namespace of one environment, shared by every cell (docs/egress.md). */
export function compileEgress(model: CellModel, settings: CellsSettings, environment: string): CompiledEgress | undefined {
  const ctx = egressContext(model, settings, environment);
  if (!ctx) return undefined;
  const network = egressNetworkPolicies(ctx);
  const objects = [
    ...inPhase('namespace', [egressNamespace(ctx)]),
    // The policies before the ServiceEntries: a host is never routed through a waypoint that has none yet.
    ...inPhase('allow', [...network.objects, egressWaypoint(ctx), ...egressAuthorizationPolicies(ctx), ...serviceEntries(ctx)]),
  ];
  return { environment, namespace: ctx.namespace, objects, warnings: network.warnings };
}

export { FQDN_L7_ONLY_WARNING, EGRESS_OBJECT_NAMES } from './network';
export { hostObjectName } from './context';
