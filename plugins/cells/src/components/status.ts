import type { CellState } from '../api/types';
import type { Theme } from '@material-ui/core/styles';
import type { Mark } from '../lib/graph';

/** The word shown next to every state colour (colour is never the only cue). */
export const STATE_WORDS: Record<CellState, string> = {
  'in-sync': 'in sync',
  pending: 'pending',
  drifted: 'drifted',
  degraded: 'degraded',
  error: 'error',
  'not-applied': 'not applied',
};

export function stateWord(state: CellState | string): string {
  return STATE_WORDS[state as CellState] ?? state;
}

/** State colours from the Backstage theme's status palette, so light and dark both read well. */
export function stateColour(theme: Theme, state: CellState | string): string {
  const status = (theme.palette as unknown as { status?: Record<string, string> }).status ?? {};
  switch (state) {
    case 'in-sync':
      return status.ok ?? theme.palette.success.main;
    case 'pending':
      return status.pending ?? theme.palette.info.main;
    case 'drifted':
    case 'degraded':
      return status.warning ?? theme.palette.warning.main;
    case 'error':
      return status.error ?? theme.palette.error.main;
    default:
      return status.aborted ?? theme.palette.text.secondary;
  }
}

export function markColour(theme: Theme, mark: Mark | undefined): string | undefined {
  switch (mark) {
    case 'source':
      return theme.palette.secondary.main;
    case 'reaches':
      return theme.palette.error.main;
    case 'reached-by':
      return theme.palette.warning.main;
    case 'path':
      return theme.palette.info.main;
    case 'denied':
      return theme.palette.error.dark;
    default:
      return undefined;
  }
}

export const MARK_WORDS: Record<Mark, string> = {
  source: 'selected source',
  reaches: 'reachable from the source',
  'reached-by': 'may reach the source',
  path: 'on the simulated path',
  denied: 'simulated request denied here',
};
