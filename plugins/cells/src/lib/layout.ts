import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { createLayoutWorker } from './createLayoutWorker';
import type { CallEdge, CellsNode } from './graph';

/** Room for the cell's header (title and state) above its components. */
const CELL_PADDING = '[top=56,left=20,bottom=20,right=20]';

const layeredOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.layered.spacing.nodeNodeBetweenLayers': '80',
  'elk.spacing.nodeNode': '40',
  'elk.edgeRouting': 'POLYLINE',
};

/**
 * ELK's layered layout grows much faster than linearly with calls between
 * cells: 60 nodes and 170 edges take under a second, 100 collapsed cells with
 * 400 edges over ten (500 cells: a minute). Past these sizes the cells are
 * packed into rows instead (ELK's box layout, milliseconds), each expanded
 * cell's components still layered inside it; xyflow draws the edges either way.
 */
export const LAYERED_MAX_NODES = 150;
export const LAYERED_MAX_EDGES = 200;

/** Cells packed in rows, in their order (box reads its ratio loosely: 3.5 gives about 1.5 wide to 1 high). */
const packedOptions = {
  'elk.algorithm': 'box',
  'elk.box.packingMode': 'SIMPLE',
  'elk.aspectRatio': '3.5',
  'elk.spacing.nodeNode': '60',
  'elk.padding': '[top=20,left=20,bottom=20,right=20]',
};

/** Inside a packed cell: a long chain of calls wraps into rows instead of one very wide row. */
const wrapOptions = { 'elk.layered.wrapping.strategy': 'MULTI_EDGE', 'elk.aspectRatio': '1.6' };

export type LayoutMode = 'layered' | 'packed';

export function layoutModeFor(nodes: number, edges: number): LayoutMode {
  return nodes > LAYERED_MAX_NODES || edges > LAYERED_MAX_EDGES ? 'packed' : 'layered';
}

let mainThreadEngine: InstanceType<typeof ELK> | undefined;

/** Where the last layout ran, for the page (and the e2e test) to show. */
export let lastLayoutThread: 'worker' | 'main-thread' = 'main-thread';
/** How the last layout placed the cells, for the page (and the benchmark) to show. */
export let lastLayoutMode: LayoutMode = 'layered';

type Pending = { resolve(graph: ElkNode): void; reject(error: Error): void };
let worker: { instance: Worker; pending: Map<number, Pending>; next: number } | undefined | null;

function layoutWorker() {
  if (worker !== undefined) return worker;
  try {
    const instance = createLayoutWorker();
    const pending = new Map<number, Pending>();
    instance.onmessage = (event: MessageEvent<{ id: number; graph?: ElkNode; error?: string }>) => {
      const waiting = pending.get(event.data.id);
      pending.delete(event.data.id);
      if (event.data.graph) waiting?.resolve(event.data.graph);
      else waiting?.reject(new Error(event.data.error ?? 'layout failed'));
    };
    instance.onerror = () => {
      // A worker that cannot load (e.g. blocked by CSP) hands every pending layout back to the main thread.
      for (const waiting of pending.values()) waiting.reject(new Error('layout worker failed'));
      pending.clear();
      worker = null;
    };
    worker = { instance, pending, next: 1 };
  } catch {
    worker = null;
  }
  return worker;
}

/**
 * Starts the layout worker ahead of the first layout (the page calls it while
 * the topology loads): loading the worker and starting ELK in it take a few
 * hundred milliseconds that would otherwise come after the answer.
 */
export function warmLayoutWorker(): void {
  const w = layoutWorker();
  // A layout no one waits for: its answer has no pending entry and is dropped.
  w?.instance.postMessage({ id: 0, graph: { id: 'warm-up', children: [{ id: 'a', width: 10, height: 10 }] } });
}

/** Lays out in the Web Worker when there is one, else (or if it fails) on this thread with elk.bundled. */
async function elkLayout(graph: ElkNode): Promise<ElkNode> {
  const w = layoutWorker();
  if (w) {
    try {
      const id = w.next++;
      const result = await new Promise<ElkNode>((resolve, reject) => {
        w.pending.set(id, { resolve, reject });
        w.instance.postMessage({ id, graph });
      });
      lastLayoutThread = 'worker';
      return result;
    } catch {
      // fall through to the main thread
    }
  }
  mainThreadEngine ??= new ELK();
  lastLayoutThread = 'main-thread';
  return mainThreadEngine.layout(graph);
}

function size(node: CellsNode): { width: number; height: number } {
  return { width: node.width ?? node.measured?.width ?? 200, height: node.height ?? node.measured?.height ?? 80 };
}

/**
 * Lays out cells and their components with ELK: layered, or packed past
 * LAYERED_MAX_NODES / LAYERED_MAX_EDGES. Child positions come back relative
 * to their cell, as xyflow's `parentId` wants, and expanded cells get the
 * size ELK gave them. Node order is kept (parents before children).
 */
export async function layoutGraph(nodes: CellsNode[], edges: CallEdge[]): Promise<CellsNode[]> {
  const mode = layoutModeFor(nodes.length, edges.length);
  const children = new Map<string, ElkNode[]>();
  const root: ElkNode[] = [];
  for (const node of nodes) {
    const expandedCell = node.type === 'cell' && node.data.kind === 'cell' && !node.data.collapsed;
    const cellOptions = mode === 'packed' ? { ...layeredOptions, ...wrapOptions, 'elk.padding': CELL_PADDING } : { 'elk.padding': CELL_PADDING };
    const elkNode: ElkNode = expandedCell ? { id: node.id, layoutOptions: cellOptions, children: [], edges: [] } : { id: node.id, ...size(node) };
    if (expandedCell) children.set(node.id, elkNode.children!);
    if (node.parentId && children.has(node.parentId)) children.get(node.parentId)!.push(elkNode);
    else root.push(elkNode);
  }
  const rootById = new Map(root.map(n => [n.id, n]));
  for (const [id, list] of children) {
    // ELK gives an empty compound node no size; give an empty cell room for its header.
    if (list.length === 0) {
      const cell = rootById.get(id)!;
      delete cell.children;
      delete cell.edges;
      cell.width = 240;
      cell.height = 96;
    }
  }
  const ids = new Set(nodes.map(n => n.id));
  const drawn = edges.filter(e => ids.has(e.source) && ids.has(e.target)).map(e => ({ id: e.id, sources: [e.source], targets: [e.target] }));
  let graph: ElkNode;
  if (mode === 'layered') {
    graph = { id: 'root', layoutOptions: { ...layeredOptions, 'elk.hierarchyHandling': 'INCLUDE_CHILDREN' }, children: root, edges: drawn };
  } else {
    // Packed: each cell lays out its own calls; calls between cells do not place anything.
    const parentOf = new Map(nodes.filter(n => n.parentId).map(n => [n.id, n.parentId!]));
    for (const edge of drawn) {
      const cell = parentOf.get(edge.sources[0]);
      if (cell && cell === parentOf.get(edge.targets[0])) rootById.get(cell)?.edges?.push(edge);
    }
    graph = { id: 'root', layoutOptions: packedOptions, children: root };
  }
  const laidOut = await elkLayout(graph);
  lastLayoutMode = mode;
  const placed = new Map<string, ElkNode>();
  const visit = (list: ElkNode[] | undefined) => {
    for (const n of list ?? []) {
      placed.set(n.id, n);
      visit(n.children);
    }
  };
  visit(laidOut.children);
  return nodes.map(node => {
    const at = placed.get(node.id);
    if (!at) return node;
    const position = { x: at.x ?? 0, y: at.y ?? 0 };
    if (node.type === 'cell' && node.data.kind === 'cell' && !node.data.collapsed) {
      return { ...node, position, width: at.width, height: at.height, style: { ...node.style, width: at.width, height: at.height } };
    }
    return { ...node, position };
  });
}

/** What a layout depends on: the nodes (with their cell and whether it is collapsed) and the calls drawn. */
export function structureKey(nodes: CellsNode[], edges: CallEdge[]): string {
  return [...nodes.map(n => `${n.id}<${n.parentId ?? ''}${n.data.kind === 'cell' && n.data.collapsed ? '*' : ''}`), ...edges.map(e => e.id)].join('\n');
}

/** New nodes (fresh states) at the positions and cell sizes of an earlier layout of the same structure. */
export function keepPositions(nodes: CellsNode[], laidOut: CellsNode[]): CellsNode[] {
  const byId = new Map(laidOut.map(n => [n.id, n]));
  return nodes.map(n => {
    const at = byId.get(n.id);
    return at ? { ...n, position: at.position, width: at.width, height: at.height, style: at.style } : n;
  });
}
