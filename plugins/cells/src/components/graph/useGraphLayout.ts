import { useEffect, useMemo, useState } from 'react';
import type { CallEdge, CellsNode } from '../../lib/graph';
import { keepPositions, lastLayoutThread, layoutGraph, LayoutMode, layoutModeFor, structureKey } from '../../lib/layout';
import { mark } from '../../lib/marks';

export interface LaidOutGraph {
  nodes: CellsNode[];
  edges: CallEdge[];
  /** Where the layout ran ('worker' or 'main-thread'), for the page (and the e2e test) to show. */
  thread: string;
  mode: LayoutMode;
  /** The structure laid out (structureKey). */
  key: string;
}

/**
 * The graph laid out. A new structure (nodes, their cells, collapsed cells,
 * calls) lays out again, in the background: the last layout stays until the
 * new one is done, and a layout overtaken by a newer graph is dropped. The
 * same structure with new data (fresh states) keeps the positions it had.
 * `current` is false while the layout shown is of an older structure.
 */
export function useGraphLayout(
  graph: { nodes: CellsNode[]; edges: CallEdge[] },
  layout: (nodes: CellsNode[], edges: CallEdge[]) => Promise<CellsNode[]> = layoutGraph,
): { laidOut?: LaidOutGraph; current: boolean } {
  const [laidOut, setLaidOut] = useState<LaidOutGraph>();
  const key = useMemo(() => structureKey(graph.nodes, graph.edges), [graph]);
  useEffect(() => {
    if (laidOut?.key === key) {
      setLaidOut({ ...laidOut, nodes: keepPositions(graph.nodes, laidOut.nodes), edges: graph.edges });
      return undefined;
    }
    let current = true;
    mark('layout-started');
    layout(graph.nodes, graph.edges).then(nodes => {
      mark('layout-done');
      if (current) setLaidOut({ nodes, edges: graph.edges, thread: lastLayoutThread, mode: layoutModeFor(graph.nodes.length, graph.edges.length), key });
    });
    return () => {
      current = false;
    };
    // laidOut is read, not a trigger: only a new graph lays out again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [graph]);
  return { laidOut, current: laidOut?.key === key };
}
