import { Link as RouterLink } from 'react-router-dom';
import Button from '@material-ui/core/Button';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import type { RolloutCell, TopologyResponse, TrafficEdge, WouldBreakCall } from '../../api/types';
import { refName } from '../../lib/graph';
import { allowCallLink, callText, CLASS_STYLE, countText, ObservedEdgeData, removeCallLink, touches, TRAFFIC_WINDOWS } from '../../lib/traffic';
import { trafficColour } from './trafficColour';
import type { TrafficState } from './useTraffic';

const useStyles = makeStyles(theme => ({
  root: { padding: theme.spacing(2), fontSize: 13 },
  section: { marginTop: theme.spacing(2) },
  list: { margin: 0, paddingLeft: theme.spacing(2.5) },
  item: { marginBottom: theme.spacing(1) },
  why: { color: theme.palette.text.secondary },
  action: { display: 'inline-block', marginTop: theme.spacing(0.5), fontWeight: 600 },
}));

function ActionLink({ to, children }: { to?: string; children: string }) {
  const classes = useStyles();
  if (!to) return null;
  return (
    <Link component={RouterLink} to={to} className={classes.action}>
      {children}
    </Link>
  );
}

/** One observed call: its class (symbol and words), the call, how often, and what to do about it. */
function ObservedCall({ topology, edge }: { topology: TopologyResponse; edge: TrafficEdge }) {
  const classes = useStyles();
  const theme = useTheme();
  const style = CLASS_STYLE[edge.class];
  return (
    <li className={classes.item} data-class={edge.class}>
      <span style={{ color: trafficColour(theme, edge.class), fontWeight: 700 }}>{style.symbol}</span> {style.words}
      {edge.suspicious ? ' (suspicious: an identity the catalog does not know)' : ''}: {callText(topology, edge)}
      <div className={classes.why}>
        {countText(edge)}
        {edge.reasons?.length ? `; ${edge.reasons.join(', ')}` : ''}
      </div>
      {edge.class === 'undeclared-allowed' && <ActionLink to={allowCallLink(topology, edge)}>Allow this call</ActionLink>}
      {edge.class === 'declared-unused' && <ActionLink to={removeCallLink(topology, edge)}>Remove this call</ActionLink>}
    </li>
  );
}

function WouldBreakItem({ topology, call }: { topology: TopologyResponse; call: WouldBreakCall }) {
  const classes = useStyles();
  return (
    <li className={classes.item}>
      {callText(topology, call)}: {countText(call)}
      <div>
        denied at <strong>{call.layer}</strong> by <strong>{call.policy || 'no policy (nothing admits it)'}</strong>
      </div>
      <div className={classes.why}>{call.reason}</div>
      <ActionLink to={allowCallLink(topology, call)}>Allow this call</ActionLink>
    </li>
  );
}

/** A cell's would-break list (with the unjudged calls, which are not counted as safe). */
function CellWouldBreak({ topology, cell, only }: { topology: TopologyResponse; cell: RolloutCell; only?: string }) {
  const classes = useStyles();
  const calls = only ? cell.wouldBreak.filter(c => c.from === only || c.to === only) : cell.wouldBreak;
  const unjudged = only ? cell.unjudged.filter(c => c.from === only || c.to === only) : cell.unjudged;
  const name = topology.cells.find(c => c.entityRef === cell.entityRef)?.title ?? refName(cell.entityRef);
  return (
    <div className={classes.section} aria-label={`would break in ${refName(cell.entityRef)}`}>
      <Typography variant="subtitle2">
        {name} ({cell.enforcement === 'audit' ? 'in audit' : 'enforcing'}):{' '}
        {calls.length === 0 ? 'nothing observed would break' : `${calls.length} observed call${calls.length === 1 ? '' : 's'} would break`}
      </Typography>
      {cell.failure && <Typography color="error">Not judged: {cell.failure}</Typography>}
      <ul className={classes.list}>
        {calls.map(c => (
          <WouldBreakItem key={`${c.from} ${c.to} ${c.port} ${c.method} ${c.path} ${c.protocol}`} topology={topology} call={c} />
        ))}
      </ul>
      {unjudged.length > 0 && (
        <details>
          <summary>
            {unjudged.length} observed call{unjudged.length === 1 ? '' : 's'} not judged request by request
          </summary>
          <ul className={classes.list}>
            {unjudged.map(u => (
              <li key={`${u.from} ${u.to} ${u.port}`}>
                {callText(topology, { ...u, protocol: 'TCP' }).replace(/ TCP$/, '')}: {u.count} calls; {u.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** What needs a decision first: undeclared calls, then denied ones, unused grants, and the declared calls made. */
const ATTENTION: TrafficEdge['class'][] = ['undeclared-allowed', 'denied', 'declared-unused', 'declared-seen'];
const byAttention = (edges: TrafficEdge[]) => [...edges].sort((a, b) => ATTENTION.indexOf(a.class) - ATTENTION.indexOf(b.class));

export interface ObservedCallsProps {
  topology: TopologyResponse;
  state: TrafficState;
  /** The selected cell or component ('' for none). */
  selected: string;
  /** The observed edge whose label was clicked, if any. */
  edge?: ObservedEdgeData;
}

/**
 * The side panel's observed traffic: what enforcing would break (for the
 * selected cell or component, or every cell), the calls of a clicked edge,
 * and the selected node's observed calls in and out, each with "Allow this
 * call" (undeclared) or "Remove this call" (unused grant) prefilled.
 */
export function ObservedCalls({ topology, state, selected, edge }: ObservedCallsProps) {
  const classes = useStyles();
  const traffic = state.traffic?.value;
  const rollout = state.rollout?.value;
  const component = topology.components.find(c => c.entityRef === selected);
  const cellRef = component?.cell ?? (topology.cells.some(c => c.entityRef === selected) ? selected : undefined);
  const rolloutCells = (rollout?.cells ?? []).filter(c => !cellRef || c.entityRef === cellRef || (component && c.wouldBreak.some(w => w.from === selected)));
  const calls = traffic?.edges ?? [];
  const into = selected ? calls.filter(e => touches(topology, e, selected, 'to')) : [];
  const outOf = selected ? calls.filter(e => touches(topology, e, selected, 'from') && !touches(topology, e, selected, 'to')) : [];
  const list = (edges: TrafficEdge[], label: string) => (
    <ul className={classes.list} aria-label={label}>
      {edges.length === 0 && <li>none in the window</li>}
      {byAttention(edges).map(e => (
        <ObservedCall key={`${e.class} ${callText(topology, e)}`} topology={topology} edge={e} />
      ))}
    </ul>
  );
  if (state.mode === 'declared') {
    return (
      <section className={classes.root} aria-label="observed traffic">
        <Typography variant="body2">
          The graph shows the declared calls. Draw the calls the flow sources observed, classified against the catalog, and what enforcing each cell would
          break:
        </Typography>
        <Button className={classes.section} variant="outlined" size="small" onClick={() => state.setMode('both')}>
          Show the observed calls
        </Button>
      </section>
    );
  }
  return (
    <section className={classes.root} aria-label="observed traffic">
      <Typography variant="h6">Observed calls, {TRAFFIC_WINDOWS[state.window].words}</Typography>
      {state.traffic?.loading && <Typography variant="body2">Reading the observed calls…</Typography>}
      {state.traffic?.error && (
        <Typography role="alert" color="error" variant="body2">
          {(state.traffic.error as { statusCode?: number }).statusCode === 404
            ? 'No flow source is configured: set cells.traffic.sources in app-config (docs/traffic.md).'
            : `Could not read the observed calls: ${state.traffic.error.message}`}
        </Typography>
      )}
      {edge && (
        <div className={classes.section}>
          <Typography variant="subtitle2">The clicked edge</Typography>
          {list(edge.observed, 'observed calls of the edge')}
        </div>
      )}
      <div className={classes.section}>
        <Typography variant="subtitle2">What enforcing would break</Typography>
        {state.rollout?.error && !state.traffic?.error && (
          <Typography role="alert" color="error" variant="body2">
            Could not judge what enforcing would break: {state.rollout.error.message}
          </Typography>
        )}
        {state.rollout?.loading && <Typography variant="body2">Judging the observed calls against the enforce-mode policies…</Typography>}
        {rolloutCells.map(c => (
          <CellWouldBreak key={c.entityRef} topology={topology} cell={c} only={component?.entityRef} />
        ))}
      </div>
      {selected ? (
        <>
          <div className={classes.section}>
            <Typography variant="subtitle2">Observed calls into {component ? component.name : refName(selected)}</Typography>
            {list(into, 'observed calls in')}
          </div>
          <div className={classes.section}>
            <Typography variant="subtitle2">Observed calls out of {component ? component.name : refName(selected)}</Typography>
            {list(outOf, 'observed calls out')}
          </div>
        </>
      ) : (
        <Typography className={classes.section} variant="body2">
          Select a cell or component to list its observed calls in and out; click an edge's label for its calls.
        </Typography>
      )}
    </section>
  );
}
