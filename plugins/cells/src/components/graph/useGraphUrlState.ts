import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { TopologyResponse } from '../../api/types';
import { collapsedFromParams, collapsedToParams, selectionChanges } from '../../lib/graph';

/** URL parameters to set (a string) or remove (undefined). */
export type UrlChanges = Record<string, string | undefined>;

export interface GraphUrlState {
  owner: string;
  /** The cell filter (the fixed cell on an entity page). */
  cell: string;
  /** The selected cell or component ref, '' for none. */
  selected: string;
  /** The search as the URL last recorded it. */
  query: string;
  collapsed: ReadonlySet<string>;
  /** Sets and removes parameters in one history entry, replacing the current one. */
  update(changes: UrlChanges): void;
  setCollapsed(collapsed: ReadonlySet<string>): void;
  /** Collapses an expanded cell or expands a collapsed one. */
  toggleCollapsed(cellRef: string): void;
  /** Selects a node, expanding its cell if it is collapsed; `alsoChange` goes into the same update. */
  select(ref: string, alsoChange?: UrlChanges): void;
}

/**
 * The graph's state that lives in the URL, so a link opens the same view:
 * owner and cell filters, the selected node, the search, and which cells are
 * collapsed (as the difference from the default, see collapsedToParams).
 */
export function useGraphUrlState(topology: TopologyResponse, fixedCell?: string): GraphUrlState {
  const [params, setParams] = useSearchParams();
  const collapsedParam = params.get('collapsed');
  const expandedParam = params.get('expanded');
  const collapsed = useMemo(
    () => collapsedFromParams(topology, { collapsed: collapsedParam, expanded: expandedParam }),
    [collapsedParam, expandedParam, topology],
  );
  const update = useCallback(
    (changes: UrlChanges) =>
      setParams(
        prev => {
          const next = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(changes)) {
            if (value === undefined) next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const setCollapsed = useCallback((next: ReadonlySet<string>) => update(collapsedToParams(topology, next)), [topology, update]);
  const toggleCollapsed = useCallback(
    (cellRef: string) => {
      const next = new Set(collapsed);
      if (!next.delete(cellRef)) next.add(cellRef);
      setCollapsed(next);
    },
    [collapsed, setCollapsed],
  );
  const select = useCallback(
    (ref: string, alsoChange: UrlChanges = {}) => update({ ...alsoChange, ...selectionChanges(topology, collapsed, ref) }),
    [topology, collapsed, update],
  );
  return {
    owner: params.get('owner') ?? '',
    cell: fixedCell ?? params.get('cell') ?? '',
    selected: params.get('selected') ?? '',
    query: params.get('q') ?? '',
    collapsed,
    update,
    setCollapsed,
    toggleCollapsed,
    select,
  };
}
