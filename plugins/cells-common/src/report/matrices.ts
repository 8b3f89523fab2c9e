import { AccessMatrix, RegisterFlow } from './types';
import { Parties } from './register';
import { compareText } from '../order';

interface Access {
  from: string;
  to: string;
  /** `8080/HTTP` */
  endpoint: string;
}

const compare = compareText;

function entriesOf(accesses: Access[], callers: string[], callees: string[]): AccessMatrix['entries'] {
  const byPair = new Map<string, { from: string; to: string; endpoints: Set<string> }>();
  for (const a of accesses) {
    const key = `${a.from}|${a.to}`;
    const entry = byPair.get(key) ?? { from: a.from, to: a.to, endpoints: new Set<string>() };
    entry.endpoints.add(a.endpoint);
    byPair.set(key, entry);
  }
  return [...byPair.values()]
    .sort((a, b) => callers.indexOf(a.from) - callers.indexOf(b.from) || callees.indexOf(a.to) - callees.indexOf(b.to))
    .map(e => ({ from: e.from, to: e.to, endpoints: [...e.endpoints].sort() }));
}

/**
 * What the catalog declares (intended) and what verify found the manifests
 * allow (enforced), caller x callee, for every flow into, out of and within
 * the cell, at endpoint granularity, on the same axes: rows are the cell's
 * components, then other components, the gateway and the cell's rogue pod;
 * columns the cell's components, then others. Methods and paths are in the
 * register; a request decided otherwise than declared is in the difference.
 */
export function buildMatrices(parties: Parties, cell: string, register: RegisterFlow[]): { intended: AccessMatrix; enforced: AccessMatrix } {
  const { sim } = parties;
  const present = new Set(sim.model.cells.filter(c => c.environments.includes(sim.environment)).map(c => c.ref));
  const presentRefs = new Set(sim.model.components.filter(c => present.has(c.cell)).map(c => c.ref));
  const own = sim.model.components.filter(c => c.cell === cell && presentRefs.has(c.ref)).map(c => parties.component(c.ref).label);
  const intended: Access[] = [];
  for (const g of sim.model.grants) {
    if (!presentRefs.has(g.callee) || (g.caller.kind === 'component' && !presentRefs.has(g.caller.ref))) continue;
    const from = g.caller.kind === 'gateway' ? parties.of({ kind: 'gateway' }) : parties.component(g.caller.ref);
    const to = parties.component(g.callee);
    if (to.cell !== cell && parties.cellOf(from) !== cell) continue;
    const endpoint = parties.endpoint(g.callee, g.endpoint);
    intended.push({ from: from.label, to: to.label, endpoint: `${endpoint.port}/${endpoint.protocol}` });
  }
  const enforced = register.map(r => ({ from: r.from.label, to: r.to.label, endpoint: `${r.port}/${r.protocol}` }));
  const ownSet = new Set(own);
  const rank = (label: string) => {
    if (ownSet.has(label)) return 0;
    if (label === 'gateway') return 2;
    return label.startsWith('rogue:') ? 3 : 1;
  };
  const order = (labels: string[]) => [...new Set(labels)].sort((a, b) => rank(a) - rank(b) || compare(a, b));
  const all = [...intended, ...enforced];
  const callers = order([...own, ...all.map(a => a.from), `rogue:${parties.cellName(cell)}`]);
  const callees = order([...own, ...all.map(a => a.to)]);
  return {
    intended: { callers, callees, entries: entriesOf(intended, callers, callees) },
    enforced: { callers, callees, entries: entriesOf(enforced, callers, callees) },
  };
}
