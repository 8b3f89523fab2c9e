import { KeyboardEvent, useCallback, useEffect, useMemo, useState } from 'react';
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
  defaultCollapsed,
  emptyHighlight,
  Highlight,
  nodeFor,
  searchNodes,
  simulationHighlight,
  toGraph,
} from '../lib/graph';
import { lastLayoutThread, layoutGraph } from '../lib/layout';
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
}

/** The graph with its filters, search, side panel and simulator; selection and filters live in the URL. */
export function CellsGraph({ topology, fixedCell, onEnvironmentChange }: CellsGraphProps) {
  const classes = useStyles();
  const theme = useTheme();
  const api = useApi(cellsApiRef);
  const flow = useReactFlow();
  const [params, setParams] = useSearchParams();
  const owner = params.get('owner') ?? '';
  const cell = fixedCell ?? params.get('cell') ?? '';
  const selected = params.get('selected') ?? '';
  const collapsedParam = params.get('collapsed');
  const collapsed = useMemo(
    () => (collapsedParam === null ? defaultCollapsed(topology) : new Set(collapsedParam.split(',').filter(Boolean))),
    [collapsedParam, topology],
  );
  const [tab, setTab] = useState(0);
  const [query, setQuery] = useState(params.get('q') ?? '');
  const [laidOut, setLaidOut] = useState<{ nodes: CellsNode[]; edges: CallEdge[]; thread: string }>();
  const [overlay, setOverlay] = useState<Overlay>();
  const [overlayError, setOverlayError] = useState<string>();
  const [focusTarget, setFocusTarget] = useState<string>();

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
    let current = true;
    layoutGraph(graph.nodes, graph.edges).then(nodes => current && setLaidOut({ nodes, edges: graph.edges, thread: lastLayoutThread }));
    return () => {
      current = false;
    };
  }, [graph]);

  const setCollapsed = (next: Set<string>) => update({ collapsed: [...next].join(',') });
  const toggleCollapse = (ref: string) => {
    const next = new Set(collapsed);
    if (next.has(ref)) next.delete(ref);
    else next.add(ref);
    setCollapsed(next);
  };

  const focusNode = (ref: string) => {
    const component = topology.components.find(c => c.entityRef === ref);
    if (component && collapsed.has(component.cell)) {
      const next = new Set(collapsed);
      next.delete(component.cell);
      setCollapsed(next);
    }
    update({ selected: ref });
    setFocusTarget(ref);
  };

  // Zoom to a searched node once the layout that contains it is drawn.
  useEffect(() => {
    if (!focusTarget || !laidOut?.nodes.some(n => n.id === focusTarget)) return;
    flow.fitView({ nodes: [{ id: focusTarget }], duration: 400, maxZoom: 1.2 });
    document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(focusTarget)}"]`)?.focus();
    setFocusTarget(undefined);
  }, [focusTarget, laidOut, flow]);

  const highlight: Highlight = useMemo(() => {
    if (overlay?.kind === 'blast') return blastHighlight(overlay.source, overlay.response);
    if (overlay?.kind === 'simulation') return simulationHighlight(topology, overlay.body, overlay.response);
    return emptyHighlight();
  }, [overlay, topology]);

  const shown = useMemo(() => {
    if (!laidOut) return undefined;
    const extra = overlay?.kind === 'simulation' ? attemptEdge(topology, overlay.body, overlay.response, collapsed) : undefined;
    const marked = applyHighlight(topology, laidOut, highlight, collapsed, extra ? [extra] : []);
    const selectedNode = selected ? nodeFor(topology, selected, collapsed) : '';
    return {
      nodes: marked.nodes.map(n => (n.id === selectedNode ? { ...n, selected: true } : n)),
      edges: marked.edges.map(e =>
        e.data?.mark ? { ...e, style: { ...e.style, stroke: markColour(theme, e.data.mark), strokeWidth: 3 } } : e,
      ),
    };
  }, [laidOut, highlight, overlay, topology, collapsed, selected, theme]);

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

  const owners = [...new Set(topology.cells.map(c => c.owner))].sort();
  const matches = searchNodes(topology, query);

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
            update({ q: query || undefined });
            if (matches[0]) focusNode(matches[0]);
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
      {overlayError && (
        <Typography role="alert" color="error" variant="body2">
          {overlayError}
        </Typography>
      )}
      <div className={classes.body}>
        <div className={classes.canvas} data-layout={laidOut?.thread}>
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
              fitViewOptions={{ maxZoom: 1, padding: 0.1 }}
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
