import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import type { TrafficResponse } from '../../api/types';
import { CLASS_STYLE, OVERLAY_MODES, OverlayMode, TRAFFIC_CLASSES, TRAFFIC_WINDOWS, TrafficWindow } from '../../lib/traffic';
import { trafficColour } from './trafficColour';
import type { TrafficState } from './useTraffic';

const useStyles = makeStyles(theme => ({
  row: { display: 'flex', gap: theme.spacing(1.5), flexWrap: 'wrap', alignItems: 'center', paddingBottom: theme.spacing(1) },
  legend: { display: 'flex', gap: theme.spacing(1.5), flexWrap: 'wrap', alignItems: 'center', margin: 0, padding: 0, listStyle: 'none', fontSize: 12 },
  item: { display: 'flex', alignItems: 'center', gap: 4 },
}));

const MODE_WORDS: Record<OverlayMode, string> = { declared: 'Declared', observed: 'Observed', both: 'Both' };

/** The legend: each class as its line, symbol, words and count, so it reads without colour. */
export function TrafficLegend({ counts }: { counts?: TrafficResponse['counts'] }) {
  const classes = useStyles();
  const theme = useTheme();
  return (
    <ul className={classes.legend} aria-label="observed traffic legend">
      {TRAFFIC_CLASSES.map(c => (
        <li key={c} className={classes.item}>
          <svg width="32" height="8" aria-hidden>
            <line x1="0" y1="4" x2="32" y2="4" stroke={trafficColour(theme, c)} strokeWidth="2.5" strokeDasharray={CLASS_STYLE[c].dash} />
          </svg>
          <span>
            {CLASS_STYLE[c].symbol} {CLASS_STYLE[c].words}
            {counts ? ` (${counts[c]})` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** What the last answer says of the window, or why there is none. */
function TrafficStatus({ state }: { state: TrafficState }) {
  const traffic = state.traffic;
  if (!traffic) return null;
  if (traffic.loading) return <Typography variant="body2">Reading the observed calls…</Typography>;
  if (traffic.error) {
    const notConfigured = (traffic.error as { statusCode?: number }).statusCode === 404;
    return (
      <Typography role="alert" color={notConfigured ? 'textSecondary' : 'error'} variant="body2">
        {notConfigured
          ? 'No flow source is configured: set cells.traffic.sources in app-config (docs/traffic.md).'
          : `Could not read the observed calls: ${traffic.error.message}`}
      </Typography>
    );
  }
  if (!traffic.value) return null;
  return (
    <Typography variant="body2" color="textSecondary" aria-label="observed calls read">
      {traffic.value.edges.length} observed edges from {traffic.value.sources.join(', ') || 'no source'}, {traffic.value.window.from} to{' '}
      {traffic.value.window.to}
    </Typography>
  );
}

/** The overlay switch (declared / observed / both), the window, the legend and what was read. */
export function TrafficControls({ state }: { state: TrafficState }) {
  const classes = useStyles();
  return (
    <div className={classes.row}>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={state.mode}
        aria-label="Traffic overlay"
        onChange={(_e, value: OverlayMode | null) => value && state.setMode(value)}
      >
        {OVERLAY_MODES.map(m => (
          <ToggleButton key={m} value={m} aria-label={`${MODE_WORDS[m]} calls`}>
            {MODE_WORDS[m]}
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      <TextField
        select
        size="small"
        label="Window"
        value={state.window}
        disabled={state.mode === 'declared'}
        onChange={e => state.setWindow(e.target.value as TrafficWindow)}
        inputProps={{ 'aria-label': 'Observed window' }}
        style={{ minWidth: 120 }}
      >
        {(Object.keys(TRAFFIC_WINDOWS) as TrafficWindow[]).map(w => (
          <MenuItem key={w} value={w}>
            {w.replace(/(\d+)/, '$1 ')}
          </MenuItem>
        ))}
      </TextField>
      {state.mode !== 'declared' && (
        <>
          <TrafficLegend counts={state.traffic?.value?.counts} />
          <TrafficStatus state={state} />
        </>
      )}
    </div>
  );
}
