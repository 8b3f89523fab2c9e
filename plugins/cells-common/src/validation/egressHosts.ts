import { CellComponent, CellProblem } from '../model/types';

/**
 * One ServiceEntry serves a host for every cell (ztunnel ignores exportTo,
 * docs/egress.md), so a port of a host has one protocol catalog-wide. The
 * first declaration (components in ref order) keeps it; a later entry that
 * declares another protocol for that port is refused, never merged.
 * `components` must be sorted by ref; refused entries are removed from them.
 */
export function checkSharedHosts(components: CellComponent[]): CellProblem[] {
  const first = new Map<string, { protocol: string; ref: string }>();
  const problems: CellProblem[] = [];
  for (const component of components) {
    if (!component.egress) continue;
    const kept = component.egress.filter(entry => {
      if (entry.kind !== 'host') return true;
      for (const port of entry.ports) {
        const key = `${entry.host}:${port}`;
        const holder = first.get(key);
        if (holder && holder.protocol !== entry.protocol) {
          problems.push({
            entityRef: component.ref,
            field: `${entry.field}.protocol`,
            message: `${key} is declared ${holder.protocol} by ${holder.ref}, and one host port has one protocol in the whole catalog`,
            fix: `declare ${key} as ${holder.protocol}, or agree on a protocol with the owners of ${holder.ref}`,
            holds: component.cell,
          });
          return false;
        }
      }
      entry.ports.forEach(port => first.set(`${entry.host}:${port}`, first.get(`${entry.host}:${port}`) ?? { protocol: entry.protocol, ref: component.ref }));
      return true;
    });
    if (kept.length) component.egress = kept;
    else delete component.egress;
  }
  return problems;
}
