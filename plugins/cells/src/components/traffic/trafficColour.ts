import type { Theme } from '@material-ui/core/styles';
import type { TrafficClass } from '../../lib/traffic';

/** A class's colour from the theme (beside its symbol, words and dash pattern: never the only cue). */
export function trafficColour(theme: Theme, trafficClass: TrafficClass): string {
  const status = (theme.palette as unknown as { status?: Record<string, string> }).status ?? {};
  switch (trafficClass) {
    case 'declared-seen':
      return status.ok ?? theme.palette.success.main;
    case 'undeclared-allowed':
      return status.warning ?? theme.palette.warning.main;
    case 'denied':
      return status.error ?? theme.palette.error.main;
    default:
      return theme.palette.text.secondary;
  }
}
