import { CELL_LABEL, EGRESS_LABEL, ENVIRONMENT_LABEL, MANAGED_BY } from '@cellplane/cells-common';
import { EGRESS_UNIT_NAME } from '@cellplane/plugin-cells-node';

type Labelled = { metadata: { labels?: Record<string, string> } };

/**
 * The unit a live object belongs to, as its labels say: a cell's name
 * (`cellplane.io/cell`), or `EGRESS_UNIT_NAME` for the platform egress
 * namespace (`cellplane.io/egress: "true"`, docs/egress.md). An object that
 * claims both, or neither, belongs to no unit: nothing prunes it and nothing
 * applies over it.
 */
export function unitOf(o: Labelled | undefined): string | undefined {
  const labels = o?.metadata.labels ?? {};
  const cell = labels[CELL_LABEL];
  const egress = labels[EGRESS_LABEL] === 'true';
  if (cell && egress) return undefined;
  if (egress) return EGRESS_UNIT_NAME;
  return cell || undefined;
}

/** Whose an object that stands in a unit's way is, for the conflict message. */
export function ownerOf(o: Labelled, environment: string): string {
  const labels = o.metadata.labels ?? {};
  if (labels[MANAGED_BY] !== 'cellplane') return 'not managed by Cellplane';
  const unit = unitOf(o);
  let what = unit ? `cell ${unit}` : 'no cell';
  if (unit === EGRESS_UNIT_NAME) what = 'the platform egress namespace';
  const other = labels[ENVIRONMENT_LABEL] !== environment ? ` in environment ${labels[ENVIRONMENT_LABEL] ?? '(none)'}` : '';
  return `Cellplane's object of ${what}${other}`;
}
