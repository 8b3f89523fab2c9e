import { useMemo, useState } from 'react';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useApi } from '@backstage/frontend-plugin-api';
import type { AttackPreset, SimulateBody, SimulateResponse, TopologyResponse } from '../api/types';
import { cellsApiRef } from '../api/CellsApi';
import { rateLimitText } from '../lib/frontDoor';
import { refName } from '../lib/graph';
import { sortNatural } from '../lib/naturalOrder';
import { ErrorNote } from './ErrorNote';
import { Choice, SearchableSelect } from './SearchableSelect';
import { useAsync } from './useAsync';

const useStyles = makeStyles(theme => ({
  root: { padding: theme.spacing(2), overflowY: 'auto', height: '100%', boxSizing: 'border-box' },
  row: { display: 'flex', gap: theme.spacing(1), flexWrap: 'wrap', alignItems: 'center', marginBottom: theme.spacing(1) },
  // Source and target take a row each (long names such as 'rogue pod in deep-space-network' stay readable);
  // the preset filters share one.
  wide: { flex: '1 1 100%' },
  half: { flex: '1 1 180px' },
  presets: { display: 'flex', gap: 4, flexWrap: 'wrap', margin: theme.spacing(1, 0), maxHeight: 220, overflowY: 'auto' },
  allowed: { color: theme.palette.success.main, fontWeight: 600 },
  denied: { color: theme.palette.error.main, fontWeight: 600 },
}));

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Simulations "Run all" keeps in flight at once (hundreds at once would queue in the browser and the backend alike). */
export const RUN_ALL_CONCURRENCY = 4;

/** Runs `task` over `items` with at most `concurrency` at a time; results in the items' order. */
async function pool<T, R>(items: T[], concurrency: number, task: (item: T) => Promise<R>, onDone: (done: number) => void): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
      onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** The source select's value <-> SimulateBody.from. */
function encodeSource(from: SimulateBody['from']): string {
  if (typeof from === 'string') return `component:${from}`;
  return 'rogue' in from ? `rogue:${from.rogue}` : 'gateway';
}
function decodeSource(value: string): SimulateBody['from'] {
  if (value === 'gateway') return { gateway: true };
  if (value.startsWith('rogue:')) return { rogue: value.slice('rogue:'.length) };
  return value.slice('component:'.length);
}

/** Why the deciding layer decided: the front door's message, or the mesh layer's reason. */
function decidingReason(response?: SimulateResponse): string | undefined {
  if (response?.decidedBy === 'edge-auth') return response.edge?.message;
  return response?.layers.find(l => l.layer === response.decidedBy)?.reason ?? response?.explanation;
}

function resultWord(response?: SimulateResponse, error?: Error): string {
  if (error) return 'error';
  return response?.allowed ? 'allowed' : 'denied';
}

/**
 * The simulator's lists in natural order: sources (the gateway, a rogue pod
 * in each cell, each component), targets (components as `cell/name`), and
 * the preset filters' cells.
 */
export function simulatorChoices(topology: TopologyResponse) {
  const cellNames = sortNatural(topology.cells.map(c => refName(c.entityRef)));
  const components = sortNatural(topology.components.map(c => `${refName(c.cell)}/${c.name}`));
  const sources: Choice[] = [
    { value: 'gateway', label: 'external gateway' },
    ...cellNames.map(c => ({ value: `rogue:${c}`, label: `rogue pod in ${c}` })),
    ...components.map(c => ({ value: `component:${c}`, label: c })),
  ];
  return {
    cellNames,
    components,
    sources,
    targets: components.map(c => ({ value: c, label: c })),
    rogues: [{ value: '', label: 'a rogue pod in any cell' }, ...cellNames.map(c => ({ value: c, label: `a rogue pod in ${c}` }))],
    targetCells: [{ value: '', label: 'any cell' }, ...cellNames.map(c => ({ value: c, label: c }))],
  };
}

export interface SimulatorProps {
  topology: TopologyResponse;
  environment: string;
  /** Called with each single simulation so the page can draw its path. */
  onResult(body: SimulateBody, response: SimulateResponse | undefined): void;
}

function describeRequest(body: SimulateBody): string {
  const from = encodeSource(body.from);
  const source = from.startsWith('rogue:') ? `a rogue pod in ${from.slice('rogue:'.length)}` : from.replace(/^component:/, '');
  const who = source === 'gateway' ? 'the external gateway' : source;
  const outside = body.toHost ?? body.toIp;
  if (outside !== undefined) {
    const protocol = body.protocol ?? (body.toHost !== undefined ? 'TLS' : 'TCP');
    const http = protocol === 'HTTP' ? ` ${body.method ?? 'GET'} ${body.path ?? '/'}` : '';
    return `${protocol}${http} from ${who} to ${outside}:${body.port} outside the cluster`;
  }
  return `${body.method ?? 'GET'} ${body.path ?? '/'} from ${who} to ${body.to}${body.token !== undefined ? ' with a token' : ''}`;
}

// A reason runs to several lines in the side panel: the layer and verdict stay on one line, at its top.
const TOP = { verticalAlign: 'top' } as const;
const NARROW = { ...TOP, whiteSpace: 'nowrap' } as const;

function Verdict({ body, response }: { body: SimulateBody; response: SimulateResponse }) {
  const classes = useStyles();
  return (
    <div aria-live="polite">
      <Typography variant="body2" data-testid="simulation-request">
        {describeRequest(body)}
      </Typography>
      <Typography className={response.allowed ? classes.allowed : classes.denied} data-testid="simulation-verdict">
        {response.allowed ? 'Allowed' : `Denied at ${response.decidedBy ?? 'an unknown layer'}`}
        {response.impersonating ? ` (impersonating ${response.impersonating})` : ''}
      </Typography>
      <Table size="small" aria-label="verdict per layer">
        <TableHead>
          <TableRow>
            <TableCell style={NARROW}>Layer</TableCell>
            <TableCell style={NARROW}>Verdict</TableCell>
            <TableCell>Reason</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {response.edge && (
            // The front door judges a request from the gateway before the mesh does: its row comes first.
            <TableRow key="edge-auth">
              <TableCell style={NARROW}>edge-auth</TableCell>
              <TableCell style={NARROW}>{response.edge.verdict}</TableCell>
              <TableCell style={TOP}>
                {response.edge.reason}: {response.edge.message}
                {response.edge.rateLimit ? ` (rate limit ${rateLimitText(response.edge.rateLimit)}: reported, not simulated)` : ''}
              </TableCell>
            </TableRow>
          )}
          {response.layers.map(l => (
            <TableRow key={l.layer}>
              <TableCell style={NARROW}>{l.layer}</TableCell>
              <TableCell style={NARROW}>{l.verdict}</TableCell>
              <TableCell style={TOP}>
                {l.reason}
                {l.policies.length > 0 ? ` [${l.policies.join(', ')}]` : ''}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Typography variant="body2" data-testid="simulation-explanation">
        {response.explanation}
      </Typography>
    </div>
  );
}

/** Pick a source, a target, a method and a path; see each layer's verdict and why. */
export function Simulator({ topology, environment, onResult }: SimulatorProps) {
  const api = useApi(cellsApiRef);
  const classes = useStyles();
  const lists = useMemo(() => simulatorChoices(topology), [topology]);
  const [source, setSource] = useState(encodeSource(lists.cellNames[0] ? { rogue: lists.cellNames[0] } : { gateway: true }));
  const [target, setTarget] = useState(lists.components[0] ?? '');
  const [method, setMethod] = useState('GET');
  const [path, setPath] = useState('/');
  // The bearer token a request from the gateway carries: JSON claims or a JWT, sent as typed (the backend reads it).
  const [token, setToken] = useState('');
  const [result, setResult] = useState<{ body: SimulateBody; response?: SimulateResponse; error?: Error }>();
  const [presetFilter, setPresetFilter] = useState('');
  const [table, setTable] = useState<{ preset: AttackPreset; response?: SimulateResponse; error?: Error }[]>();
  const [running, setRunning] = useState<{ done: number; total: number }>();
  // Which presets to ask for: the backend lists them per rogue pod's cell and target cell (all of them is
  // cells x endpoints x operations) and cuts the answer at its limit.
  const [presetRogue, setPresetRogue] = useState('');
  const [presetTarget, setPresetTarget] = useState('');
  const attacks = useAsync(
    () => api.listAttacks({ environment, rogue: presetRogue || undefined, target: presetTarget || undefined }),
    [api, environment, presetRogue, presetTarget],
  );

  const run = async (body: SimulateBody) => {
    setSource(encodeSource(body.from));
    if (body.to !== undefined) setTarget(body.to);
    if (body.method) setMethod(body.method);
    if (body.path) setPath(body.path);
    try {
      const response = await api.simulate({ ...body, environment });
      setResult({ body, response });
      onResult(body, response);
    } catch (error) {
      setResult({ body, error: error as Error });
      onResult(body, undefined);
    }
  };

  const phrase = presetFilter.trim().toLowerCase();
  const shownPresets = (attacks.value?.items ?? []).filter(p => p.title.toLowerCase().includes(phrase));

  const runAll = async () => {
    const presets = shownPresets;
    setRunning({ done: 0, total: presets.length });
    const rows = await pool(
      presets,
      RUN_ALL_CONCURRENCY,
      preset =>
        api.simulate({ ...preset.body, environment }).then(
          response => ({ preset, response }),
          error => ({ preset, error: error as Error }),
        ),
      done => setRunning({ done, total: presets.length }),
    );
    setRunning(undefined);
    setTable(rows);
  };

  return (
    <section className={classes.root} aria-label="attack simulator">
      <Typography variant="h6">Attack simulator</Typography>
      <form
        className={classes.row}
        onSubmit={e => {
          e.preventDefault();
          run({ from: decodeSource(source), to: target, method, path, ...(source === 'gateway' && token.trim() ? { token: token.trim() } : {}) });
        }}
      >
        <SearchableSelect className={classes.wide} label="Source" choices={lists.sources} value={source} onChange={setSource} />
        <SearchableSelect className={classes.wide} label="Target" choices={lists.targets} value={target} onChange={setTarget} />
        <TextField
          select
          size="small"
          label="Method"
          value={method}
          onChange={e => setMethod(e.target.value as string)}
          inputProps={{ 'aria-label': 'Method' }}
        >
          {METHODS.map(m => (
            <MenuItem key={m} value={m}>
              {m}
            </MenuItem>
          ))}
        </TextField>
        <TextField size="small" label="Path" value={path} onChange={e => setPath(e.target.value)} inputProps={{ 'aria-label': 'Path' }} />
        {source === 'gateway' && (
          <TextField
            className={classes.wide}
            size="small"
            multiline
            minRows={2}
            maxRows={8}
            label="Token (JSON claims or a JWT)"
            placeholder='{"iss": "https://idp.example", "aud": ["flight-ops"], "scope": "mission.control"}'
            helperText="Empty: a request without a token. Only the claims are read; the signature is not checked."
            value={token}
            onChange={e => setToken(e.target.value)}
            inputProps={{ 'aria-label': 'Token', spellCheck: false, style: { fontFamily: 'monospace', fontSize: 12 } }}
          />
        )}
        <Button type="submit" variant="contained" color="primary">
          Simulate
        </Button>
      </form>
      <Typography variant="subtitle2">Attacks from the cells</Typography>
      <div className={classes.row}>
        <SearchableSelect className={classes.half} label="Attacks from" choices={lists.rogues} value={presetRogue} onChange={setPresetRogue} />
        <SearchableSelect className={classes.half} label="Attacks on" choices={lists.targetCells} value={presetTarget} onChange={setPresetTarget} />
        <TextField
          size="small"
          className={classes.wide}
          label="Filter attacks"
          value={presetFilter}
          onChange={e => setPresetFilter(e.target.value)}
          inputProps={{ 'aria-label': 'Filter attacks' }}
        />
      </div>
      {attacks.error && <ErrorNote error={attacks.error} what="the attack presets" />}
      {attacks.value?.truncated && (
        <Typography variant="body2" role="status">
          Showing the first {attacks.value.items.length} attacks; choose where they come from and what they target to see the others.
        </Typography>
      )}
      <div className={classes.presets} role="group" aria-label="attack presets">
        {shownPresets.map(preset => (
          <Button key={preset.id} size="small" variant="outlined" style={{ textTransform: 'none' }} data-preset={preset.id} onClick={() => run(preset.body)}>
            {preset.title}
          </Button>
        ))}
        {shownPresets.length > 0 && (
          <Button size="small" variant="contained" onClick={runAll} disabled={running !== undefined}>
            {running ? `Running ${running.done} of ${running.total}…` : 'Run all'}
          </Button>
        )}
      </div>
      {result?.error && <ErrorNote error={result.error} what="the simulation" />}
      {result?.response && <Verdict body={result.body} response={result.response} />}
      {table && (
        <Table size="small" aria-label="all attacks">
          <TableHead>
            <TableRow>
              <TableCell>Attack</TableCell>
              <TableCell>Result</TableCell>
              <TableCell>Deciding layer</TableCell>
              <TableCell>Reason</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {table.map(({ preset, response, error }) => (
              <TableRow key={preset.id} data-attack={preset.id}>
                <TableCell>{preset.title}</TableCell>
                <TableCell className={response?.allowed ? classes.allowed : classes.denied}>{resultWord(response, error)}</TableCell>
                <TableCell>{response?.decidedBy ?? '—'}</TableCell>
                <TableCell>{error ? error.message : decidingReason(response)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}
