import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { visibilityAdmits } from '@cellplane/cells-common/browser';
import type { Endpoint, TopologyResponse } from '../api/types';
import { compareNatural } from '../lib/naturalOrder';

/** One endpoint a caller may be connected to. */
export interface EndpointOption {
  /** Component entity ref. */
  component: string;
  componentTitle: string;
  /** As the backend's topology describes it. */
  endpoint: Endpoint;
  /** Cell entity ref and title. */
  cell: string;
  cellTitle: string;
}

export interface Reachable {
  /** The caller's cell; undefined when the caller is in no cell the backend knows. */
  callerCell?: string;
  options: EndpointOption[];
  /** Endpoints left out because their visibility keeps them inside another cell. */
  hidden: number;
}

/** A ref as the catalog writes it (`component:default/x`), or undefined when the input is not a ref. */
export function normalizeRef(value: unknown, defaultKind: string): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    return stringifyEntityRef(parseEntityRef(value, { defaultKind, defaultNamespace: 'default' }));
  } catch {
    return undefined;
  }
}

/**
 * The endpoints of other components that the caller's cell may reach. The
 * decision is the core's own (visibilityAdmits), so the picker offers exactly
 * what the catalog and the connection action accept.
 */
export function reachableEndpoints(topology: TopologyResponse, caller: string | undefined): Reachable {
  const callerCell = caller ? topology.components.find(c => c.entityRef === caller)?.cell : undefined;
  if (!callerCell) return { options: [], hidden: 0 };
  const cellTitles = new Map(topology.cells.map(c => [c.entityRef, c.title]));
  const options: EndpointOption[] = [];
  let hidden = 0;
  for (const component of topology.components) {
    if (component.entityRef === caller) continue;
    for (const endpoint of component.endpoints) {
      if (!visibilityAdmits(endpoint, callerCell, component.cell)) {
        hidden++;
        continue;
      }
      options.push({
        component: component.entityRef,
        componentTitle: component.title ?? component.name,
        endpoint,
        cell: component.cell,
        cellTitle: cellTitles.get(component.cell) ?? component.cell,
      });
    }
  }
  // The caller's own cell first, then by cell and component in natural order (cell-2 before cell-10).
  options.sort(
    (a, b) =>
      Number(b.cell === callerCell) - Number(a.cell === callerCell) ||
      compareNatural(a.cellTitle, b.cellTitle) ||
      compareNatural(a.componentTitle, b.componentTitle) ||
      compareNatural(a.endpoint.name, b.endpoint.name),
  );
  return { callerCell, options, hidden };
}
