import type { TopologyResponse } from '../api/types';
import { refName } from './graph';

// A fixed locale: the page orders the same on every machine, whatever the browser's language.
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/**
 * Natural order: numbers by value (cell-2 before cell-10), letters without
 * regard to case or accents; names equal that way by code point, so the
 * order is total.
 */
export function compareNatural(a: string, b: string): number {
  const order = collator.compare(a, b);
  if (order !== 0 || a === b) return order;
  return a < b ? -1 : 1;
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = compareNatural(a[i], b[i]);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

/** A sorted copy of `items` in the natural order of `key` (a string, or strings compared in turn). */
export function sortNatural<T>(items: readonly T[], key: (item: T) => string | readonly string[] = String): T[] {
  return items
    .map(item => {
      const k = key(item);
      return { item, k: typeof k === 'string' ? [k] : k };
    })
    .sort((x, y) => compareKeys(x.k, y.k))
    .map(x => x.item);
}

/**
 * The topology with its cells in the natural order of their titles (then
 * names), and each cell's components, and the component list, in the natural
 * order of their names: the order the page lists cells in and packs them on
 * the canvas. Grants keep their order.
 */
export function inNaturalOrder(topology: TopologyResponse): TopologyResponse {
  const cells = sortNatural(topology.cells, c => [c.title, refName(c.entityRef), c.entityRef]);
  const cellIndex = new Map(cells.map((c, i) => [c.entityRef, i]));
  const components = sortNatural(topology.components, c => [c.name, c.entityRef]).sort(
    (a, b) => (cellIndex.get(a.cell) ?? cells.length) - (cellIndex.get(b.cell) ?? cells.length),
  );
  const position = new Map(components.map((c, i) => [c.entityRef, i]));
  const byPosition = (a: string, b: string) => (position.get(a) ?? Infinity) - (position.get(b) ?? Infinity) || compareNatural(a, b);
  return {
    ...topology,
    cells: cells.map(c => ({ ...c, components: [...c.components].sort(byPosition) })),
    components,
  };
}
