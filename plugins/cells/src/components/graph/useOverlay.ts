import { useCallback, useMemo, useRef, useState } from 'react';
import type { BlastRadiusResponse, SimulateBody, SimulateResponse, TopologyResponse } from '../../api/types';
import type { CellsApi } from '../../api/CellsApi';
import { attemptEdge, blastHighlight, CallEdge, emptyHighlight, Highlight, simulationHighlight } from '../../lib/graph';

/** What is drawn over the graph: a blast radius, or a simulated request. */
export type Overlay = { kind: 'blast'; source: string; response: BlastRadiusResponse } | { kind: 'simulation'; body: SimulateBody; response: SimulateResponse };

export interface OverlayState {
  overlay?: Overlay;
  /** Why the last blast radius could not be drawn. */
  error?: string;
  /** The nodes and grants the overlay marks. */
  highlight: Highlight;
  /** Edges the overlay adds (a simulated request no grant draws). */
  extraEdges: CallEdge[];
  /** Asks the backend what a component (or a rogue pod in a cell) could reach, and draws it. */
  askBlastRadius(from: string | { rogue: string }): Promise<void>;
  /** Draws a simulation's answer (none: clears the overlay). */
  showSimulation(body: SimulateBody, response: SimulateResponse | undefined): void;
  clear(): void;
}

/**
 * The blast radius or simulated request drawn over the graph. Only the last
 * question asked is drawn: an earlier answer arriving late is dropped.
 */
export function useOverlay(api: Pick<CellsApi, 'blastRadius'>, topology: TopologyResponse, collapsed: ReadonlySet<string>): OverlayState {
  const [overlay, setOverlay] = useState<Overlay>();
  const [error, setError] = useState<string>();
  const asked = useRef(0);

  const askBlastRadius = useCallback(
    async (from: string | { rogue: string }) => {
      const question = ++asked.current;
      setError(undefined);
      try {
        const response = await api.blastRadius({ environment: topology.environment, from });
        if (question === asked.current) setOverlay({ kind: 'blast', source: typeof from === 'string' ? from : from.rogue, response });
      } catch (e) {
        if (question === asked.current) setError(`Blast radius failed: ${(e as Error).message}`);
      }
    },
    [api, topology.environment],
  );
  const showSimulation = useCallback((body: SimulateBody, response: SimulateResponse | undefined) => {
    asked.current++;
    setOverlay(response ? { kind: 'simulation', body, response } : undefined);
  }, []);
  const clear = useCallback(() => {
    asked.current++;
    setOverlay(undefined);
  }, []);

  const highlight = useMemo(() => {
    if (overlay?.kind === 'blast') return blastHighlight(overlay.source, overlay.response);
    if (overlay?.kind === 'simulation') return simulationHighlight(topology, overlay.body, overlay.response);
    return emptyHighlight();
  }, [overlay, topology]);
  const extraEdges = useMemo(() => {
    const attempt = overlay?.kind === 'simulation' ? attemptEdge(topology, overlay.body, overlay.response, collapsed) : undefined;
    return attempt ? [attempt] : [];
  }, [overlay, topology, collapsed]);

  return { overlay, error, highlight, extraEdges, askBlastRadius, showSimulation, clear };
}
