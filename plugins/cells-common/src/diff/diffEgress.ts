import { CellComponent, EgressRule } from '../model/types';
import { RequestResult } from '../analyzer';
import { compareText } from '../order';
import { describeEgressProbe, evaluateEgress, sampleAddress } from '../verify/egress';
import { EgressProbe } from '../verify/egressOracle';
import { Simulation } from '../verify/simulation';
import { samplePaths } from '../verify/verify';
import type { AccessChange } from './diffAccess';
import { admittingLayer, componentLabel, presentCells, presentComponents } from './probing';

/** The request a declared entry stands for: its host on each port, or an address of its network on each port. */
function probesOf(entry: EgressRule): EgressProbe[] {
  // Platform services are inside the cluster: the access diff's in-cluster probes are theirs.
  if (entry.kind === 'platform') return [];
  if (entry.kind === 'host')
    return entry.ports.map(port => ({
      host: entry.host.replace(/^\*\./, 'probe.'),
      port,
      protocol: entry.protocol,
      // A request the entry admits: its first method on a path its first pattern matches (as verify asks).
      ...(entry.protocol === 'HTTP' ? { method: entry.methods?.[0] ?? 'GET', path: entry.paths?.[0] ? samplePaths(entry.paths[0])[0] : '/' } : {}),
    }));
  const ip = sampleAddress(entry.cidr, entry.except);
  return ip ? entry.ports.map(port => ({ ip, port, protocol: 'TCP' as const })) : [];
}

function target(p: EgressProbe): string {
  return p.host ? `external:${p.host}` : `cidr:${p.ip}`;
}

/**
 * Requests outside the cluster whose verdict a change flips: every entry
 * either catalog declares, from every component of both sides and a rogue pod
 * in every cell, judged by the analyzer on each side. Nothing when neither
 * side declares egress (a diff without egress is unchanged).
 */
export function diffEgress(sides: readonly [Simulation, Simulation], cells?: string[]): { added: AccessChange[]; removed: AccessChange[] } {
  const declared = sides.flatMap(s => presentComponents(s).flatMap(c => c.egress ?? []));
  if (declared.length === 0) return { added: [], removed: [] };
  const probes = [...new Map(declared.flatMap(probesOf).map(p => [describeEgressProbe(p), p])).values()].sort((a, b) =>
    compareText(describeEgressProbe(a), describeEgressProbe(b)),
  );
  type Caller = { label: string; cell: string; judge: (s: Simulation, p: EgressProbe) => RequestResult | undefined };
  const callers = new Map<string, Caller>();
  for (const side of sides) {
    for (const c of presentComponents(side)) {
      const label = componentLabel(side, c);
      callers.set(label, {
        label,
        cell: c.cell,
        judge: (s, p) => {
          const here: CellComponent | undefined = presentComponents(s).find(x => componentLabel(s, x) === label);
          return here ? evaluateEgress(s.cluster(), s.componentPod(here), p) : undefined;
        },
      });
    }
    for (const cell of presentCells(side)) {
      const label = `rogue:${cell.name}`;
      callers.set(label, {
        label,
        cell: cell.ref,
        judge: (s, p) => {
          if (!presentCells(s).some(x => x.ref === cell.ref)) return undefined;
          const pod = s.roguePod(cell.ref);
          return evaluateEgress(s.cluster([pod]), pod, p);
        },
      });
    }
  }
  const added: AccessChange[] = [];
  const removed: AccessChange[] = [];
  for (const caller of [...callers.values()].sort((a, b) => compareText(a.label, b.label))) {
    if (cells && !cells.includes(caller.cell)) continue;
    for (const probe of probes) {
      const [was, now] = sides.map(s => caller.judge(s, probe));
      if (!!was?.allowed === !!now?.allowed) continue;
      const isAdded = !!now?.allowed;
      const { layer, policies } = admittingLayer(isAdded ? now! : was!);
      const who = caller.label.startsWith('rogue:') ? `a rogue pod in ${caller.label.slice(6)}` : caller.label;
      (isAdded ? added : removed).push({
        from: caller.label,
        to: target(probe),
        port: probe.port,
        layer,
        policies,
        text: `${who} may ${isAdded ? 'now' : 'no longer'} reach ${describeEgressProbe(probe)}`,
      });
    }
  }
  return { added, removed };
}
