import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import type { PreviewObserved, WouldBreakCall } from '../api/types';

const short = (ref: string) => ref.replace(/^component:(default\/)?/, '');

/** One observed call the change would break, in words: the review before Create lists these. */
export function breakText(call: WouldBreakCall): string {
  const what = [call.protocol, call.method ?? '', call.path ?? ''].filter(Boolean).join(' ');
  const times = `${call.count} call${call.count === 1 ? '' : 's'}, last ${call.lastSeen}`;
  return `${short(call.from)} -> ${short(call.to)} ${what} (${times}): denied at ${call.layer} by ${call.policy || 'no policy (nothing admits it)'}`;
}

/** One observed call the change lets through that enforcing would have denied. */
export function mendText(call: WouldBreakCall): string {
  const what = [call.protocol, call.method ?? '', call.path ?? ''].filter(Boolean).join(' ');
  return `${short(call.from)} -> ${short(call.to)} ${what} (${call.count} call${call.count === 1 ? '' : 's'}): no longer denied at ${call.layer} by ${
    call.policy || 'no policy'
  }`;
}

function Mended({ calls }: { calls: WouldBreakCall[] }) {
  if (calls.length === 0) return null;
  return (
    <Alert severity="success" aria-label="observed calls it lets through" style={{ marginBottom: 8 }}>
      <strong>
        {calls.length} observed call{calls.length === 1 ? '' : 's'} that enforcing would have broken {calls.length === 1 ? 'is' : 'are'} allowed after this
        change:
      </strong>
      <ul style={{ margin: 0 }}>
        {calls.map(call => (
          <li key={mendText(call)}>{mendText(call)}</li>
        ))}
      </ul>
    </Alert>
  );
}

/**
 * What the backend found the change would break among the observed calls
 * (POST /preview's `observed`: enforce-mode manifests before and after the
 * change, judged by the core). A warning, never a refusal: breaking a call can
 * be the point of the change.
 */
export function ObservedBreaks({ observed }: { observed: PreviewObserved }) {
  const span = `between ${observed.window.from} and ${observed.window.to}`;
  if (observed.failure) {
    return (
      <Alert severity="info" aria-label="observed calls it would break">
        Could not judge the observed calls: {observed.failure}
      </Alert>
    );
  }
  const already = observed.alreadyDenied
    ? ` ${observed.alreadyDenied} observed call${observed.alreadyDenied === 1 ? ' is' : 's are'} denied by the enforce-mode policies with or without it.`
    : '';
  if (observed.wouldBreak.length === 0) {
    return (
      <>
        <Box mb={1} aria-label="observed calls it would break">
          <Typography variant="body2">
            None of the calls observed {span} ({observed.sources.join(', ')}) would break once the cells enforce.{already}
          </Typography>
        </Box>
        <Mended calls={observed.noLongerBroken} />
      </>
    );
  }
  return (
    <>
      <Alert severity="warning" aria-label="observed calls it would break" style={{ marginBottom: 8 }}>
        <strong>
          {observed.wouldBreak.length} observed call{observed.wouldBreak.length === 1 ? '' : 's'} would break
        </strong>{' '}
        once the cells enforce (calls seen {span}):
        <ul style={{ margin: 0 }}>
          {observed.wouldBreak.map(call => (
            <li key={breakText(call)}>
              {breakText(call)}
              <div style={{ opacity: 0.8 }}>{call.reason}</div>
            </li>
          ))}
        </ul>
        {already}
      </Alert>
      <Mended calls={observed.noLongerBroken} />
    </>
  );
}
