import type { RolloutResponse, TopologyResponse, TrafficEdge, TrafficResponse, WouldBreakCall } from '../api/types';
import { CallEdge, CallEdgeData, CellsNode, CellsNodeData, GATEWAY_ID, nodeFor, refName, shortName } from './graph';

/** What the graph draws: the declared grants, the observed calls, or both. */
export type OverlayMode = 'declared' | 'observed' | 'both';
export const OVERLAY_MODES: OverlayMode[] = ['declared', 'observed', 'both'];

/** The observed window, ending now. */
export type TrafficWindow = '1h' | '24h' | '7d';
export const TRAFFIC_WINDOWS: Record<TrafficWindow, { ms: number; words: string }> = {
  '1h': { ms: 3_600_000, words: 'the last hour' },
  '24h': { ms: 86_400_000, words: 'the last 24 hours' },
  '7d': { ms: 7 * 86_400_000, words: 'the last 7 days' },
};

export type TrafficClass = TrafficEdge['class'];

/**
 * Each class has a symbol, words and a dash pattern besides its colour, so
 * the legend and the edges read the same without colour.
 */
export const CLASS_STYLE: Record<TrafficClass, { symbol: string; words: string; dash?: string }> = {
  'declared-seen': { symbol: '✓', words: 'declared, seen' },
  'declared-unused': { symbol: '○', words: 'declared, unused', dash: '2 5' },
  'undeclared-allowed': { symbol: '!', words: 'undeclared, allowed', dash: '10 5' },
  denied: { symbol: '✗', words: 'denied', dash: '10 4 2 4' },
};
export const TRAFFIC_CLASSES = Object.keys(CLASS_STYLE) as TrafficClass[];

export function parseOverlay(value: string | null): OverlayMode {
  return OVERLAY_MODES.includes(value as OverlayMode) ? (value as OverlayMode) : 'declared';
}

export function parseWindow(value: string | null): TrafficWindow {
  return value && value in TRAFFIC_WINDOWS ? (value as TrafficWindow) : '24h';
}

/** The `since`/`until` of a window ending at `now`. */
export function windowQuery(window: TrafficWindow, now: number): { since: string; until: string } {
  return { since: new Date(now - TRAFFIC_WINDOWS[window].ms).toISOString(), until: new Date(now).toISOString() };
}

/** The cell a node id of GET /traffic belongs to: a component's, a cell's waypoint, or an unknown pod in a cell's namespace. */
export function cellOfEnd(topology: TopologyResponse, id: string): string | undefined {
  const component = topology.components.find(c => c.entityRef === id);
  if (component) return component.cell;
  if (topology.cells.some(c => c.entityRef === id)) return id;
  if (id.startsWith('workload:')) {
    const namespace = id.slice('workload:'.length).split('/')[0];
    return topology.cells.find(c => c.namespace === namespace)?.entityRef;
  }
  return undefined;
}

/**
 * The drawn node an end of an observed call lands on: a component (or its
 * collapsed cell), the gateway, a cell (its waypoint, or an unknown pod in
 * its namespace: the graph has no node per pod), or a node outside the
 * cluster that is drawn. Undefined when nothing drawn stands for it.
 */
export function observedNodeId(topology: TopologyResponse, id: string, collapsed: ReadonlySet<string>, drawn: ReadonlySet<string>): string | undefined {
  let node: string | undefined = id;
  if (topology.components.some(c => c.entityRef === id)) node = nodeFor(topology, id, collapsed);
  else if (id.startsWith('workload:')) node = cellOfEnd(topology, id);
  else if (id === 'hidden') node = undefined;
  return node && drawn.has(node) ? node : undefined;
}

/** An end of an observed call in words: `kennedy/pad-operations`, `pod debug-shell in houston`, `the gateway`. */
export function endText(topology: TopologyResponse, id: string): string {
  if (id === GATEWAY_ID) return 'the gateway';
  if (id === 'hidden') return 'a cell you may not read';
  if (id.startsWith('workload:')) {
    const [namespace, pod] = id.slice('workload:'.length).split('/');
    const cell = topology.cells.find(c => c.namespace === namespace);
    return `pod ${pod} in ${cell ? refName(cell.entityRef) : namespace}`;
  }
  if (topology.cells.some(c => c.entityRef === id)) return `${refName(id)} (its waypoint)`;
  return shortName(topology, id);
}

type Call = Pick<TrafficEdge, 'from' | 'to' | 'port' | 'protocol' | 'method' | 'path'>;

/** An observed call in words: `kennedy/pad-operations -> kennedy/launch-control HTTP GET /pad/status`. */
export function callText(topology: TopologyResponse, call: Call): string {
  const what = [call.port ? `port ${call.port}` : '', call.protocol, call.method ?? '', call.path ?? ''].filter(Boolean).join(' ');
  return `${endText(topology, call.from)} -> ${endText(topology, call.to)} ${what}`;
}

/** How often and when: `411 calls, last 2026-11-30T00:00:00.000Z`, or when an unused grant was last used. */
export function countText(edge: Pick<TrafficEdge, 'count' | 'lastSeen'>): string {
  if (edge.count === 0) return edge.lastSeen ? `not called in the window (last ${edge.lastSeen})` : 'not called in the window';
  return `${edge.count} call${edge.count === 1 ? '' : 's'}${edge.lastSeen ? `, last ${edge.lastSeen}` : ''}`;
}

export type ObservedEdgeData = CallEdgeData & { observed: TrafficEdge[]; trafficClass: TrafficClass; count: number };

/**
 * The observed calls as edges between drawn nodes, one per pair of nodes and
 * class (a collapsed cell aggregates its components' calls). Calls with an
 * end nothing drawn stands for, or inside one drawn node, are left to the
 * side panel's list.
 */
export function observedEdges(topology: TopologyResponse, traffic: TrafficResponse, collapsed: ReadonlySet<string>, drawn: ReadonlySet<string>): CallEdge[] {
  const grouped = new Map<string, TrafficEdge[]>();
  for (const edge of traffic.edges) {
    const source = observedNodeId(topology, edge.from, collapsed, drawn);
    const target = observedNodeId(topology, edge.to, collapsed, drawn);
    if (!source || !target || source === target) continue;
    const key = `observed:${edge.class}:${source}->${target}`;
    grouped.set(key, [...(grouped.get(key) ?? []), edge]);
  }
  return [...grouped.entries()].map(([id, observed]) => {
    const trafficClass = observed[0].class;
    const style = CLASS_STYLE[trafficClass];
    const [source, target] = id.slice(`observed:${trafficClass}:`.length).split('->');
    const count = observed.reduce((sum, e) => sum + e.count, 0);
    const texts = observed.map(e => `${callText(topology, e)}: ${countText(e)}`);
    const label = `${style.symbol} ${style.words}`;
    const data: ObservedEdgeData = { grants: [], label, detail: texts.join('\n'), observed, trafficClass, count };
    return { id, source, target, type: 'observed', label, data, ariaLabel: `Observed call, ${style.words}: ${texts.join('; ')}` };
  });
}

/** Would-break calls per cell ref. */
export function wouldBreakByCell(rollout: RolloutResponse | undefined): Map<string, WouldBreakCall[]> {
  return new Map((rollout?.cells ?? []).map(c => [c.entityRef, c.wouldBreak]));
}

/** Whether an observed call starts or ends at the selected node (a component, or anything in a selected cell). */
export function touches(topology: TopologyResponse, call: Pick<TrafficEdge, 'from' | 'to'>, selected: string, end: 'from' | 'to'): boolean {
  const id = call[end];
  if (id === selected) return true;
  return topology.cells.some(c => c.entityRef === selected) && cellOfEnd(topology, id) === selected;
}

/** The endpoint of a callee a call used: named by the backend, found by port, or the callee's only endpoint. */
function endpointOf(topology: TopologyResponse, to: string, call: { endpoint?: string; port?: number }): string | undefined {
  if (call.endpoint) return call.endpoint;
  const endpoints = topology.components.find(c => c.entityRef === to)?.endpoints ?? [];
  if (call.port !== undefined) return endpoints.find(e => e.port === call.port)?.name;
  return endpoints.length === 1 ? endpoints[0].name : undefined;
}

const isComponent = (topology: TopologyResponse, ref: string) => topology.components.some(c => c.entityRef === ref);

function templateLink(template: string, formData: object): string {
  return `/create/templates/default/${template}?formData=${encodeURIComponent(JSON.stringify(formData))}`;
}

/**
 * "Allow a call" prefilled from an observed call between two components:
 * the caller, the target and its endpoint, and the method and path when the
 * source saw them. Undefined when an end is not a component of the catalog.
 */
export function allowCallLink(topology: TopologyResponse, call: Call & { endpoint?: string }): string | undefined {
  if (!isComponent(topology, call.from) || !isComponent(topology, call.to)) return undefined;
  const endpoint = endpointOf(topology, call.to, call);
  const access = call.method || call.path ? { access: { methods: call.method ? [call.method] : [], paths: call.path ? [call.path] : [] } } : {};
  return templateLink('cellplane-allow-call', { from: call.from, target: { component: call.to, ...(endpoint ? { endpoint } : {}) }, ...access });
}

/** "Remove a call" prefilled from an unused grant: the caller, and the call by its target and endpoint (the picker finds the item). */
export function removeCallLink(topology: TopologyResponse, call: Call): string | undefined {
  if (!isComponent(topology, call.from) || !isComponent(topology, call.to)) return undefined;
  const endpoint = endpointOf(topology, call.to, call);
  return templateLink('cellplane-remove-call', { from: call.from, call: { to: call.to, ...(endpoint ? { endpoint } : {}) } });
}

/**
 * The drawn graph with the traffic overlay: the observed edges instead of
 * (`observed`) or beside (`both`) the declared ones (a simulated attempt
 * stays), and each cell's would-break count when the rollout is known.
 */
export function trafficView<G extends { nodes: CellsNode[]; edges: CallEdge[] }>(
  graph: G,
  mode: OverlayMode,
  observed: CallEdge[],
  wouldBreak: ReadonlyMap<string, unknown[]>,
): G {
  if (mode === 'declared') return graph;
  const nodes = graph.nodes.map(n => {
    const calls = n.data.kind === 'cell' ? wouldBreak.get(n.id) : undefined;
    return calls ? { ...n, data: { ...n.data, wouldBreak: calls.length } as CellsNodeData } : n;
  });
  const declared = mode === 'both' ? graph.edges : graph.edges.filter(e => e.id.startsWith('simulated:'));
  return { ...graph, nodes, edges: [...declared, ...observed] };
}
