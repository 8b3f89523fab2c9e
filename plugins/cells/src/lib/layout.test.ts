import { layoutGraph } from './layout';
import { toGraph } from './graph';
import { testTopology } from './testTopology';

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
