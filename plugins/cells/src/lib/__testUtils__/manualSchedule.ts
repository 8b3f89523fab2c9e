import { act } from '@testing-library/react';
import type { Schedule } from '../schedule';

/**
 * A Schedule for tests: nothing runs by itself. `delays()` says what is
 * waiting (and for how long it asked to wait); `fire()` runs the one waiting
 * callback inside act(), so a test steps through polls one at a time.
 */
export function manualSchedule() {
  const waiting: { run(): void; ms: number }[] = [];
  const schedule: Schedule = (run, ms) => {
    const entry = { run, ms };
    waiting.push(entry);
    return () => {
      const index = waiting.indexOf(entry);
      if (index >= 0) waiting.splice(index, 1);
    };
  };
  return {
    schedule,
    delays: () => waiting.map(w => w.ms),
    fire() {
      if (waiting.length !== 1) throw new Error(`expected one scheduled callback, found ${waiting.length} (${waiting.map(w => w.ms).join(', ')} ms)`);
      const [entry] = waiting.splice(0, 1);
      act(() => entry.run());
    },
  };
}
