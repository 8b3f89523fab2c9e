import { compareNatural, inNaturalOrder, sortNatural } from './naturalOrder';
import { largeTopology } from './testTopology';

describe('natural order', () => {
  it('orders numbers by value, ignores case, and is total', () => {
    expect(sortNatural(['cell-10', 'cell-2', 'Cell-1', 'cell-1', 'cell-02', 'cell-100', 'alpha'])).toEqual([
      'alpha',
      'Cell-1',
      'cell-1',
      'cell-02',
      'cell-2',
      'cell-10',
      'cell-100',
    ]);
    expect(compareNatural('svc-9', 'svc-10')).toBeLessThan(0);
    expect(compareNatural('b', 'B')).not.toBe(0);
  });

  it('compares key lists in turn', () => {
    const items = [
      { t: 'x', n: 'cell-10' },
      { t: 'x', n: 'cell-9' },
      { t: 'a', n: 'cell-99' },
    ];
    expect(sortNatural(items, i => [i.t, i.n]).map(i => i.n)).toEqual(['cell-99', 'cell-9', 'cell-10']);
  });

  it('sorts a topology: cells by title, components by cell then name, each cell its components', () => {
    const topology = largeTopology(12, 11);
    topology.cells.reverse();
    topology.components.reverse();
    const sorted = inNaturalOrder(topology);
    expect(sorted.cells.slice(0, 4).map(c => c.title)).toEqual(['cell-0', 'cell-1', 'cell-2', 'cell-3']);
    expect(sorted.cells.at(-1)!.title).toBe('cell-11');
    expect(sorted.components.slice(0, 3).map(c => c.name)).toEqual(['svc-0', 'svc-1', 'svc-2']);
    expect(sorted.components.slice(9, 12).map(c => c.name)).toEqual(['svc-9', 'svc-10', 'svc-11']);
    expect(sorted.cells[1].components.slice(0, 2)).toEqual(['component:default/svc-11', 'component:default/svc-12']);
    expect(sorted.edges).toBe(topology.edges);
    // The answer it was given is left alone.
    expect(topology.cells[0].title).toBe('cell-11');
  });
});
