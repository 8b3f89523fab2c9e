import { KeyboardEvent, useCallback } from 'react';
import { arrowTarget } from '../../lib/view';
import { nodeElement } from './useGraphView';

/**
 * Arrow keys move between nodes in reading order (`order`, the order drawn)
 * from the focused node, or the selected one: the next node is selected and
 * focused. Enter and Space select the focused node (xyflow's own handling).
 */
export function useArrowKeys(order: readonly string[], selected: string, select: (ref: string) => void) {
  return useCallback(
    (event: KeyboardEvent<HTMLElement>) => {
      const active = (document.activeElement as HTMLElement | null)?.getAttribute('data-id') ?? selected;
      const next = arrowTarget(order, active, event.key);
      if (!next) return;
      event.preventDefault();
      select(next);
      nodeElement(next)?.focus();
    },
    [order, selected, select],
  );
}
