/**
 * Audit mode (docs/rollout.md): which compiled objects a cell in audit keeps.
 * The promise is that nothing Cellplane applies in audit denies a call that
 * was allowed before, so every object that can deny one is left out, and
 * only those: the cell still gets its namespace (ambient enrolment, its
 * waypoint), identities, Services, RBAC and public routes.
 */
import { Cell, CellModel, Enforcement } from '../model/types';
import { CellsSettings } from '../settings/settings';
import { KubeObject } from './context';
import { CompiledObjectRole, compiledObjectRole } from './names';

/**
 * A cell's mode in an environment: audit when the cell or the environment
 * says audit. The environment's audit is the platform team's promise about
 * every cell there, so a cell cannot enforce itself out of it; a cell can
 * audit itself in an enforcing environment.
 */
export function enforcementOf(cell: Enforcement | undefined, environment: Enforcement | undefined): Enforcement {
  return cell === 'audit' || environment === 'audit' ? 'audit' : 'enforce';
}

/** The mode of `cell` in `environment` under these settings. */
export function cellEnforcement(cell: Pick<Cell, 'enforcement'>, settings: CellsSettings, environment: string): Enforcement {
  return enforcementOf(cell.enforcement, settings.environments.find(e => e.name === environment)?.enforcement);
}

/**
 * Whether an object of this role stays in audit. Each role that can deny a
 * call is left out, for the reason the data plane gives (docs/policy-semantics.md):
 * - every NetworkPolicy or CiliumNetworkPolicy of the cell: a Kubernetes policy
 *   isolates every pod it selects for its directions (allow-dns isolates all
 *   egress but DNS; a per-component allow isolates that component), and a
 *   Cilium rule with a list for a direction turns its default-deny on;
 * - STRICT PeerAuthentication: refuses a connection without identity;
 * - every ALLOW AuthorizationPolicy (per component at the waypoint, waypoint-only
 *   at ztunnel): once one applies to a workload, whatever it does not match is denied.
 * Objects that only add (namespace with its ambient and waypoint labels,
 * service accounts, Services, the owner's RBAC, the waypoint, public routes) stay.
 * An object of no known role is left out: in audit, what cannot be judged harmless is not applied.
 */
export function keptInAudit(role: CompiledObjectRole | undefined): boolean {
  switch (role) {
    case 'namespace':
    case 'service-account':
    case 'service':
    case 'deployer-role':
    case 'deployer-binding':
    case 'waypoint':
    case 'public-route':
      return true;
    default:
      return false;
  }
}

/** The objects of one cell applied in `mode`: all in enforce, the non-denying ones in audit. */
export function objectsFor(mode: Enforcement, objects: KubeObject[]): KubeObject[] {
  return mode === 'enforce' ? objects : objects.filter(o => keptInAudit(compiledObjectRole(o)));
}

/**
 * The platform egress namespace of an environment audits when the
 * environment does: every cell there audits, so no enforcing cell's
 * allow-list is lost. A cell that audits alone in an enforcing environment
 * does not take the namespace with it: the namespace's policies admit that
 * cell's pods instead (egress/context.ts, `audited`), and every other cell's
 * calls to the declared hosts stay checked.
 */
export function egressEnforcement(settings: CellsSettings, environment: string): Enforcement {
  return enforcementOf(undefined, settings.environments.find(e => e.name === environment)?.enforcement);
}

/** Whether an egress-namespace object stays in audit: its namespace, waypoint and ServiceEntries; not its policies. */
export function keptInEgressAudit(o: KubeObject): boolean {
  // Its NetworkPolicies isolate the egress waypoint to the declared callers; its AuthorizationPolicies allow-list them.
  return o.kind === 'Namespace' || o.kind === 'Gateway' || o.kind === 'ServiceEntry';
}

/** The model and settings with every cell and environment enforcing: what switching to enforce would apply. */
export function enforcedEverywhere(model: CellModel, settings: CellsSettings): { model: CellModel; settings: CellsSettings } {
  return {
    model: { ...model, cells: model.cells.map(({ enforcement: _mode, ...cell }) => cell) },
    settings: { ...settings, environments: settings.environments.map(({ enforcement: _mode, ...env }) => env) },
  };
}
