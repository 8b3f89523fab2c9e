import { CallGrant, CellComponent } from '../model/types';
import { compareText } from '../order';
import { CellContext, HBONE_PORT, PROBE_SOURCE_CIDR, WAYPOINT_POD_LABEL, podLabels } from './context';
import { CELL_OBJECT_NAMES } from './names';
import { calledServiceRules } from './platform/called';
import { scrapeIngress, scrapeWaypointRules } from './platform/scrape';

/** Pods somewhere in the cluster, or an address range. */
export type Peer =
  | { kind: 'pods'; namespace: string; labels: Record<string, string> }
  | { kind: 'cidr'; cidr: string }
  /** A network outside the cluster a component declared (`spec.egress[].cidr`), with its carve-outs. */
  | { kind: 'network'; cidr: string; except?: string[] };

export interface PortSpec {
  port: number;
  protocol: 'TCP' | 'UDP';
}

export interface PeerRule {
  peer: Peer;
  ports: PortSpec[];
}

/**
 * What one group of pods in the cell may receive and send, independent of the
 * policy flavour. The Kubernetes and Cilium modules only translate these.
 * An empty list means nothing in that direction (beyond the cell-wide DNS rule).
 */
export interface L4Intent {
  /** Policy name, unique in the namespace. */
  name: string;
  source: string;
  subject: Record<string, string>;
  ingress: PeerRule[];
  egress: PeerRule[];
}

const tcp = (port: number): PortSpec => ({ port, protocol: 'TCP' });

function endpointOf(component: CellComponent, name: string) {
  return component.endpoints.find(e => e.name === name)!;
}

/** Ambient carries TCP over HBONE; UDP bypasses ztunnel and is allowed pod to pod. */
function viaMesh(ctx: CellContext, component: CellComponent, grant: CallGrant): boolean {
  return ctx.settings.mesh.enabled && endpointOf(component, grant.endpoint).protocol !== 'UDP';
}

function portOf(component: CellComponent, endpointName: string): PortSpec {
  const e = endpointOf(component, endpointName);
  return { port: e.port, protocol: e.protocol === 'UDP' ? 'UDP' : 'TCP' };
}

function gatewayPeer(ctx: CellContext): Peer {
  return { kind: 'pods', namespace: ctx.settings.gateway.namespace, labels: ctx.settings.gateway.podLabels };
}

function callerPeer(ctx: CellContext, caller: CallGrant['caller']): Peer {
  if (caller.kind === 'gateway') return gatewayPeer(ctx);
  const c = ctx.component(caller.ref);
  return { kind: 'pods', namespace: ctx.namespaceOf(c.cell), labels: podLabels(ctx, c) };
}

function waypointPeer(ctx: CellContext, namespace: string): Peer {
  return { kind: 'pods', namespace, labels: { [WAYPOINT_POD_LABEL]: ctx.settings.mesh.waypointName } };
}

function peerKey(peer: Peer): string {
  if (peer.kind === 'cidr') return `cidr:${peer.cidr}`;
  if (peer.kind === 'network') return `network:${peer.cidr}|${(peer.except ?? []).join(',')}`;
  const entries = Object.entries(peer.labels);
  // One label (the usual case) needs no sort; the text is the same as the sorted join's.
  return `${peer.namespace}|${entries.length === 1 ? `${entries[0][0]},${entries[0][1]}` : entries.sort().join(',')}`;
}

/** Merges rules per peer, unions and sorts ports, sorts peers: deterministic output. */
export function mergeRules(rules: PeerRule[]): PeerRule[] {
  const byPeer = new Map<string, PeerRule>();
  for (const rule of rules) {
    const key = peerKey(rule.peer);
    const existing = byPeer.get(key);
    if (existing) existing.ports.push(...rule.ports);
    else byPeer.set(key, { peer: rule.peer, ports: [...rule.ports] });
  }
  return [...byPeer.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, rule]) => ({
      peer: rule.peer,
      // A single port (most rules) is already unique and sorted.
      ports:
        rule.ports.length === 1
          ? rule.ports
          : [...new Map(rule.ports.map(p => [`${p.protocol}/${p.port}`, p])).values()].sort((a, b) => compareText(a.protocol, b.protocol) || a.port - b.port),
    }));
}

function componentIntent(ctx: CellContext, component: CellComponent): L4Intent {
  const ingress: PeerRule[] = [];
  const egress: PeerRule[] = [];
  for (const grant of ctx.inbound.filter(g => g.callee === component.ref)) {
    if (viaMesh(ctx, component, grant)) {
      // The destination only ever hears HBONE from its own waypoint (reference L2.6).
      ingress.push({ peer: waypointPeer(ctx, ctx.namespace), ports: [tcp(HBONE_PORT)] });
    } else {
      ingress.push({ peer: callerPeer(ctx, grant.caller), ports: [portOf(component, grant.endpoint)] });
    }
  }
  if (ctx.settings.mesh.enabled && component.endpoints.length > 0) {
    const probePorts = component.endpoints.filter(e => e.protocol !== 'UDP').map(e => tcp(e.port));
    if (probePorts.length) ingress.push({ peer: { kind: 'cidr', cidr: PROBE_SOURCE_CIDR }, ports: probePorts });
  }
  for (const grant of ctx.outbound.filter(g => g.caller.kind === 'component' && g.caller.ref === component.ref)) {
    const callee = ctx.component(grant.callee);
    if (viaMesh(ctx, callee, grant)) {
      egress.push({ peer: waypointPeer(ctx, ctx.namespaceOf(callee.cell)), ports: [tcp(HBONE_PORT)] });
    } else {
      egress.push({ peer: { kind: 'pods', namespace: ctx.namespaceOf(callee.cell), labels: podLabels(ctx, callee) }, ports: [portOf(callee, grant.endpoint)] });
    }
  }
  egress.push(...egressRules(ctx, component), ...calledServiceRules(ctx, component));
  ingress.push(...scrapeIngress(ctx, component));
  return {
    name: component.name,
    source: component.ref,
    subject: podLabels(ctx, component),
    ingress: mergeRules(ingress),
    egress: mergeRules(egress),
  };
}

/**
 * A component's own way out (docs/egress.md): HBONE to the egress waypoint when
 * it declared a host, and each declared network on its ports. Nothing else, so
 * a direct connection to a host's address is denied at L3/L4.
 */
function egressRules(ctx: CellContext, component: CellComponent): PeerRule[] {
  const rules: PeerRule[] = [];
  for (const entry of component.egress ?? []) {
    if (entry.kind === 'platform') continue; // platform/called.ts
    if (entry.kind === 'host') {
      const { namespace, waypointName } = ctx.settings.egress;
      rules.push({ peer: { kind: 'pods', namespace, labels: { [WAYPOINT_POD_LABEL]: waypointName } }, ports: [tcp(HBONE_PORT)] });
    } else {
      rules.push({
        peer: { kind: 'network', cidr: entry.cidr, ...(entry.except ? { except: entry.except } : {}) },
        ports: entry.ports.map(port => ({ port, protocol: entry.protocol })),
      });
    }
  }
  return rules;
}

/** The waypoint hears every allowed caller of the cell on 15008 and speaks only to the cell. */
function waypointIntent(ctx: CellContext): L4Intent {
  const ingress: PeerRule[] = [];
  const egress: PeerRule[] = [];
  for (const grant of ctx.inbound) {
    const callee = ctx.component(grant.callee);
    if (!viaMesh(ctx, callee, grant)) continue;
    ingress.push({ peer: callerPeer(ctx, grant.caller), ports: [tcp(HBONE_PORT)] });
    egress.push({ peer: { kind: 'pods', namespace: ctx.namespace, labels: podLabels(ctx, callee) }, ports: [tcp(HBONE_PORT)] });
  }
  const scrapes = scrapeWaypointRules(ctx, c => podLabels(ctx, c));
  ingress.push(...scrapes.ingress);
  egress.push(...scrapes.egress);
  const cp = ctx.settings.mesh.controlPlane;
  egress.push({ peer: { kind: 'pods', namespace: cp.namespace, labels: cp.podLabels }, ports: [tcp(cp.port)] });
  return {
    name: CELL_OBJECT_NAMES.waypointPolicy,
    source: ctx.cell.ref,
    subject: { [WAYPOINT_POD_LABEL]: ctx.settings.mesh.waypointName },
    ingress: mergeRules(ingress),
    egress: mergeRules(egress),
  };
}

/** Every L3/L4 intent of the cell: one per component, plus the waypoint's. */
export function l4Intents(ctx: CellContext): L4Intent[] {
  const intents = ctx.components.map(c => componentIntent(ctx, c));
  if (ctx.settings.mesh.enabled) intents.push(waypointIntent(ctx));
  return intents.sort((a, b) => compareText(a.name, b.name));
}

export function dnsPeer(ctx: CellContext): PeerRule {
  const dns = ctx.settings.dns;
  return {
    peer: { kind: 'pods', namespace: dns.namespace, labels: dns.podLabels },
    ports: [
      { port: dns.port, protocol: 'TCP' },
      { port: dns.port, protocol: 'UDP' },
    ],
  };
}
