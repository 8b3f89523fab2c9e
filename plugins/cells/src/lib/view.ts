import type { TopologyResponse } from '../api/types';
import { applyHighlight, CallEdge, CellsNode, Highlight, Mark, nodeFor } from './graph';
import type { LayoutMode } from './layout';

/**
 * Below this zoom edges lose their labels (unreadable there, and measuring
 * and painting hundreds of them is most of a large graph's cost); highlighted
 * edges keep theirs, and every edge keeps its aria-label.
 */
export const LABEL_MIN_ZOOM = 0.5;

/** The zoom a large graph opens at: names and states readable. */
const READABLE_ZOOM = 0.75;

/**
 * Where the page opens: the whole graph, or for a packed (large) graph the
 * first screenful of cells at a readable zoom; the minimap and "fit view"
 * show the rest. Fitting 500 cells would render every node and edge at a
 * zoom where nothing can be read.
 */
export function initialView(nodes: CellsNode[], mode: LayoutMode | undefined, canvas = { width: 1200, height: 800 }) {
  if (mode !== 'packed') return { maxZoom: 1, padding: 0.1 };
  const top = nodes.filter(n => !n.parentId);
  const x0 = Math.min(...top.map(n => n.position.x));
  const y0 = Math.min(...top.map(n => n.position.y));
  const first = top.filter(n => n.position.x < x0 + canvas.width / READABLE_ZOOM && n.position.y < y0 + canvas.height / READABLE_ZOOM);
  return { maxZoom: 1, padding: 0.02, nodes: (first.length ? first : top.slice(0, 1)).map(n => ({ id: n.id })) };
}

export interface DrawnGraphInput {
  topology: TopologyResponse;
  laidOut: { nodes: CellsNode[]; edges: CallEdge[]; mode: LayoutMode };
  highlight: Highlight;
  /** Edges no grant draws (a simulated attempt). */
  extraEdges?: CallEdge[];
  collapsed: ReadonlySet<string>;
  /** The selected cell or component ref ('' for none). */
  selected: string;
  zoomedOut: boolean;
  /** The stroke of a marked edge (the theme's colour of its mark). */
  markColour(mark: Mark): string | undefined;
}

/**
 * What xyflow draws: the laid-out graph with the overlay's marks, the
 * selected node (its collapsed cell if it is hidden) and edge labels as the
 * zoom and layout allow.
 */
export function drawnGraph({ topology, laidOut, highlight, extraEdges = [], collapsed, selected, zoomedOut, markColour }: DrawnGraphInput): {
  nodes: CellsNode[];
  edges: CallEdge[];
} {
  const marked = applyHighlight(topology, laidOut, highlight, collapsed, extraEdges);
  const selectedNode = selected ? nodeFor(topology, selected, collapsed) : '';
  return {
    nodes: marked.nodes.map(n => (n.id === selectedNode ? { ...n, selected: true } : n)),
    edges: marked.edges.map(e => {
      if (e.data?.mark) return { ...e, style: { ...e.style, stroke: markColour(e.data.mark), strokeWidth: 3 } };
      if (laidOut.mode === 'packed') {
        // Hundreds of long calls between packed cells: straight lines without a hover path, labelled
        // only around the selected node (stacked labels there are noise, and most of a pan's painting).
        const around = selectedNode !== '' && (e.source === selectedNode || e.target === selectedNode);
        return { ...e, type: 'straight', interactionWidth: 0, label: around && !zoomedOut ? e.label : undefined };
      }
      return zoomedOut ? { ...e, label: undefined } : e;
    }),
  };
}

const ARROW_STEPS: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/**
 * The node an arrow key moves to: the next (right, down) or previous (left,
 * up) in reading order, wrapping around; from nowhere, the first or last.
 * Undefined for any other key or an empty graph.
 */
export function arrowTarget(order: readonly string[], from: string, key: string): string | undefined {
  const step = ARROW_STEPS[key];
  if (step === undefined || order.length === 0) return undefined;
  const index = order.indexOf(from);
  if (index < 0) return step > 0 ? order[0] : order[order.length - 1];
  return order[(index + step + order.length) % order.length];
}
