import { act, renderHook, waitFor } from '@testing-library/react';
import { CallEdge, CellsNode, toGraph } from '../../lib/graph';
import { testTopology } from '../../lib/testTopology';
import { useGraphLayout } from './useGraphLayout';

/** A layout the test finishes by hand: each call waits until `finish(i)` places its nodes at x = 100 * (i + 1). */
function manualLayout() {
  const calls: { nodes: CellsNode[]; resolve(nodes: CellsNode[]): void }[] = [];
  const layout = jest.fn((nodes: CellsNode[], _edges: CallEdge[]) => new Promise<CellsNode[]>(resolve => calls.push({ nodes, resolve })));
  const finish = async (i: number) => {
    const call = calls[i];
    await act(async () => call.resolve(call.nodes.map(n => ({ ...n, position: { x: 100 * (i + 1), y: 0 } }))));
  };
  return { layout, finish };
}

const drifted = () => {
  const t = testTopology();
  t.cells[0] = { ...t.cells[0], state: 'drifted' };
  return t;
};

describe('useGraphLayout', () => {
  it('lays a graph out, and keeps the positions when only its data changes', async () => {
    const { layout, finish } = manualLayout();
    const { result, rerender } = renderHook(({ graph }) => useGraphLayout(graph, layout), { initialProps: { graph: toGraph(testTopology()) } });
    expect(result.current).toEqual({ laidOut: undefined, current: false });
    await finish(0);
    expect(result.current.current).toBe(true);
    expect(result.current.laidOut).toMatchObject({ mode: 'layered', thread: 'main-thread' });
    expect(result.current.laidOut!.nodes.every(n => n.position.x === 100)).toBe(true);

    rerender({ graph: toGraph(drifted()) });
    await waitFor(() => expect(result.current.laidOut!.nodes.find(n => n.id === 'system:default/houston')?.data).toMatchObject({ cell: { state: 'drifted' } }));
    expect(layout).toHaveBeenCalledTimes(1);
    expect(result.current.laidOut!.nodes.every(n => n.position.x === 100)).toBe(true);
  });

  it('lays out again when the structure changes, showing the last layout (not current) meanwhile', async () => {
    const { layout, finish } = manualLayout();
    const { result, rerender } = renderHook(({ graph }) => useGraphLayout(graph, layout), { initialProps: { graph: toGraph(testTopology()) } });
    await finish(0);
    rerender({ graph: toGraph(testTopology(), { collapsed: new Set(['system:default/houston']) }) });
    expect(layout).toHaveBeenCalledTimes(2);
    expect(result.current.current).toBe(false);
    expect(result.current.laidOut!.nodes.some(n => n.id === 'component:default/capcom')).toBe(true);
    await finish(1);
    expect(result.current.current).toBe(true);
    expect(result.current.laidOut!.nodes.some(n => n.id === 'component:default/capcom')).toBe(false);
  });

  it('drops a layout overtaken by a newer graph', async () => {
    const { layout, finish } = manualLayout();
    const { result, rerender } = renderHook(({ graph }) => useGraphLayout(graph, layout), { initialProps: { graph: toGraph(testTopology()) } });
    rerender({ graph: toGraph(testTopology(), { cell: 'system:default/orion' }) });
    await finish(1);
    await finish(0);
    expect(result.current.current).toBe(true);
    expect(result.current.laidOut!.nodes.map(n => n.id)).toEqual(['system:default/orion', 'component:default/comms-system']);
  });
});
