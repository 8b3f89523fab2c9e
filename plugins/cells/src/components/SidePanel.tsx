import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Divider from '@material-ui/core/Divider';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useApi } from '@backstage/frontend-plugin-api';
import type { TopologyComponent, TopologyEdge, TopologyResponse } from '../api/types';
import { cellsApiRef } from '../api/CellsApi';
import { GATEWAY_ID, egressText, externalKindText, externalText, grantText, scrapeText } from '../lib/graph';
import { ErrorNote } from './ErrorNote';
import { ComponentFrontDoor, GatewayFrontDoor } from './FrontDoor';
import { stateWord } from './status';
import { useAsync } from './useAsync';

const useStyles = makeStyles(theme => ({
  root: { padding: theme.spacing(2), overflowY: 'auto', height: '100%', boxSizing: 'border-box' },
  section: { marginTop: theme.spacing(2) },
  yaml: {
    fontFamily: 'monospace',
    fontSize: 12,
    whiteSpace: 'pre',
    overflowX: 'auto',
    maxHeight: 320,
    background: theme.palette.type === 'dark' ? '#111' : '#f5f5f5',
    padding: theme.spacing(1),
  },
  list: { margin: 0, paddingLeft: theme.spacing(2.5), fontSize: 13 },
}));

function grantLine(grant: TopologyEdge, other: string) {
  const methods = grant.methods?.length ? grant.methods.join(', ') : 'any method';
  const paths = grant.paths?.length ? grant.paths.join(', ') : 'any path';
  return `${other} on ${grant.endpoint}: ${methods} ${paths} (${grant.declaredBy}${grant.crossCell ? ', cross-cell' : ''})`;
}

/** Keeps the YAML documents that are this component's objects (named after it or selecting it). */
export function componentDocuments(yaml: string, componentName: string): string {
  const named = new RegExp(`^\\s*(name|app\\.kubernetes\\.io/name|app):\\s*["']?${componentName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*$`, 'm');
  return yaml
    .split(/^---\s*$/m)
    .map(d => d.trim())
    .filter(d => d && named.test(d))
    .join('\n---\n');
}

/**
 * `version` is what the page last heard of the cell (its state and message):
 * when it moves, the history, drift and objects shown are asked for again.
 */
export function CellHistory({ entityRef, version }: { entityRef: string; version?: string }) {
  const api = useApi(cellsApiRef);
  const classes = useStyles();
  const history = useAsync(() => api.getHistory({ entityRef, limit: 10 }), [api, entityRef, version]);
  if (history.error) return <ErrorNote error={history.error} what="the history" />;
  if (!history.value) return <Typography variant="body2">Loading history…</Typography>;
  if (history.value.items.length === 0) return <Typography variant="body2">No policy changes recorded yet.</Typography>;
  return (
    <ul className={classes.list} aria-label="policy history">
      {history.value.items.map(h => (
        <li key={h.id}>
          {new Date(h.at).toLocaleString()} · {h.environment}: {h.summary}
          {[...h.accessDiff.added.map(a => `+ ${a.text}`), ...h.accessDiff.removed.map(r => `- ${r.text}`)].map(line => (
            <div key={line}>{line}</div>
          ))}
        </li>
      ))}
    </ul>
  );
}

export function Manifests({
  cellRef,
  environments,
  componentName,
  version,
}: {
  cellRef: string;
  environments: string[];
  componentName?: string;
  version?: string;
}) {
  const api = useApi(cellsApiRef);
  const classes = useStyles();
  const [environment, setEnvironment] = useState(environments[0] ?? '');
  const yaml = useAsync(() => api.getManifestsYaml(cellRef, environment), [api, cellRef, environment, version]);
  const shown = yaml.value !== undefined && componentName ? componentDocuments(yaml.value, componentName) : yaml.value;
  return (
    <div>
      <TextField select size="small" label="Environment" value={environment} onChange={e => setEnvironment(e.target.value as string)}>
        {environments.map(e => (
          <MenuItem key={e} value={e}>
            {e}
          </MenuItem>
        ))}
      </TextField>
      {yaml.error && <ErrorNote error={yaml.error} what="the manifests" />}
      {shown !== undefined && (
        <pre className={classes.yaml} aria-label={`objects in ${environment} as YAML`}>
          {shown || 'No objects of this component in this environment.'}
        </pre>
      )}
    </div>
  );
}

export function Drift({ cellRef, componentName, version }: { cellRef: string; componentName?: string; version?: string }) {
  const api = useApi(cellsApiRef);
  const classes = useStyles();
  const detail = useAsync(() => api.getCell(cellRef), [api, cellRef, version]);
  if (detail.error) return <ErrorNote error={detail.error} what="the cell's status" />;
  if (!detail.value) return null;
  const drifted = detail.value.environments.flatMap(env =>
    env.objects.filter(o => o.state !== 'in-sync' && (!componentName || o.name.includes(componentName))).map(o => ({ env: env.environment, o })),
  );
  if (drifted.length === 0) return <Typography variant="body2">No drift: every object is in sync.</Typography>;
  return (
    <ul className={classes.list} aria-label="drift">
      {drifted.map(({ env, o }) => (
        <li key={`${env}/${o.kind}/${o.namespace}/${o.name}`}>
          {env}: {o.kind} {o.namespace}/{o.name} is {o.state}
          {o.message ? ` (${o.message})` : ''}
          {o.diff?.map(d => (
            <div key={d} style={{ fontFamily: 'monospace' }}>
              {d}
            </div>
          ))}
        </li>
      ))}
    </ul>
  );
}

/** What the topology says of a cell now; the panel's parts reload when it changes. */
function cellVersion(topology: TopologyResponse, cellRef: string): string {
  const cell = topology.cells.find(c => c.entityRef === cellRef);
  return cell ? `${cell.state}|${cell.message}` : '';
}

export interface SidePanelProps {
  topology: TopologyResponse;
  selected: string;
  onBlastRadius(from: string | { rogue: string }): void;
  onToggleCollapse(cellRef: string): void;
  collapsed: boolean;
}

function ComponentPanel({
  topology,
  component,
  onBlastRadius,
}: {
  topology: TopologyResponse;
  component: TopologyComponent;
  onBlastRadius: SidePanelProps['onBlastRadius'];
}) {
  const classes = useStyles();
  const callers = topology.edges.filter(e => e.to === component.entityRef);
  const callees = topology.edges.filter(e => e.from === component.entityRef);
  const egress = (topology.egress ?? []).filter(e => e.from === component.entityRef);
  const scrapedBy = (topology.scrapes ?? []).filter(s => s.to === component.entityRef);
  const cell = topology.cells.find(c => c.entityRef === component.cell);
  return (
    <>
      <Typography variant="h6">{component.title ?? component.name}</Typography>
      <Typography variant="body2" color="textSecondary">
        {component.entityRef} · cell {cell?.title ?? component.cell} · owner {component.owner}
      </Typography>
      <Button className={classes.section} variant="contained" color="secondary" size="small" onClick={() => onBlastRadius(component.entityRef)}>
        If this is compromised
      </Button>
      <div className={classes.section}>
        <Typography variant="subtitle2">Endpoints</Typography>
        <ul className={classes.list} aria-label="endpoints">
          {component.endpoints.map(e => (
            <li key={e.name}>
              {e.name}: {e.port}/{e.protocol}, {e.visibility}
            </li>
          ))}
        </ul>
      </div>
      <ComponentFrontDoor component={component} />
      <div className={classes.section}>
        <Typography variant="subtitle2">Who may call it</Typography>
        <ul className={classes.list} aria-label="callers">
          {callers.length === 0 && <li>nobody</li>}
          {callers.map(g => (
            <li key={grantText(g)}>{grantLine(g, g.from === GATEWAY_ID ? 'the external gateway' : g.from)}</li>
          ))}
        </ul>
      </div>
      <div className={classes.section}>
        <Typography variant="subtitle2">What it calls</Typography>
        <ul className={classes.list} aria-label="callees">
          {callees.length === 0 && <li>nothing</li>}
          {callees.map(g => (
            <li key={grantText(g)}>{grantLine(g, g.to)}</li>
          ))}
        </ul>
      </div>
      <div className={classes.section}>
        <Typography variant="subtitle2">What it may reach outside the cluster</Typography>
        <ul className={classes.list} aria-label="egress">
          {egress.length === 0 && <li>nothing</li>}
          {egress.map(r => (
            <li key={`${r.id} ${egressText(r)}`}>{r.kind === 'platform' ? `platform service ${egressText(r)}` : egressText(r)}</li>
          ))}
        </ul>
      </div>
      {scrapedBy.length > 0 && (
        <div className={classes.section}>
          <Typography variant="subtitle2">Scraped by</Typography>
          <ul className={classes.list} aria-label="scraped by">
            {scrapedBy.map(s => (
              <li key={scrapeText(s)}>{scrapeText(s)}</li>
            ))}
          </ul>
        </div>
      )}
      <div className={classes.section}>
        <Typography variant="subtitle2">Objects</Typography>
        <Manifests
          cellRef={component.cell}
          environments={topology.environments}
          componentName={component.name}
          version={cellVersion(topology, component.cell)}
        />
      </div>
      <div className={classes.section}>
        <Typography variant="subtitle2">Drift</Typography>
        <Drift cellRef={component.cell} componentName={component.name} version={cellVersion(topology, component.cell)} />
      </div>
      <div className={classes.section}>
        <Typography variant="subtitle2">History of the cell's policy</Typography>
        <CellHistory entityRef={component.cell} version={cellVersion(topology, component.cell)} />
      </div>
    </>
  );
}

/** Details of the selected node: a component, a cell or the gateway. */
export function SidePanel({ topology, selected, onBlastRadius, onToggleCollapse, collapsed }: SidePanelProps) {
  const classes = useStyles();
  const component = topology.components.find(c => c.entityRef === selected);
  const cell = topology.cells.find(c => c.entityRef === selected);
  const external = (topology.externals ?? []).find(e => e.id === selected);
  return (
    <section className={classes.root} aria-label="details of the selected node">
      {external && (
        <>
          <Typography variant="h6">
            {externalKindText(external)} {externalText(external)}
          </Typography>
          <Typography variant="subtitle2">{external.kind === 'platform' ? 'Who may reach it, and whom it scrapes' : 'Who may reach it'}</Typography>
          <ul className={classes.list} aria-label="reached by">
            {(topology.egress ?? [])
              .filter(r => r.id === external.id)
              .map(r => (
                <li key={`${r.from} ${egressText(r)}`}>
                  {r.from}: port {r.port} {r.protocol}
                </li>
              ))}
            {(topology.scrapes ?? [])
              .filter(s => s.from === external.id)
              .map(s => (
                <li key={`${s.to} ${scrapeText(s)}`}>
                  scrapes {s.to}: GET {s.path} on port {s.port}
                </li>
              ))}
          </ul>
        </>
      )}
      {component && <ComponentPanel topology={topology} component={component} onBlastRadius={onBlastRadius} />}
      {cell && (
        <>
          <Typography variant="h6">Cell {cell.title}</Typography>
          <Typography variant="body2" color="textSecondary">
            {cell.entityRef} · namespace {cell.namespace} · owner {cell.owner}
          </Typography>
          <Typography variant="body2" aria-label="cell state">
            State: {stateWord(cell.state)}
            {cell.message ? ` (${cell.message})` : ''}
          </Typography>
          <div className={classes.section} style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
            <Button variant="contained" color="secondary" size="small" onClick={() => onBlastRadius({ rogue: cell.entityRef })}>
              Rogue pod in this cell
            </Button>
            <Button variant="outlined" size="small" onClick={() => onToggleCollapse(cell.entityRef)}>
              {collapsed ? 'Expand' : 'Collapse'}
            </Button>
          </div>
          <div className={classes.section}>
            <Typography variant="subtitle2">Drift</Typography>
            <Drift cellRef={cell.entityRef} version={cellVersion(topology, cell.entityRef)} />
          </div>
          <div className={classes.section}>
            <Typography variant="subtitle2">Objects</Typography>
            <Manifests cellRef={cell.entityRef} environments={topology.environments} version={cellVersion(topology, cell.entityRef)} />
          </div>
          <div className={classes.section}>
            <Typography variant="subtitle2">History</Typography>
            <CellHistory entityRef={cell.entityRef} version={cellVersion(topology, cell.entityRef)} />
          </div>
        </>
      )}
      {selected === GATEWAY_ID && (
        <>
          <Typography variant="h6">External gateway</Typography>
          <Typography variant="subtitle2">Public calls it may make</Typography>
          <ul className={classes.list} aria-label="callees">
            {topology.edges
              .filter(e => e.from === GATEWAY_ID)
              .map(g => (
                <li key={grantText(g)}>{grantLine(g, g.to)}</li>
              ))}
          </ul>
          <GatewayFrontDoor topology={topology} />
        </>
      )}
      <Divider className={classes.section} />
    </section>
  );
}
