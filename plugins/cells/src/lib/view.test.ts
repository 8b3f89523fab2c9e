import { emptyHighlight, Highlight, toGraph } from './graph';
import { largeTopology, testTopology } from './testTopology';
import { arrowTarget, drawnGraph, initialView } from './view';

const capcom = 'component:default/capcom';
const comms = 'component:default/comms-system';
const houston = 'system:default/houston';

describe('initialView', () => {
  it('fits a layered graph whole', () => {
    expect(initialView(toGraph(testTopology()).nodes, 'layered')).toEqual({ maxZoom: 1, padding: 0.1 });
  });

  it('opens a packed graph on the cells of its first screen at a readable zoom', () => {
    const nodes = toGraph(largeTopology(40), { collapsed: new Set(largeTopology(40).cells.map(c => c.entityRef)) }).nodes.map((n, i) => ({
      ...n,
      position: { x: (i % 10) * 300, y: Math.floor(i / 10) * 150 },
    }));
    const view = initialView(nodes, 'packed', { width: 1200, height: 600 });
    // 1200 / 0.75 = 1600 px across (x < 1600: 6 columns), 600 / 0.75 = 800 px down (y < 800: 6 rows of 4 filled).
    expect(view.nodes).toHaveLength(24);
    expect(view.nodes![0]).toEqual({ id: 'system:default/cell-0' });
    expect(view.padding).toBe(0.02);
  });
});

describe('drawnGraph', () => {
  const base = (highlight: Highlight = emptyHighlight(), more: Partial<Parameters<typeof drawnGraph>[0]> = {}) => {
    const topology = testTopology();
    return drawnGraph({
      topology,
      laidOut: { ...toGraph(topology), mode: 'layered' },
      highlight,
      collapsed: new Set(),
      selected: '',
      zoomedOut: false,
      markColour: mark => `colour-of-${mark}`,
      ...more,
    });
  };

  it('marks the selected node, or its collapsed cell when it is hidden', () => {
    expect(
      base(undefined, { selected: capcom })
        .nodes.filter(n => n.selected)
        .map(n => n.id),
    ).toEqual([capcom]);
    const topology = testTopology();
    const collapsed = new Set([houston]);
    const drawn = drawnGraph({
      topology,
      laidOut: { ...toGraph(topology, { collapsed }), mode: 'layered' },
      highlight: emptyHighlight(),
      collapsed,
      selected: capcom,
      zoomedOut: false,
      markColour: () => undefined,
    });
    expect(drawn.nodes.filter(n => n.selected).map(n => n.id)).toEqual([houston]);
  });

  it('strokes marked edges in their colour, and drops unmarked labels when zoomed out', () => {
    const highlight = emptyHighlight();
    highlight.grants.set(`${capcom}->${comms}`, 'reaches');
    const drawn = base(highlight, { zoomedOut: true });
    const marked = drawn.edges.find(e => e.id === `${capcom}->${comms}`)!;
    expect(marked.style).toMatchObject({ stroke: 'colour-of-reaches', strokeWidth: 3 });
    expect(marked.label).toBe('POST /uplink');
    expect(drawn.edges.filter(e => e !== marked).every(e => e.label === undefined)).toBe(true);
    expect(base(highlight).edges.every(e => e.label !== undefined)).toBe(true);
  });

  it('draws packed edges straight, labelled only around the selected node', () => {
    const drawn = base(undefined, { laidOut: { ...toGraph(testTopology()), mode: 'packed' }, selected: comms });
    expect(drawn.edges.every(e => e.type === 'straight' && e.interactionWidth === 0)).toBe(true);
    expect(drawn.edges.filter(e => e.label !== undefined).map(e => e.id)).toEqual([`${capcom}->${comms}`, `component:default/flight-director->${comms}`]);
  });

  it('adds the extra edges of an overlay', () => {
    const extra = { id: 'simulated:a->b', source: 'a', target: 'b', data: { grants: [], label: 'x', detail: 'x', mark: 'denied' as const } };
    expect(base(undefined, { extraEdges: [extra] }).edges.map(e => e.id)).toContain('simulated:a->b');
  });
});

describe('arrowTarget', () => {
  const order = ['a', 'b', 'c'];
  it.each([
    ['b', 'ArrowRight', 'c'],
    ['b', 'ArrowDown', 'c'],
    ['b', 'ArrowLeft', 'a'],
    ['b', 'ArrowUp', 'a'],
    ['c', 'ArrowRight', 'a'],
    ['a', 'ArrowLeft', 'c'],
    ['', 'ArrowRight', 'a'],
    ['', 'ArrowLeft', 'c'],
    ['b', 'Enter', undefined],
    ['b', 'Tab', undefined],
  ])('from %p, %s goes to %p', (from, key, expected) => {
    expect(arrowTarget(order, from, key)).toBe(expected);
  });

  it('goes nowhere in an empty graph', () => {
    expect(arrowTarget([], '', 'ArrowRight')).toBeUndefined();
  });
});
