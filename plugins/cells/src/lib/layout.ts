import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { createLayoutWorker } from './createLayoutWorker';
import type { CallEdge, CellsNode } from './graph';

/** Room for the cell's header (title and state) above its components. */
const CELL_PADDING = '[top=56,left=20,bottom=20,right=20]';

const layoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.layered.spacing.nodeNodeBetweenLayers': '80',
  'elk.spacing.nodeNode': '40',
  'elk.edgeRouting': 'POLYLINE',
};

let mainThreadEngine: InstanceType<typeof ELK> | undefined;

/** Where the last layout ran, for the page (and the e2e test) to show. */
export let lastLayoutThread: 'worker' | 'main-thread' = 'main-thread';

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
 * Lays out cells and their components with ELK's layered algorithm. Child
 * positions come back relative to their cell, as xyflow's `parentId` wants,
 * and expanded cells get the size ELK gave them. Node order is kept (parents
 * before children).
 */
export async function layoutGraph(nodes: CellsNode[], edges: CallEdge[]): Promise<CellsNode[]> {
  const children = new Map<string, ElkNode[]>();
  const root: ElkNode[] = [];
  for (const node of nodes) {
    const expandedCell = node.type === 'cell' && node.data.kind === 'cell' && !node.data.collapsed;
    const elkNode: ElkNode = expandedCell
      ? { id: node.id, layoutOptions: { 'elk.padding': CELL_PADDING }, children: [] }
      : { id: node.id, ...size(node) };
    if (expandedCell) children.set(node.id, elkNode.children!);
    if (node.parentId && children.has(node.parentId)) children.get(node.parentId)!.push(elkNode);
    else root.push(elkNode);
  }
  for (const [id, list] of children) {
    // ELK gives an empty compound node no size; give an empty cell room for its header.
    if (list.length === 0) {
      const cell = root.find(n => n.id === id)!;
      delete cell.children;
      cell.width = 240;
      cell.height = 96;
    }
  }
  const ids = new Set(nodes.map(n => n.id));
  const graph: ElkNode = {
    id: 'root',
    layoutOptions,
    children: root,
    edges: edges
      .filter(e => ids.has(e.source) && ids.has(e.target))
      .map(e => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const laidOut = await elkLayout(graph);
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
