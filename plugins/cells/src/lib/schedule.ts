/**
 * Runs `run` once, `ms` from now, and returns what cancels it. The page's
 * polls go through one, so tests fire them by hand (see __testUtils__/manualSchedule.ts)
 * instead of racing short real intervals.
 */
export type Schedule = (run: () => void, ms: number) => () => void;

/** The browser's own timers. */
export const timerSchedule: Schedule = (run, ms) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};
