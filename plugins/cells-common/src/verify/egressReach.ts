import { CellComponent } from '../model/types';
import { compareText } from '../order';
import { EgressProbe } from './egressOracle';
import { egressVerdicts, sampleAddress } from './egress';
import { SimulatedCaller } from './simulate';
import { Simulation } from './simulation';

/** One destination outside the cluster some component of the environment declares: a host or a network, on one port. */
export interface EgressDestination {
  /** `external:<host>`, `cidr:<cidr>` or `platform:<name>` (platformReach.ts): the node the graph draws for it. */
  id: string;
  kind: 'host' | 'cidr' | 'platform';
  /** The host (exact or `*.suffix`), the network, or the platform service's name. */
  target: string;
  /** For a network: the ranges carved out of it (the union over its declarations). */
  except?: string[];
  port: number;
  protocol: 'TLS' | 'HTTP' | 'TCP' | 'UDP';
}

/** A destination the analyzer lets a caller reach. */
export type EgressReach = EgressDestination;

const byDestination = (a: EgressDestination, b: EgressDestination) => compareText(a.id, b.id) || a.port - b.port || compareText(a.protocol, b.protocol);

/**
 * Every host and network (per port and protocol) the components of the
 * environment declare: the candidates the graph and the blast radius ask the
 * analyzer about. A destination nobody declares is not drawn (verify probes
 * undeclared hosts and the metadata address).
 */
export function egressDestinations(sim: Simulation): EgressDestination[] {
  const present = new Set(sim.model.cells.filter(c => c.environments.includes(sim.environment)).map(c => c.ref));
  const found = new Map<string, EgressDestination>();
  for (const component of sim.model.components.filter(c => present.has(c.cell))) {
    for (const e of component.egress ?? []) {
      if (e.kind === 'platform') continue; // platformReach.ts
      for (const port of e.ports) {
        const id = e.kind === 'host' ? `external:${e.host}` : `cidr:${e.cidr}`;
        const key = `${id} ${port} ${e.protocol}`;
        const known = found.get(key);
        if (e.kind === 'cidr') {
          // Carve-outs of one network differ between declarations: probe an address outside all of them.
          const except = [...new Set([...(known?.except ?? []), ...(e.except ?? [])])].sort(compareText);
          found.set(key, { id, kind: 'cidr', target: e.cidr, ...(except.length ? { except } : {}), port, protocol: e.protocol });
        } else if (!known) found.set(key, { id, kind: 'host', target: e.host, port, protocol: e.protocol });
      }
    }
  }
  return [...found.values()].sort(byDestination);
}

/** Each destination's probe, found once: every caller is asked about every destination. */
const probes = new WeakMap<EgressDestination, EgressProbe | undefined>();

/**
 * The request that stands for a destination; undefined when no address of a
 * network lies outside its carve-outs, or for UDP (the analyzer judges TCP
 * requests only, so a UDP network is never drawn as reached).
 */
function probeOf(d: EgressDestination): EgressProbe | undefined {
  if (!probes.has(d)) probes.set(d, standInProbe(d));
  return probes.get(d);
}

function standInProbe(d: EgressDestination): EgressProbe | undefined {
  if (d.protocol === 'UDP') return undefined;
  if (d.kind === 'host') {
    const host = d.target.replace(/^\*\./, 'probe.');
    return { host, port: d.port, protocol: d.protocol as EgressProbe['protocol'], ...(d.protocol === 'HTTP' ? { method: 'GET', path: '/' } : {}) };
  }
  const ip = sampleAddress(d.target, d.except);
  return ip ? { ip, port: d.port, protocol: 'TCP' } : undefined;
}

/**
 * The declared destinations outside the cluster this caller may reach, judged
 * by the analyzer on the simulation's manifests (an HTTP host is asked with
 * `GET /`; a network with an address outside its carve-outs).
 */
export function egressReach(sim: Simulation, from: SimulatedCaller, destinations = egressDestinations(sim)): EgressReach[] {
  if (destinations.length === 0) return [];
  const allowed = egressVerdicts(sim, from);
  return destinations.filter(d => {
    const probe = probeOf(d);
    return probe !== undefined && allowed(probe);
  });
}

/** Per component of the environment, the declared destinations the analyzer lets it reach (components that reach none are left out). */
export function egressReachByComponent(sim: Simulation, components: CellComponent[]): Map<string, EgressReach[]> {
  const destinations = egressDestinations(sim);
  const result = new Map<string, EgressReach[]>();
  if (destinations.length === 0) return result;
  for (const c of components) {
    const reach = egressReach(sim, { component: c.ref }, destinations);
    if (reach.length > 0) result.set(c.ref, reach);
  }
  return result;
}
