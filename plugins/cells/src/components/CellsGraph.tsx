import { KeyboardEvent, ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Background, Controls, MiniMap, NodeChange, ReactFlow, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import { useSearchParams } from 'react-router-dom';
import { useApi } from '@backstage/frontend-plugin-api';
import type { BlastRadiusResponse, Reach, SimulateBody, SimulateResponse, TopologyResponse } from '@cellplane/cells-common';
import { cellsApiRef } from '../api/CellsApi';
import {
  applyHighlight,
  attemptEdge,
  blastHighlight,
  CallEdge,
  CellsNode,
  collapsedFromParams,
  collapsedToParams,
  emptyHighlight,
  Highlight,
  nodeFor,
  searchNodes,
  simulationHighlight,
  toGraph,
} from '../lib/graph';
import { keepPositions, lastLayoutThread, layoutGraph, LayoutMode, layoutModeFor, structureKey } from '../lib/layout';
import { mark } from '../lib/marks';
import { nodeTypes } from './nodes';
import { SidePanel } from './SidePanel';
import { Simulator } from './Simulator';
import { markColour } from './status';

const useStyles = makeStyles(theme => ({
  root: { display: 'flex', flexDirection: 'column', height: '100%', minHeight: 560 },
  toolbar: { display: 'flex', gap: theme.spacing(1), flexWrap: 'wrap', alignItems: 'center', padding: theme.spacing(1, 0) },
  field: { minWidth: 160 },
  body: { display: 'flex', flex: 1, minHeight: 480, border: `1px solid ${theme.palette.divider}` },
  canvas: { flex: 1, position: 'relative', minWidth: 0 },
  side: { width: 440, borderLeft: `1px solid ${theme.palette.divider}`, display: 'flex', flexDirection: 'column', minHeight: 0 },
  sideBody: { flex: 1, minHeight: 0, overflow: 'auto' },
  blast: { padding: theme.spacing(1, 2), fontSize: 13, borderBottom: `1px solid ${theme.palette.divider}` },
}));

/**
 * Past this many nodes only those in view are rendered (large catalogs stay
 * smooth); below it every node stays in the DOM so Tab and screen readers
 * reach all of them.
 */
export const VISIBLE_ONLY_THRESHOLD = 150;

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

function reachText(r: Reach) {
  const methods = r.methods?.length ? r.methods.join(', ') : 'any method';
  const paths = r.paths?.length ? r.paths.join(', ') : 'any path';
  return `${r.component} ${r.endpoint} (port ${r.port}): ${methods} ${paths}`;
}

type Overlay =
  | { kind: 'blast'; source: string; response: BlastRadiusResponse }
  | { kind: 'simulation'; body: SimulateBody; response: SimulateResponse };

export interface CellsGraphProps {
  topology: TopologyResponse;
  /** Show only this cell (the entity page's Cell tab); hides the cell filter. */
  fixedCell?: string;
  onEnvironmentChange?(environment: string): void;
  /** A line under the toolbar, e.g. that cells wait for a reconcile. */
  notice?: ReactNode;
}

/** The graph with its filters, search, side panel and simulator; selection and filters live in the URL. */
export function CellsGraph({ topology, fixedCell, onEnvironmentChange, notice }: CellsGraphProps) {
  const classes = useStyles();
  const theme = useTheme();
  const api = useApi(cellsApiRef);
  const flow = useReactFlow();
  const [params, setParams] = useSearchParams();
  const owner = params.get('owner') ?? '';
  const cell = fixedCell ?? params.get('cell') ?? '';
  const selected = params.get('selected') ?? '';
  const collapsedParam = params.get('collapsed');
  const expandedParam = params.get('expanded');
  const collapsed = useMemo(
    () => collapsedFromParams(topology, { collapsed: collapsedParam, expanded: expandedParam }),
    [collapsedParam, expandedParam, topology],
  );
  const [tab, setTab] = useState(0);
  const [query, setQuery] = useState(params.get('q') ?? '');
  const [laidOut, setLaidOut] = useState<{ nodes: CellsNode[]; edges: CallEdge[]; thread: string; mode: LayoutMode; key: string }>();
  const [overlay, setOverlay] = useState<Overlay>();
  const [overlayError, setOverlayError] = useState<string>();
  const [focusTarget, setFocusTarget] = useState<string>();
  const [zoomedOut, setZoomedOut] = useState(false);
  const canvasRef = useRef<HTMLDivElement>(null);
  const canvasSize = () => {
    const box = canvasRef.current?.getBoundingClientRect();
    return box && box.width > 0 && box.height > 0 ? { width: box.width, height: box.height } : undefined;
  };
  /** The owner or cell filter changed: fit the view to what the next layout draws. */
  const [refit, setRefit] = useState(false);

  const update = useCallback(
    (changes: Record<string, string | undefined>) =>
      setParams(
        prev => {
          const next = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(changes)) {
            if (value === undefined) next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const graph = useMemo(() => toGraph(topology, { owner, cell, collapsed }), [topology, owner, cell, collapsed]);
  useEffect(() => {
    // A refreshed topology with the same nodes and calls (new states only) keeps its layout.
    const key = structureKey(graph.nodes, graph.edges);
    if (laidOut?.key === key) {
      setLaidOut({ ...laidOut, nodes: keepPositions(graph.nodes, laidOut.nodes), edges: graph.edges });
      return undefined;
    }
    let current = true;
    mark('layout-started');
    layoutGraph(graph.nodes, graph.edges).then(
      nodes => {
        mark('layout-done');
        if (current) setLaidOut({ nodes, edges: graph.edges, thread: lastLayoutThread, mode: layoutModeFor(graph.nodes.length, graph.edges.length), key });
      },
    );
    return () => {
      current = false;
    };
    // laidOut is read, not a trigger: only a new graph lays out again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [graph]);

  const setCollapsed = (next: Set<string>) => update(collapsedToParams(topology, next));
  const toggleCollapse = (ref: string) => {
    const next = new Set(collapsed);
    if (next.has(ref)) {
      next.delete(ref);
      // Expanding moves the cells after it (large catalogs pack cells in rows): follow the cell.
      setFocusTarget(ref);
    } else next.add(ref);
    setCollapsed(next);
  };

  /** Selects a node, expanding its cell if needed, in one URL update (separate updates in one event overwrite each other). */
  const focusNode = (ref: string, alsoChange: Record<string, string | undefined> = {}) => {
    const changes: Record<string, string | undefined> = { ...alsoChange, selected: ref };
    const component = topology.components.find(c => c.entityRef === ref);
    if (component && collapsed.has(component.cell)) {
      const next = new Set(collapsed);
      next.delete(component.cell);
      Object.assign(changes, collapsedToParams(topology, next));
    }
    update(changes);
    setFocusTarget(ref);
  };

  const filters = `${owner}|${cell}`;
  const [lastFilters, setLastFilters] = useState(filters);
  if (filters !== lastFilters) {
    setLastFilters(filters);
    setRefit(true);
  }
  useEffect(() => {
    if (!refit || !laidOut || laidOut.key !== structureKey(graph.nodes, graph.edges)) return;
    setRefit(false);
    flow.fitView(initialView(laidOut.nodes, laidOut.mode, canvasSize()));
  }, [refit, laidOut, graph, flow]);

  // Zoom to a searched node once the layout that contains it is drawn; focus it once it is
  // on screen (large graphs render only the nodes in view).
  useEffect(() => {
    if (!focusTarget || !laidOut?.nodes.some(n => n.id === focusTarget)) return;
    const target = focusTarget;
    const focus = (framesLeft: number) => {
      const element = document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(target)}"]`);
      if (element) element.focus();
      else if (framesLeft > 0) requestAnimationFrame(() => focus(framesLeft - 1));
    };
    flow.fitView({ nodes: [{ id: target }], duration: 400, maxZoom: 1.2 }).then(() => focus(30));
    setFocusTarget(undefined);
  }, [focusTarget, laidOut, flow]);

  const highlight: Highlight = useMemo(() => {
    if (overlay?.kind === 'blast') return blastHighlight(overlay.source, overlay.response);
    if (overlay?.kind === 'simulation') return simulationHighlight(topology, overlay.body, overlay.response);
    return emptyHighlight();
  }, [overlay, topology]);

  // Only the first layout's view counts: xyflow fits once, when the graph first draws.
  const initialFit = useMemo(
    () => (laidOut ? initialView(laidOut.nodes, laidOut.mode, canvasSize()) : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [laidOut === undefined],
  );

  const shown = useMemo(() => {
    if (!laidOut) return undefined;
    const extra = overlay?.kind === 'simulation' ? attemptEdge(topology, overlay.body, overlay.response, collapsed) : undefined;
    const marked = applyHighlight(topology, laidOut, highlight, collapsed, extra ? [extra] : []);
    const selectedNode = selected ? nodeFor(topology, selected, collapsed) : '';
    return {
      nodes: marked.nodes.map(n => (n.id === selectedNode ? { ...n, selected: true } : n)),
      edges: marked.edges.map(e => {
        if (e.data?.mark) return { ...e, style: { ...e.style, stroke: markColour(theme, e.data.mark), strokeWidth: 3 } };
        if (laidOut.mode === 'packed') {
          // Hundreds of long calls between packed cells: straight lines without a hover path, labelled
          // only around the selected node (stacked labels there are noise, and most of a pan's painting).
          const around = selectedNode !== '' && (e.source === selectedNode || e.target === selectedNode);
          return { ...e, type: 'straight', interactionWidth: 0, label: around && !zoomedOut ? e.label : undefined };
        }
        return zoomedOut ? { ...e, label: undefined } : e;
      }),
    };
  }, [laidOut, highlight, overlay, topology, collapsed, selected, theme, zoomedOut]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CellsNode>[]) => {
      // Clicks and Enter/Space on a focused node arrive as select changes.
      const chosen = changes.find(c => c.type === 'select' && c.selected);
      if (chosen && chosen.type === 'select') update({ selected: chosen.id });
    },
    [update],
  );

  // Arrow keys move between nodes in reading order; Enter selects (xyflow's own handling).
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp'].includes(event.key) || !shown) return;
    const order = shown.nodes.map(n => n.id);
    const active = (document.activeElement as HTMLElement | null)?.getAttribute('data-id') ?? selected;
    const index = order.indexOf(active);
    const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : -1;
    const next = order[(index + step + order.length) % order.length];
    if (!next) return;
    event.preventDefault();
    update({ selected: next });
    document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(next)}"]`)?.focus();
  };

  const askBlastRadius = async (from: string | { rogue: string }) => {
    setOverlayError(undefined);
    try {
      const response = await api.blastRadius({ environment: topology.environment, from });
      setOverlay({ kind: 'blast', source: typeof from === 'string' ? from : from.rogue, response });
    } catch (e) {
      setOverlayError(`Blast radius failed: ${(e as Error).message}`);
    }
  };

  const onSimulation = (body: SimulateBody, response: SimulateResponse | undefined) =>
    setOverlay(response ? { kind: 'simulation', body, response } : undefined);

  const owners = useMemo(() => [...new Set(topology.cells.map(c => c.owner))].sort(), [topology]);
  const matches = useMemo(() => searchNodes(topology, query), [topology, query]);

  return (
    <div className={classes.root}>
      <div className={classes.toolbar}>
        <TextField
          select
          size="small"
          className={classes.field}
          label="Environment"
          value={topology.environment}
          onChange={e => onEnvironmentChange?.(e.target.value as string)}
          inputProps={{ 'aria-label': 'Environment' }}
        >
          {topology.environments.map(env => (
            <MenuItem key={env} value={env}>
              {env}
            </MenuItem>
          ))}
        </TextField>
        {!fixedCell && (
          <>
            <TextField select size="small" className={classes.field} label="Owner" value={owner} onChange={e => update({ owner: (e.target.value as string) || undefined })} inputProps={{ 'aria-label': 'Owner' }}>
              <MenuItem value="">all owners</MenuItem>
              {owners.map(o => (
                <MenuItem key={o} value={o}>
                  {o}
                </MenuItem>
              ))}
            </TextField>
            <TextField select size="small" className={classes.field} label="Cell" value={cell} onChange={e => update({ cell: (e.target.value as string) || undefined })} inputProps={{ 'aria-label': 'Cell' }}>
              <MenuItem value="">all cells</MenuItem>
              {topology.cells.map(c => (
                <MenuItem key={c.entityRef} value={c.entityRef}>
                  {c.title}
                </MenuItem>
              ))}
            </TextField>
          </>
        )}
        <form
          onSubmit={e => {
            e.preventDefault();
            if (matches[0]) focusNode(matches[0], { q: query || undefined });
            else update({ q: query || undefined });
          }}
        >
          <TextField size="small" label="Search" value={query} onChange={e => setQuery(e.target.value)} inputProps={{ 'aria-label': 'Search nodes' }} helperText={query && matches.length === 0 ? 'no match' : undefined} />
        </form>
        <Button size="small" onClick={() => setCollapsed(new Set(topology.cells.map(c => c.entityRef)))}>
          Collapse all
        </Button>
        <Button size="small" onClick={() => setCollapsed(new Set())}>
          Expand all
        </Button>
        {overlay && (
          <Button size="small" variant="outlined" onClick={() => setOverlay(undefined)}>
            Clear highlight
          </Button>
        )}
      </div>
      {notice}
      {overlayError && (
        <Typography role="alert" color="error" variant="body2">
          {overlayError}
        </Typography>
      )}
      <div className={classes.body}>
        <div
          ref={canvasRef}
          className={classes.canvas}
          data-layout={laidOut?.thread}
          data-layout-mode={laidOut?.mode}
        >
          {shown && (
            <ReactFlow
              nodes={shown.nodes}
              edges={shown.edges}
              nodeTypes={nodeTypes}
              onNodesChange={onNodesChange}
              onKeyDown={onKeyDown}
              aria-label="cell topology graph; Tab or arrow keys move between nodes, Enter selects"
              nodesDraggable={false}
              nodesConnectable={false}
              fitView
              fitViewOptions={initialFit}
              onMove={(_, viewport) => setZoomedOut(viewport.zoom < LABEL_MIN_ZOOM)}
              onlyRenderVisibleElements={shown.nodes.length > VISIBLE_ONLY_THRESHOLD}
              minZoom={0.05}
              colorMode={theme.palette.type === 'dark' ? 'dark' : 'light'}
            >
              <Background />
              <MiniMap pannable zoomable />
              <Controls showInteractive={false} />
            </ReactFlow>
          )}
          {!shown && <Typography style={{ padding: 16 }}>Laying out the graph…</Typography>}
        </div>
        <div className={classes.side}>
          <Tabs value={tab} onChange={(_, v) => setTab(v)} variant="fullWidth">
            <Tab label="Details" />
            <Tab label="Attack simulator" />
          </Tabs>
          {overlay?.kind === 'blast' && (
            <div className={classes.blast} aria-label="blast radius" data-testid="blast-radius">
              <strong>
                {overlay.response.from.startsWith('rogue:')
                  ? `If a rogue pod runs in ${overlay.response.from.slice('rogue:'.length)}`
                  : `If ${overlay.response.from} is compromised`}
              </strong>
              <div>It may reach {overlay.response.reaches.length === 0 ? 'nothing' : ''}</div>
              <ul style={{ margin: 0 }}>
                {overlay.response.reaches.map(r => (
                  <li key={reachText(r)}>{reachText(r)}</li>
                ))}
              </ul>
              <div>Reached by {overlay.response.reachedBy.length === 0 ? 'nobody' : ''}</div>
              <ul style={{ margin: 0 }}>
                {overlay.response.reachedBy.map(r => (
                  <li key={reachText(r)}>{reachText(r)}</li>
                ))}
              </ul>
            </div>
          )}
          <div className={classes.sideBody}>
            {tab === 0 &&
              (selected ? (
                <SidePanel
                  topology={topology}
                  selected={selected}
                  onBlastRadius={askBlastRadius}
                  onToggleCollapse={toggleCollapse}
                  collapsed={collapsed.has(selected)}
                />
              ) : (
                <Typography style={{ padding: 16 }} variant="body2">
                  Select a cell or component (click, or Tab to it and press Enter) to see its endpoints, callers, objects,
                  drift and history.
                </Typography>
              ))}
            {tab === 1 && <Simulator topology={topology} environment={topology.environment} onResult={onSimulation} />}
          </div>
        </div>
      </div>
    </div>
  );
}
