import { ReactNode, useCallback, useMemo, useRef, useState } from 'react';
import { Background, Controls, MiniMap, NodeChange, ReactFlow, useReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import { useApi } from '@backstage/frontend-plugin-api';
import type { TopologyResponse } from '../../api/types';
import { cellsApiRef } from '../../api/CellsApi';
import { CellsNode, toGraph } from '../../lib/graph';
import { drawnGraph } from '../../lib/view';
import { observedEdges, ObservedEdgeData, OverlayMode, trafficView } from '../../lib/traffic';
import { nodeTypes } from '../nodes';
import { SidePanel } from '../SidePanel';
import { Simulator } from '../Simulator';
import { markColour } from '../status';
import { ObservedCalls } from '../traffic/ObservedCalls';
import { edgeTypes, ObservedEdgeSelect } from '../traffic/ObservedEdge';
import { TrafficControls } from '../traffic/TrafficControls';
import { useTraffic } from '../traffic/useTraffic';
import { BlastRadiusSummary } from './BlastRadiusSummary';
import { GraphToolbar } from './GraphToolbar';
import { useArrowKeys } from './useArrowKeys';
import { useGraphLayout } from './useGraphLayout';
import { useGraphUrlState } from './useGraphUrlState';
import { useGraphView } from './useGraphView';
import { useOverlay } from './useOverlay';

const useStyles = makeStyles(theme => ({
  root: { display: 'flex', flexDirection: 'column', height: '100%', minHeight: 560 },
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

export interface CellsGraphProps {
  topology: TopologyResponse;
  /** Show only this cell (the entity page's Cell tab); hides the cell filter. */
  fixedCell?: string;
  onEnvironmentChange?(environment: string): void;
  /** A line under the toolbar, e.g. that cells wait for a reconcile. */
  notice?: ReactNode;
}

/**
 * The graph with its filters, search, side panel and simulator. Drawing only:
 * what it shows comes from the hooks beside it (URL state, layout, overlay,
 * view and keys) and the pure transforms of lib/graph and lib/view.
 */
export function CellsGraph({ topology, fixedCell, onEnvironmentChange, notice }: CellsGraphProps) {
  const classes = useStyles();
  const theme = useTheme();
  const api = useApi(cellsApiRef);
  const flow = useReactFlow();
  const canvasRef = useRef<HTMLDivElement>(null);
  const [tab, setTab] = useState(0);

  const url = useGraphUrlState(topology, fixedCell);
  const { owner, cell, selected, collapsed } = url;
  const graph = useMemo(() => toGraph(topology, { owner, cell, collapsed }), [topology, owner, cell, collapsed]);
  const { laidOut, current } = useGraphLayout(graph);
  const view = useGraphView({ flow, laidOut, current, filters: `${owner}|${cell}`, canvasRef });
  const overlay = useOverlay(api, topology, collapsed);
  const traffic = useTraffic(api, topology.environment, url.update);
  const [observedEdge, setObservedEdge] = useState<string>();
  const observed = useMemo(() => {
    const answer = traffic.traffic?.value;
    if (!laidOut || !answer || traffic.mode === 'declared') return [];
    return observedEdges(topology, answer, collapsed, new Set(laidOut.nodes.map(n => n.id)));
  }, [laidOut, traffic.traffic?.value, traffic.mode, topology, collapsed]);
  const clickedEdge = observed.find(e => e.id === observedEdge)?.data as ObservedEdgeData | undefined;
  const selectObserved = useCallback((id: string) => {
    setObservedEdge(id);
    setTab(2);
  }, []);
  const setOverlayMode = (mode: OverlayMode) => {
    traffic.setMode(mode);
    setObservedEdge(undefined);
    // The observed calls have their own tab: open it with the overlay.
    if (mode !== 'declared') setTab(2);
  };

  const shown = useMemo(
    () =>
      laidOut &&
      trafficView(
        drawnGraph({
          topology,
          laidOut,
          highlight: overlay.highlight,
          extraEdges: overlay.extraEdges,
          collapsed,
          selected,
          zoomedOut: view.zoomedOut,
          markColour: mark => markColour(theme, mark),
        }),
        traffic.mode,
        observed,
        traffic.wouldBreak,
      ),
    [laidOut, overlay.highlight, overlay.extraEdges, topology, collapsed, selected, theme, view.zoomedOut, traffic.mode, observed, traffic.wouldBreak],
  );
  const order = useMemo(() => shown?.nodes.map(n => n.id) ?? [], [shown]);
  const { update } = url;
  const onKeyDown = useArrowKeys(
    order,
    selected,
    useCallback((ref: string) => update({ selected: ref }), [update]),
  );
  const onNodesChange = useCallback(
    (changes: NodeChange<CellsNode>[]) => {
      // Clicks and Enter/Space on a focused node arrive as select changes.
      const chosen = changes.find(c => c.type === 'select' && c.selected);
      if (chosen && chosen.type === 'select') update({ selected: chosen.id });
    },
    [update],
  );
  const toggleCollapse = (ref: string) => {
    // Expanding moves the cells after it (large catalogs pack cells in rows): follow the cell.
    if (collapsed.has(ref)) view.focusOn(ref);
    url.toggleCollapsed(ref);
  };

  return (
    <div className={classes.root}>
      <GraphToolbar
        topology={topology}
        url={url}
        fixedCell={fixedCell}
        onEnvironmentChange={onEnvironmentChange}
        onFound={(ref, query) => {
          url.select(ref, { q: query || undefined });
          view.focusOn(ref);
        }}
        onClearHighlight={overlay.overlay ? overlay.clear : undefined}
      />
      <TrafficControls state={{ ...traffic, setMode: setOverlayMode }} />
      {notice}
      {overlay.error && (
        <Typography role="alert" color="error" variant="body2">
          {overlay.error}
        </Typography>
      )}
      <div className={classes.body}>
        <div ref={canvasRef} className={classes.canvas} data-layout={laidOut?.thread} data-layout-mode={laidOut?.mode}>
          {shown ? (
            <ObservedEdgeSelect.Provider value={selectObserved}>
              <ReactFlow
                nodes={shown.nodes}
                edges={shown.edges}
                nodeTypes={nodeTypes}
                edgeTypes={edgeTypes}
                onEdgeClick={(_event, edge) => edge.type === 'observed' && selectObserved(edge.id)}
                onNodesChange={onNodesChange}
                onKeyDown={onKeyDown}
                aria-label="cell topology graph; Tab or arrow keys move between nodes, Enter selects"
                nodesDraggable={false}
                nodesConnectable={false}
                fitView
                fitViewOptions={view.initialFit}
                onMove={view.onMove}
                onlyRenderVisibleElements={shown.nodes.length > VISIBLE_ONLY_THRESHOLD}
                minZoom={0.05}
                colorMode={theme.palette.type === 'dark' ? 'dark' : 'light'}
              >
                <Background />
                <MiniMap pannable zoomable />
                <Controls showInteractive={false} />
              </ReactFlow>
            </ObservedEdgeSelect.Provider>
          ) : (
            <Typography style={{ padding: 16 }}>Laying out the graph…</Typography>
          )}
        </div>
        <div className={classes.side}>
          <Tabs value={tab} onChange={(_, v) => setTab(v)} variant="fullWidth">
            <Tab label="Details" />
            <Tab label="Attack simulator" />
            <Tab label="Observed traffic" />
          </Tabs>
          {overlay.overlay?.kind === 'blast' && <BlastRadiusSummary className={classes.blast} response={overlay.overlay.response} />}
          <div className={classes.sideBody}>
            {tab === 0 &&
              (selected ? (
                <SidePanel
                  topology={topology}
                  selected={selected}
                  onBlastRadius={overlay.askBlastRadius}
                  onToggleCollapse={toggleCollapse}
                  collapsed={collapsed.has(selected)}
                />
              ) : (
                <Typography style={{ padding: 16 }} variant="body2">
                  Select a cell or component (click, or Tab to it and press Enter) to see its endpoints, callers, objects, drift and history.
                </Typography>
              ))}
            {tab === 2 && <ObservedCalls topology={topology} state={{ ...traffic, setMode: setOverlayMode }} selected={selected} edge={clickedEdge} />}
            {tab === 1 && <Simulator topology={topology} environment={topology.environment} onResult={overlay.showSimulation} />}
          </div>
        </div>
      </div>
    </div>
  );
}
