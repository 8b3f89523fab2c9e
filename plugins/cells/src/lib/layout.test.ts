import { keepPositions, lastLayoutMode, layoutGraph, layoutModeFor, structureKey } from './layout';
import { CellsNode, toGraph } from './graph';
import { largeTopology, testTopology } from './testTopology';

describe('layoutGraph', () => {
  it('places components inside their cells, relative to the cell, keeping parents first', async () => {
    const { nodes, edges } = toGraph(testTopology());
    const laidOut = await layoutGraph(nodes, edges);
    expect(laidOut.map(n => n.id)).toEqual(nodes.map(n => n.id));
    const houston = laidOut.find(n => n.id === 'system:default/houston')!;
    expect(houston.width).toBeGreaterThan(220);
    for (const child of laidOut.filter(n => n.parentId === houston.id)) {
      expect(child.position.x).toBeGreaterThanOrEqual(0);
      expect(child.position.y).toBeGreaterThanOrEqual(40);
      expect(child.position.x + 220).toBeLessThanOrEqual(houston.width!);
      expect(child.position.y + 96).toBeLessThanOrEqual(houston.height!);
    }
    const [capcom, director] = laidOut.filter(n => n.parentId === houston.id);
    expect(capcom.position).not.toEqual(director.position);
  });

  it('lays out collapsed cells as plain nodes', async () => {
    const { nodes, edges } = toGraph(testTopology(), { collapsed: new Set(['system:default/houston', 'system:default/orion']) });
    const laidOut = await layoutGraph(nodes, edges);
    const positions = laidOut.map(n => `${n.position.x},${n.position.y}`);
    expect(new Set(positions).size).toBe(laidOut.length);
  });
});

describe('layoutGraph on a large catalog', () => {
  const overlaps = (a: CellsNode, b: CellsNode) =>
    a.position.x < b.position.x + b.width! &&
    b.position.x < a.position.x + a.width! &&
    a.position.y < b.position.y + b.height! &&
    b.position.y < a.position.y + a.height!;

  it('packs the cells in rows, in order, and lays out an expanded cell inside it', async () => {
    const topology = largeTopology(160);
    const collapsed = new Set(topology.cells.map(c => c.entityRef));
    collapsed.delete('system:default/cell-3');
    const { nodes, edges } = toGraph(topology, { collapsed });
    expect(layoutModeFor(nodes.length, edges.length)).toBe('packed');
    const laidOut = await layoutGraph(nodes, edges);
    expect(lastLayoutMode).toBe('packed');
    expect(laidOut.map(n => n.id)).toEqual(nodes.map(n => n.id));
    const top = laidOut.filter(n => !n.parentId);
    for (let i = 0; i < top.length; i++) for (let j = i + 1; j < top.length; j++) expect(overlaps(top[i], top[j])).toBe(false);
    const [first, second] = top;
    expect(first.id).toBe('system:default/cell-0');
    expect(second.position.y).toBe(first.position.y);
    expect(second.position.x).toBeGreaterThan(first.position.x);
    const cell = laidOut.find(n => n.id === 'system:default/cell-3')!;
    const children = laidOut.filter(n => n.parentId === cell.id);
    expect(children).toHaveLength(10);
    for (const child of children) {
      expect(child.position.y).toBeGreaterThanOrEqual(40);
      expect(child.position.x + child.width!).toBeLessThanOrEqual(cell.width!);
      expect(child.position.y + child.height!).toBeLessThanOrEqual(cell.height!);
    }
    for (let i = 0; i < children.length; i++) for (let j = i + 1; j < children.length; j++) expect(overlaps(children[i], children[j])).toBe(false);
  });

  it('lays out small graphs layered', () => {
    expect(layoutModeFor(24, 40)).toBe('layered');
    expect(layoutModeFor(151, 40)).toBe('packed');
    expect(layoutModeFor(60, 201)).toBe('packed');
  });
});

describe('structureKey and keepPositions', () => {
  it('keep a layout when only states change, not when a cell collapses', async () => {
    const { nodes, edges } = toGraph(testTopology());
    const laidOut = await layoutGraph(nodes, edges);
    const refreshed = testTopology();
    refreshed.cells[0].state = 'pending';
    const again = toGraph(refreshed);
    expect(structureKey(again.nodes, again.edges)).toBe(structureKey(nodes, edges));
    const kept = keepPositions(again.nodes, laidOut);
    expect(kept.map(n => n.position)).toEqual(laidOut.map(n => n.position));
    expect(kept.find(n => n.id === 'system:default/houston')?.data).toMatchObject({ cell: { state: 'pending' } });
    const collapsed = toGraph(testTopology(), { collapsed: new Set(['system:default/houston']) });
    expect(structureKey(collapsed.nodes, collapsed.edges)).not.toBe(structureKey(nodes, edges));
  });
});
