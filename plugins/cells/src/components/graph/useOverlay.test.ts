import { act, renderHook } from '@testing-library/react';
import type { BlastRadiusResponse, SimulateBody, SimulateResponse } from '../../api/types';
import { testTopology } from '../../lib/testTopology';
import { useOverlay } from './useOverlay';

const capcom = 'component:default/capcom';
const comms = 'component:default/comms-system';
const topology = testTopology();
const none = new Set<string>();

const blast = (from: string): BlastRadiusResponse => ({
  environment: 'dev',
  from,
  reaches: [{ component: comms, endpoint: 'api', port: 8080, methods: ['POST'], paths: ['/uplink'] }],
  reachedBy: [],
  egress: [],
});

/** A blastRadius whose answers the test gives by hand, in any order. */
function manualApi() {
  const pending = new Map<string, { resolve(r: BlastRadiusResponse): void; reject(e: Error): void }>();
  const blastRadius = jest.fn(
    ({ from }: { environment: string; from: string | { rogue: string } }) =>
      new Promise<BlastRadiusResponse>((resolve, reject) => pending.set(typeof from === 'string' ? from : `rogue:${from.rogue}`, { resolve, reject })),
  );
  return { api: { blastRadius }, pending };
}

describe('useOverlay', () => {
  it('draws a blast radius: the source, what it reaches, and the grants to them', async () => {
    const { api, pending } = manualApi();
    const { result } = renderHook(() => useOverlay(api, topology, none));
    expect(result.current.highlight.nodes.size).toBe(0);
    let asked: Promise<void>;
    act(() => {
      asked = result.current.askBlastRadius(capcom);
    });
    expect(api.blastRadius).toHaveBeenCalledWith({ environment: 'dev', from: capcom });
    await act(async () => {
      pending.get(capcom)!.resolve(blast(capcom));
      await asked;
    });
    expect(result.current.overlay).toMatchObject({ kind: 'blast', source: capcom });
    expect([...result.current.highlight.nodes]).toEqual([
      [capcom, 'source'],
      [comms, 'reaches'],
    ]);
    expect([...result.current.highlight.grants]).toEqual([[`${capcom}->${comms}`, 'reaches']]);
    act(() => result.current.clear());
    expect(result.current.overlay).toBeUndefined();
    expect(result.current.highlight.nodes.size).toBe(0);
  });

  it('draws only the last question asked: an earlier answer arriving late is dropped', async () => {
    const { api, pending } = manualApi();
    const { result } = renderHook(() => useOverlay(api, topology, none));
    act(() => {
      result.current.askBlastRadius(capcom);
      result.current.askBlastRadius({ rogue: 'orion' });
    });
    await act(async () => pending.get('rogue:orion')!.resolve({ ...blast('rogue:orion'), reaches: [] }));
    await act(async () => pending.get(capcom)!.resolve(blast(capcom)));
    expect(result.current.overlay).toMatchObject({ kind: 'blast', source: 'orion' });
  });

  it('says why a blast radius failed, and clears the message on the next question', async () => {
    const { api, pending } = manualApi();
    const { result } = renderHook(() => useOverlay(api, topology, none));
    act(() => {
      result.current.askBlastRadius(capcom);
    });
    await act(async () => pending.get(capcom)!.reject(new Error('503 Service Unavailable')));
    expect(result.current.error).toBe('Blast radius failed: 503 Service Unavailable');
    act(() => {
      result.current.askBlastRadius(capcom);
    });
    expect(result.current.error).toBeUndefined();
  });

  it('draws a denied simulation on the target, with a dashed edge from a rogue pod, on its collapsed cell when hidden', () => {
    const { api } = manualApi();
    const { result, rerender } = renderHook(({ collapsed }) => useOverlay(api, topology, collapsed), { initialProps: { collapsed: none } });
    const body: SimulateBody = { from: { rogue: 'houston' }, to: 'orion/comms-system', method: 'POST', path: '/uplink' };
    const response: SimulateResponse = { allowed: false, decidedBy: 'L7', explanation: 'denied at L7', layers: [], hops: [] };
    act(() => result.current.showSimulation(body, response));
    expect(result.current.highlight.nodes.get(comms)).toBe('denied');
    expect(result.current.extraEdges.map(e => [e.source, e.target, e.label])).toEqual([['system:default/houston', comms, 'denied at L7: POST /uplink']]);
    rerender({ collapsed: new Set(['system:default/orion']) });
    expect(result.current.extraEdges.map(e => e.target)).toEqual(['system:default/orion']);
    act(() => result.current.showSimulation(body, undefined));
    expect(result.current.overlay).toBeUndefined();
    expect(result.current.extraEdges).toEqual([]);
  });
});
