import { CellComponent, CellModel, EgressHostRule } from '../../model/types';
import { compareText } from '../../order';
import { cellNamespace } from '../../settings/naming';
import { CellsSettings, NetworkPolicyFlavour } from '../../settings/settings';
import { EGRESS_LABEL, ENVIRONMENT_LABEL, MANAGED_BY, SOURCE_ANNOTATION } from '../../labels/keys';
import { KubeObject } from '../context';
import { cellEnforcement, egressEnforcement } from '../enforcement';

/** One component that declared a host: who it is, where its pods run. */
export interface HostCaller {
  ref: string;
  principal: string;
  namespace: string;
  podLabels: Record<string, string>;
  entry: EgressHostRule;
}

/** Every caller of one external host in one environment, ports merged. */
export interface ExternalHost {
  host: string;
  /** Port -> protocol (one per port catalog-wide, validation/egressHosts.ts). */
  ports: Map<number, EgressHostRule['protocol']>;
  callers: HostCaller[];
}

/** What the platform egress modules need for one environment. */
export interface EgressContext {
  settings: CellsSettings;
  environment: string;
  flavour: NetworkPolicyFlavour;
  namespace: string;
  /** Sorted by host. */
  hosts: ExternalHost[];
  waypointPrincipal: string;
  /**
   * Cells in audit while their environment enforces (docs/rollout.md): the
   * egress waypoint admits every pod of their namespaces to every declared
   * host, so nothing applied denies them, while enforcing cells keep their
   * allow-list. Sorted by namespace.
   */
  audited: { ref: string; namespace: string }[];
}

/** The hosts the cells of one environment declared, each once (one ServiceEntry per host for all cells). */
export function egressContext(model: CellModel, settings: CellsSettings, environment: string): EgressContext | undefined {
  const env = settings.environments.find(e => e.name === environment);
  if (!env || !settings.mesh.enabled) return undefined;
  const cells = new Map(model.cells.filter(c => c.environments.includes(environment)).map(c => [c.ref, c]));
  const byHost = new Map<string, ExternalHost>();
  const callerOf = (c: CellComponent, entry: EgressHostRule): HostCaller => {
    const namespace = cellNamespace(settings, cells.get(c.cell)!, environment);
    return {
      ref: c.ref,
      principal: `${settings.mesh.trustDomain}/ns/${namespace}/sa/${c.name}`,
      namespace,
      podLabels: { [settings.podLabelKey]: c.name },
      entry,
    };
  };
  for (const component of model.components) {
    if (!component.egress || !cells.has(component.cell)) continue;
    for (const entry of component.egress) {
      if (entry.kind !== 'host') continue;
      const host: ExternalHost = byHost.get(entry.host) ?? { host: entry.host, ports: new Map(), callers: [] };
      entry.ports.forEach(p => host.ports.set(p, entry.protocol));
      host.callers.push(callerOf(component, entry));
      byHost.set(entry.host, host);
    }
  }
  if (byHost.size === 0) return undefined;
  const { namespace, waypointName } = settings.egress;
  // Only an audit the environment does not share: when it audits, the namespace's policies are left out whole.
  const audited =
    egressEnforcement(settings, environment) === 'audit'
      ? []
      : [...cells.values()]
          .filter(c => cellEnforcement(c, settings, environment) === 'audit')
          .map(c => ({ ref: c.ref, namespace: cellNamespace(settings, c, environment) }))
          .sort((a, b) => compareText(a.namespace, b.namespace));
  return {
    settings,
    environment,
    flavour: env.networkPolicy,
    namespace,
    hosts: [...byHost.values()].sort((a, b) => compareText(a.host, b.host)),
    waypointPrincipal: `${settings.mesh.trustDomain}/ns/${namespace}/sa/${waypointName}`,
    audited,
  };
}

/** A ServiceEntry and its policy are named after the host; `*` is not a name character. */
export function hostObjectName(host: string): string {
  return host.replace(/^\*\./, 'wildcard.');
}

/** Labels and source annotation of a platform egress object; `sources` are the declaring entities. */
export function egressMeta(ctx: EgressContext, name: string, sources: string[]) {
  return {
    name,
    namespace: ctx.namespace,
    labels: { [MANAGED_BY]: 'cellplane', [ENVIRONMENT_LABEL]: ctx.environment, [EGRESS_LABEL]: 'true' },
    annotations: { [SOURCE_ANNOTATION]: [...new Set(sources)].sort(compareText).join(',') },
  };
}

export function allSources(ctx: EgressContext): string[] {
  return [...ctx.hosts.flatMap(h => h.callers.map(c => c.ref)), ...ctx.audited.map(a => a.ref)];
}

export type { KubeObject };
