import type { Edge, Node } from '@xyflow/react';
import type {
  BlastRadiusResponse,
  EgressReach,
  SimulateBody,
  SimulateResponse,
  TopologyCell,
  TopologyComponent,
  TopologyEdge,
  TopologyExternal,
  TopologyScrape,
  TopologyResponse,
} from '../api/types';
import { gatewayEdgeText } from './frontDoor';

/** The id of the external gateway's node. */
export const GATEWAY_ID = 'gateway';

/** Past this many components, cells start collapsed so the first drawing stays fast. */
export const COLLAPSE_THRESHOLD = 300;

export const COMPONENT_SIZE = { width: 220, height: 96 };
export const GATEWAY_SIZE = { width: 160, height: 56 };
export const COLLAPSED_CELL_SIZE = { width: 240, height: 96 };
export const EXTERNAL_SIZE = { width: 220, height: 72 };

/** How a node or edge is marked by blast radius or the simulator. */
export type Mark = 'source' | 'reaches' | 'reached-by' | 'path' | 'denied';

export type CellNodeData = {
  kind: 'cell';
  cell: TopologyCell;
  collapsed: boolean;
  componentCount: number;
  mark?: Mark;
  focused?: boolean;
  /** With the traffic overlay on: how many observed calls enforcing this cell would deny (GET /rollout). */
  wouldBreak?: number;
};
export type ComponentNodeData = { kind: 'component'; component: TopologyComponent; mark?: Mark; focused?: boolean };
export type GatewayNodeData = { kind: 'gateway'; mark?: Mark; focused?: boolean };
/** A host or network outside the cluster some drawn component may reach, or a platform service (`platform:<name>`). */
export type ExternalNodeData = { kind: 'external'; external: TopologyExternal; mark?: Mark; focused?: boolean };
export type CellsNodeData = CellNodeData | ComponentNodeData | GatewayNodeData | ExternalNodeData;
export type CellsNode = Node<CellsNodeData>;

export type CallEdgeData = {
  /** The grants this edge draws: one, or several when a collapsed cell aggregates them. */
  grants: TopologyEdge[];
  /** For an edge to a host or network outside the cluster: what the analyzer lets its source reach there. */
  egress?: EgressReach[];
  label: string;
  /** Every grant in words, for hover and the side panel. */
  detail: string;
  mark?: Mark;
};
export type CallEdge = Edge<CallEdgeData>;

export interface GraphFilters {
  owner?: string;
  cell?: string;
}

export interface GraphOptions extends GraphFilters {
  /** Cell entity refs drawn as a single node. */
  collapsed?: ReadonlySet<string>;
}

/** The cells that pass the owner and cell filters. */
export function visibleCells(topology: TopologyResponse, filters: GraphFilters): TopologyCell[] {
  return topology.cells.filter(c => (!filters.owner || c.owner === filters.owner) && (!filters.cell || c.entityRef === filters.cell));
}

/** Which cells start collapsed: none in a small catalog, all past the threshold. */
export function defaultCollapsed(topology: TopologyResponse, threshold = COLLAPSE_THRESHOLD): Set<string> {
  return topology.components.length > threshold ? new Set(topology.cells.map(c => c.entityRef)) : new Set();
}

const refList = (value: string) => value.split(',').filter(Boolean);

/**
 * The collapsed cells a URL asks for: `collapsed=` lists them outright;
 * `expanded=` lists the cells expanded over the default (every cell
 * collapsed, in a large catalog); neither is the default.
 */
export function collapsedFromParams(topology: TopologyResponse, params: { collapsed: string | null; expanded: string | null }): Set<string> {
  if (params.collapsed !== null) return new Set(refList(params.collapsed));
  const collapsed = defaultCollapsed(topology);
  if (params.expanded !== null) for (const ref of refList(params.expanded)) collapsed.delete(ref);
  return collapsed;
}

/**
 * The URL parameters for a set of collapsed cells: the difference from the
 * default, so a link to one expanded cell among 500 stays short.
 */
export function collapsedToParams(topology: TopologyResponse, collapsed: ReadonlySet<string>): { collapsed?: string; expanded?: string } {
  const byDefault = defaultCollapsed(topology);
  if (byDefault.size === 0) return { collapsed: [...collapsed].join(','), expanded: undefined };
  if ([...collapsed].some(ref => !byDefault.has(ref))) return { collapsed: [...collapsed].join(','), expanded: undefined };
  return { collapsed: undefined, expanded: [...byDefault].filter(ref => !collapsed.has(ref)).join(',') };
}

/**
 * The URL changes that select a node: its ref as `selected`, and when it is a
 * component of a collapsed cell, that cell expanded (in the same update:
 * separate updates in one event overwrite each other).
 */
export function selectionChanges(topology: TopologyResponse, collapsed: ReadonlySet<string>, ref: string): Record<string, string | undefined> {
  const changes: Record<string, string | undefined> = { selected: ref };
  const component = topology.components.find(c => c.entityRef === ref);
  if (component && collapsed.has(component.cell)) {
    const next = new Set(collapsed);
    next.delete(component.cell);
    Object.assign(changes, collapsedToParams(topology, next));
  }
  return changes;
}

function describeList(values: string[] | undefined, noun: string, plural: string): string {
  if (!values || values.length === 0) return `any ${noun}`;
  return values.length === 1 ? values[0] : `${values.length} ${plural}`;
}

function union(lists: (string[] | undefined)[]): string[] | undefined {
  if (lists.some(l => !l || l.length === 0)) return undefined;
  return [...new Set(lists.flatMap(l => l!))].sort();
}

/** "POST /uplink", "3 methods, 2 paths", "any method, /health", aggregated over grants. */
export function compactLabel(grants: TopologyEdge[]): string {
  const methods = union(grants.map(g => g.methods));
  const paths = union(grants.map(g => g.paths));
  const text =
    methods?.length === 1 && paths?.length === 1
      ? `${methods[0]} ${paths[0]}`
      : `${describeList(methods, 'method', 'methods')}, ${describeList(paths, 'path', 'paths')}`;
  return grants.length > 1 && new Set(grants.map(g => `${g.from} ${g.to}`)).size > 1 ? `${grants.length} calls: ${text}` : text;
}

/** One grant in words: "houston/capcom -> orion/comms-system:api POST /uplink (connection)". */
export function grantText(grant: TopologyEdge): string {
  const methods = grant.methods?.length ? grant.methods.join(',') : 'any method';
  const paths = grant.paths?.length ? grant.paths.join(',') : 'any path';
  return `${grant.from} -> ${grant.to} endpoint ${grant.endpoint}: ${methods} ${paths} (${grant.declaredBy}${grant.crossCell ? ', cross-cell' : ''})`;
}

/** A host or network in words: `api.weather.gov`, `10.20.8.0/24 except 10.20.8.0/28`. */
export function externalText(external: Pick<TopologyExternal, 'target' | 'except'>): string {
  return external.except?.length ? `${external.target} except ${external.except.join(', ')}` : external.target;
}

/** What a node outside the cells is, in words: `External host`, `External network`, `Platform service`. */
export function externalKindText(external: Pick<TopologyExternal, 'kind'>): string {
  if (external.kind === 'platform') return 'Platform service';
  return external.kind === 'host' ? 'External host' : 'External network';
}

/** A scrape in words: `platform:monitoring GET /metrics on port 9464`. */
export function scrapeText(scrape: TopologyScrape): string {
  return `${scrape.from} GET ${scrape.path} on port ${scrape.port}`;
}

/** One reach outside the cluster in words: `api.weather.gov:443 TLS`. */
export function egressText(reach: EgressReach): string {
  return `${reach.target}:${reach.port} ${reach.protocol}${reach.except?.length ? ` (except ${reach.except.join(', ')})` : ''}`;
}

/** The edges to hosts and networks outside the cluster from drawn nodes, and the nodes they lead to. */
function egressGraph(topology: TopologyResponse, drawnAs: Map<string, string>): { nodes: CellsNode[]; edges: CallEdge[] } {
  const grouped = new Map<string, EgressReach[]>();
  for (const reach of topology.egress ?? []) {
    const source = reach.from && drawnAs.get(reach.from);
    if (!source) continue;
    const key = `${source}->${reach.id}`;
    grouped.set(key, [...(grouped.get(key) ?? []), reach]);
  }
  // Scrapes run the other way: from the platform service's node into the scraped component.
  const scrapes = new Map<string, TopologyScrape[]>();
  for (const scrape of topology.scrapes ?? []) {
    const target = drawnAs.get(scrape.to);
    if (!target) continue;
    const key = `${scrape.from}->${target}`;
    scrapes.set(key, [...(scrapes.get(key) ?? []), scrape]);
  }
  const reached = new Set([...[...grouped.values()].map(list => list[0].id), ...[...scrapes.values()].map(list => list[0].from)]);
  const nodes: CellsNode[] = (topology.externals ?? [])
    .filter(e => reached.has(e.id))
    .map(external => ({
      id: external.id,
      type: 'external',
      position: { x: 0, y: 0 },
      ...EXTERNAL_SIZE,
      data: { kind: 'external', external },
      ariaLabel: `${externalKindText(external)} ${externalText(external)}`,
    }));
  const edges: CallEdge[] = [...grouped.entries()].map(([id, egress]) => {
    const label = [...new Set(egress.map(r => `${r.port} ${r.protocol}`))].join(', ');
    const texts = egress.map(r => `${r.from} -> ${egressText(r)}`);
    return {
      id,
      source: id.slice(0, id.indexOf('->')),
      target: egress[0].id,
      label,
      data: { grants: [], egress, label, detail: texts.join('\n') },
      ariaLabel: `May reach outside the cluster ${texts.join('; ')}`,
    };
  });
  for (const [id, list] of scrapes) {
    const label = [...new Set(list.map(s => `GET ${s.path}`))].join(', ');
    const texts = list.map(s => `${scrapeText(s)} of ${s.to}`);
    edges.push({
      id,
      source: list[0].from,
      target: id.slice(id.indexOf('->') + 2),
      label,
      data: { grants: [], label, detail: texts.join('\n') },
      ariaLabel: `May scrape ${texts.join('; ')}`,
    });
  }
  return { nodes, edges };
}

/**
 * The topology as xyflow nodes and edges, before layout (positions are 0).
 * Cells come before their components, as xyflow requires of parents. A
 * collapsed cell is one node; its components' edges attach to it.
 */
export function toGraph(topology: TopologyResponse, options: GraphOptions = {}): { nodes: CellsNode[]; edges: CallEdge[] } {
  const collapsed = options.collapsed ?? new Set<string>();
  const cells = visibleCells(topology, options);
  const cellRefs = new Set(cells.map(c => c.entityRef));
  const componentsByRef = new Map(topology.components.map(c => [c.entityRef, c]));
  /** Component ref -> the node that draws it (itself, or its collapsed cell). */
  const drawnAs = new Map<string, string>();
  const nodes: CellsNode[] = [];

  for (const cell of cells) {
    const isCollapsed = collapsed.has(cell.entityRef);
    nodes.push({
      id: cell.entityRef,
      type: 'cell',
      position: { x: 0, y: 0 },
      data: { kind: 'cell', cell, collapsed: isCollapsed, componentCount: cell.components.length },
      ...(isCollapsed ? COLLAPSED_CELL_SIZE : {}),
      ariaLabel: `Cell ${cell.title}, state ${cell.state}`,
    });
    for (const ref of cell.components) {
      const component = componentsByRef.get(ref);
      if (!component) continue;
      if (isCollapsed) {
        drawnAs.set(ref, cell.entityRef);
        continue;
      }
      drawnAs.set(ref, ref);
      nodes.push({
        id: ref,
        type: 'component',
        parentId: cell.entityRef,
        extent: 'parent',
        position: { x: 0, y: 0 },
        ...COMPONENT_SIZE,
        data: { kind: 'component', component },
        ariaLabel: `Component ${component.title ?? component.name} in ${cell.title}; ${protectionText(component)}`,
      });
    }
  }

  const grouped = new Map<string, TopologyEdge[]>();
  for (const grant of topology.edges) {
    const source = grant.from === GATEWAY_ID ? GATEWAY_ID : drawnAs.get(grant.from);
    const target = drawnAs.get(grant.to);
    // A call between hidden cells, or inside one collapsed cell, has nothing to draw.
    if (!source || !target || source === target) continue;
    const key = `${source}->${target}`;
    const list = grouped.get(key);
    if (list) list.push(grant);
    else grouped.set(key, [grant]);
  }
  if ([...grouped.keys()].some(k => k.startsWith(`${GATEWAY_ID}->`))) {
    nodes.unshift({
      id: GATEWAY_ID,
      type: 'gateway',
      position: { x: 0, y: 0 },
      ...GATEWAY_SIZE,
      data: { kind: 'gateway' },
      ariaLabel: 'External gateway (public endpoints)',
    });
  }
  const edges: CallEdge[] = [...grouped.entries()].map(([id, grants]) => {
    const [source, target] = id.split('->');
    // A gateway edge also says what its front door asks of callers from outside (the endpoint's auth and rate limit).
    const frontDoor = source === GATEWAY_ID ? gatewayEdgeText(topology.components, grants) : undefined;
    const label = frontDoor?.label ? `${compactLabel(grants)} · ${frontDoor.label}` : compactLabel(grants);
    const texts = [...grants.map(grantText), ...(frontDoor?.detail ?? [])];
    return {
      id,
      source,
      target,
      label,
      data: { grants, label, detail: texts.join('\n') },
      ariaLabel: `Allowed call ${texts.join('; ')}`,
    };
  });
  // Hosts and networks outside come last: ELK's layered layout puts them right of their callers.
  const outside = egressGraph(topology, drawnAs);
  return { nodes: [...nodes.filter(n => n.type !== 'cell' || cellRefs.has(n.id)), ...outside.nodes], edges: [...edges, ...outside.edges] };
}

export function protectionText(component: TopologyComponent): string {
  const p = component.protection;
  const word = (on: boolean) => (on ? 'protected' : 'not protected');
  return `L3/L4 ${word(p.l3l4)}, mTLS ${word(p.mtls)}, L7 ${word(p.l7)}`;
}

/** Node ids whose component, cell or title matches the query (case-insensitive), components first. */
export function searchNodes(topology: TopologyResponse, queryText: string): string[] {
  const q = queryText.trim().toLowerCase();
  if (!q) return [];
  const components = topology.components.filter(c => [c.entityRef, c.name, c.title ?? ''].some(v => v.toLowerCase().includes(q))).map(c => c.entityRef);
  const cells = topology.cells.filter(c => [c.entityRef, c.title].some(v => v.toLowerCase().includes(q))).map(c => c.entityRef);
  return [...components, ...cells];
}

/** The node that draws a component or cell ref in the current graph (its collapsed cell if hidden). */
export function nodeFor(topology: TopologyResponse, ref: string, collapsed: ReadonlySet<string>): string {
  const component = topology.components.find(c => c.entityRef === ref);
  if (component && collapsed.has(component.cell)) return component.cell;
  return ref;
}

export interface Highlight {
  nodes: Map<string, Mark>;
  /** Grants marked, keyed `from->to` on component refs (or `gateway`). */
  grants: Map<string, Mark>;
}

export const emptyHighlight = (): Highlight => ({ nodes: new Map(), grants: new Map() });

/**
 * What blast radius marks: the source, everything its identity reaches and
 * everything that reaches it. `source` is the component ref asked about, or a
 * cell ref for a rogue pod.
 */
export function blastHighlight(source: string, response: BlastRadiusResponse): Highlight {
  const highlight = emptyHighlight();
  highlight.nodes.set(source, 'source');
  for (const reach of response.reachedBy) {
    if (reach.component !== source) highlight.nodes.set(reach.component, 'reached-by');
    highlight.grants.set(`${reach.component}->${source}`, 'reached-by');
  }
  for (const reach of response.reaches) {
    if (reach.component !== source) highlight.nodes.set(reach.component, 'reaches');
    highlight.grants.set(`${source}->${reach.component}`, 'reaches');
  }
  for (const reach of response.egress ?? []) {
    highlight.nodes.set(reach.id, 'reaches');
    highlight.grants.set(`${source}->${reach.id}`, 'reaches');
  }
  return highlight;
}

/** A simulator source as a node id: a component ref, `gateway`, or the rogue pod's cell. */
export function simulateSourceNode(topology: TopologyResponse, from: SimulateBody['from']): string | undefined {
  if (typeof from !== 'string') return 'rogue' in from ? resolveCell(topology, from.rogue) : GATEWAY_ID;
  return resolveComponent(topology, from);
}

/** `houston/capcom` or `component:default/capcom` -> the component's ref. */
export function resolveComponent(topology: TopologyResponse, value: string): string | undefined {
  if (value.includes(':')) return topology.components.find(c => c.entityRef === value)?.entityRef;
  const [cellName, name] = value.split('/');
  return topology.components.find(c => c.name === name && refName(c.cell) === cellName)?.entityRef;
}

/** `houston` or `system:default/houston` -> the cell's ref. */
export function resolveCell(topology: TopologyResponse, value: string): string | undefined {
  return topology.cells.find(c => c.entityRef === value || refName(c.entityRef) === value)?.entityRef;
}

/** `system:default/houston` -> `houston` */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** `houston/capcom`, the simulator's and analyzer's short name of a component. */
export function shortName(topology: TopologyResponse, componentRef: string): string {
  const component = topology.components.find(c => c.entityRef === componentRef);
  return component ? `${refName(component.cell)}/${component.name}` : componentRef;
}

/**
 * The simulated request drawn on the graph: the source, the target, and the
 * hops' workloads that are components (`<namespace>/<name>` as the analyzer
 * names pods and workloads). Allowed requests mark the path, denied ones the
 * target.
 */
export function simulationHighlight(topology: TopologyResponse, body: SimulateBody, response: SimulateResponse): Highlight {
  const highlight = emptyHighlight();
  const source = simulateSourceNode(topology, body.from);
  // A request outside the cluster (toHost, toIp) has no component to mark.
  const target = body.to === undefined ? undefined : resolveComponent(topology, body.to);
  const mark: Mark = response.allowed ? 'path' : 'denied';
  const onPath: string[] = [];
  if (source) onPath.push(source);
  for (const hop of response.hops) {
    for (const name of [hop.from, hop.to]) {
      const ref = componentAtWorkload(topology, name);
      if (ref && !onPath.includes(ref)) onPath.push(ref);
    }
  }
  if (target && !onPath.includes(target)) onPath.push(target);
  for (const id of onPath) highlight.nodes.set(id, id === source ? 'source' : mark);
  for (let i = 0; i + 1 < onPath.length; i++) highlight.grants.set(`${onPath[i]}->${onPath[i + 1]}`, mark);
  return highlight;
}

function componentAtWorkload(topology: TopologyResponse, workload: string): string | undefined {
  const [namespace, name] = workload.split('/');
  if (!namespace || !name) return undefined;
  for (const cell of topology.cells) {
    if (cell.namespace !== namespace) continue;
    const component = topology.components.find(c => c.cell === cell.entityRef && (name === c.name || name.startsWith(`${c.name}-`)));
    if (component) return component.entityRef;
  }
  return undefined;
}

/**
 * Applies marks to a laid-out graph. A mark on a hidden component lands on
 * its collapsed cell; an edge is marked when one of its grants is.
 */
export function applyHighlight(
  topology: TopologyResponse,
  graph: { nodes: CellsNode[]; edges: CallEdge[] },
  highlight: Highlight,
  collapsed: ReadonlySet<string>,
  extraEdges: CallEdge[] = [],
): { nodes: CellsNode[]; edges: CallEdge[] } {
  const nodeMarks = new Map<string, Mark>();
  for (const [ref, mark] of highlight.nodes) {
    const id = nodeFor(topology, ref, collapsed);
    if (!nodeMarks.has(id) || mark === 'source') nodeMarks.set(id, mark);
  }
  const nodes = graph.nodes.map(n => {
    const mark = nodeMarks.get(n.id);
    return mark === n.data.mark ? n : { ...n, data: { ...n.data, mark } as CellsNodeData };
  });
  const edges = graph.edges.map(e => {
    const mark = [...(e.data?.grants ?? []), ...(e.data?.egress ?? []).map(r => ({ from: r.from, to: r.id }))]
      .map(g => highlight.grants.get(`${g.from}->${g.to}`))
      .find(Boolean);
    if (!mark) return e.data?.mark ? { ...e, data: { ...e.data, mark: undefined }, animated: false } : e;
    return { ...e, data: { ...e.data!, mark }, animated: mark === 'path', className: `cells-edge-${mark}` };
  });
  return { nodes, edges: [...edges, ...extraEdges] };
}

/** A dashed edge for a simulated request that no grant draws (e.g. a rogue pod's attempt). */
export function attemptEdge(topology: TopologyResponse, body: SimulateBody, response: SimulateResponse, collapsed: ReadonlySet<string>): CallEdge | undefined {
  const source = simulateSourceNode(topology, body.from);
  const target = body.to === undefined ? undefined : resolveComponent(topology, body.to);
  if (!source || !target) return undefined;
  const from = nodeFor(topology, source, collapsed);
  const to = nodeFor(topology, target, collapsed);
  if (from === to && source === target) return undefined;
  const label = `${response.allowed ? 'allowed' : `denied at ${response.decidedBy ?? '?'}`}: ${body.method ?? 'GET'} ${body.path ?? '/'}`;
  return {
    id: `simulated:${from}->${to}`,
    source: from,
    target: to,
    label,
    animated: true,
    className: response.allowed ? 'cells-edge-path' : 'cells-edge-denied',
    style: { strokeDasharray: '6 4' },
    data: { grants: [], label, detail: response.explanation, mark: response.allowed ? 'path' : 'denied' },
  };
}
