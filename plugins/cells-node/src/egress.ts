/*
 * The platform egress namespace of an environment (docs/egress.md) travels to
 * a target as one more unit beside the cells: a DesiredCell under a reserved
 * ref that no catalog entity can have (entity refs of cells are
 * `system:<namespace>/<name>`), so the target writes, records and prunes it
 * like a cell while status and history, which are about catalog cells, leave
 * it out.
 */

/** The `cellName` of the egress unit: `_` is in no cell name, so it never meets one. */
export const EGRESS_UNIT_NAME = '_egress';

const PREFIX = 'egress:';

/** The reserved ref of an environment's egress unit. */
export function egressUnitRef(environment: string): string {
  return `${PREFIX}${environment}`;
}

/** Whether a ref is an egress unit's rather than a catalog cell's. */
export function isEgressUnit(entityRef: string): boolean {
  return entityRef.startsWith(PREFIX);
}
