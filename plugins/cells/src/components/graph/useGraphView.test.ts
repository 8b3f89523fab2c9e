import { act, renderHook, waitFor } from '@testing-library/react';
import { toGraph } from '../../lib/graph';
import { testTopology } from '../../lib/testTopology';
import type { LaidOutGraph } from './useGraphLayout';
import { useGraphView } from './useGraphView';

const laidOut = (options: Parameters<typeof toGraph>[1] = {}): LaidOutGraph => ({
  ...toGraph(testTopology(), options),
  thread: 'main-thread',
  mode: 'layered',
  key: JSON.stringify(options),
});

type Props = { laidOut?: LaidOutGraph; current: boolean; filters: string };

function renderView(initialProps: Props) {
  const flow = { fitView: jest.fn(async () => true) };
  const hook = renderHook((props: Props) => useGraphView({ flow, ...props }), { initialProps });
  return { flow, ...hook };
}

describe('useGraphView', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it("fits the first layout's view once, and later layouts keep the user's view", () => {
    const { result, rerender, flow } = renderView({ current: false, filters: '|' });
    expect(result.current.initialFit).toBeUndefined();
    rerender({ laidOut: laidOut(), current: true, filters: '|' });
    const first = result.current.initialFit;
    expect(first).toEqual({ maxZoom: 1, padding: 0.1 });
    rerender({ laidOut: laidOut({ collapsed: new Set(['system:default/houston']) }), current: true, filters: '|' });
    expect(result.current.initialFit).toBe(first);
    expect(flow.fitView).not.toHaveBeenCalled();
  });

  it('fits the view again after a filter changes, once the layout of the filtered graph is drawn', () => {
    const { rerender, flow } = renderView({ laidOut: laidOut(), current: true, filters: '|' });
    rerender({ laidOut: laidOut(), current: false, filters: '|system:default/orion' });
    expect(flow.fitView).not.toHaveBeenCalled();
    rerender({ laidOut: laidOut({ cell: 'system:default/orion' }), current: true, filters: '|system:default/orion' });
    expect(flow.fitView).toHaveBeenCalledTimes(1);
    expect(flow.fitView).toHaveBeenCalledWith({ maxZoom: 1, padding: 0.1 });
    rerender({ laidOut: laidOut({ cell: 'system:default/orion' }), current: true, filters: '|system:default/orion' });
    expect(flow.fitView).toHaveBeenCalledTimes(1);
  });

  it('zooms to a node once a layout containing it is drawn, then focuses it', async () => {
    const element = document.createElement('div');
    element.className = 'react-flow__node';
    element.setAttribute('data-id', 'component:default/capcom');
    element.tabIndex = 0;
    document.body.append(element);
    const collapsed = laidOut({ collapsed: new Set(['system:default/houston']) });
    const { result, rerender, flow } = renderView({ laidOut: collapsed, current: true, filters: '|' });
    act(() => result.current.focusOn('component:default/capcom'));
    // Its cell is still collapsed in the layout drawn: nothing to zoom to yet.
    expect(flow.fitView).not.toHaveBeenCalled();
    rerender({ laidOut: laidOut(), current: true, filters: '|' });
    expect(flow.fitView).toHaveBeenCalledWith({ nodes: [{ id: 'component:default/capcom' }], duration: 400, maxZoom: 1.2 });
    await waitFor(() => expect(document.activeElement).toBe(element));
    // Once: a later layout does not zoom again.
    rerender({ laidOut: laidOut(), current: true, filters: '|' });
    expect(flow.fitView).toHaveBeenCalledTimes(1);
  });

  it('says when the view is zoomed out past readable labels', () => {
    const { result } = renderView({ laidOut: laidOut(), current: true, filters: '|' });
    expect(result.current.zoomedOut).toBe(false);
    act(() => result.current.onMove(undefined, { x: 0, y: 0, zoom: 0.3 }));
    expect(result.current.zoomedOut).toBe(true);
    act(() => result.current.onMove(undefined, { x: 0, y: 0, zoom: 0.5 }));
    expect(result.current.zoomedOut).toBe(false);
  });
});
