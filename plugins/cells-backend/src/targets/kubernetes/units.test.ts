import { CELL_LABEL, EGRESS_LABEL, ENVIRONMENT_LABEL, MANAGED_BY } from '@cellplane/cells-common';
import { EGRESS_UNIT_NAME } from '@cellplane/plugin-cells-node';
import { ownerOf, unitOf } from './units';

const labelled = (labels: Record<string, string>) => ({ metadata: { labels } });

describe('unitOf', () => {
  it.each([
    // cell label, egress label -> unit
    [undefined, undefined, undefined],
    ['kennedy', undefined, 'kennedy'],
    [undefined, 'true', EGRESS_UNIT_NAME],
    // Only "true" marks the egress unit: anything else is read as no mark.
    [undefined, 'false', undefined],
    [undefined, 'yes', undefined],
    ['kennedy', 'false', 'kennedy'],
    // Claims both: belongs to neither, so nothing prunes or applies over it.
    ['kennedy', 'true', undefined],
    ['', undefined, undefined],
  ])('cell %p, egress %p -> %p', (cell, egress, unit) => {
    const labels: Record<string, string> = {};
    if (cell !== undefined) labels[CELL_LABEL] = cell;
    if (egress !== undefined) labels[EGRESS_LABEL] = egress;
    expect(unitOf(labelled(labels))).toBe(unit);
  });

  it('reads an object without labels, and no object, as no unit', () => {
    expect(unitOf({ metadata: {} })).toBeUndefined();
    expect(unitOf(undefined)).toBeUndefined();
  });
});

describe('ownerOf', () => {
  const ours = { [MANAGED_BY]: 'cellplane', [ENVIRONMENT_LABEL]: 'development' };
  it.each([
    [{}, 'not managed by Cellplane'],
    [{ [CELL_LABEL]: 'kennedy' }, 'not managed by Cellplane'],
    [{ ...ours, [CELL_LABEL]: 'kennedy' }, "Cellplane's object of cell kennedy"],
    [{ ...ours, [EGRESS_LABEL]: 'true' }, "Cellplane's object of the platform egress namespace"],
    [{ ...ours, [ENVIRONMENT_LABEL]: 'production', [EGRESS_LABEL]: 'true' }, "Cellplane's object of the platform egress namespace in environment production"],
    [{ [MANAGED_BY]: 'cellplane', [CELL_LABEL]: 'kennedy' }, "Cellplane's object of cell kennedy in environment (none)"],
    [{ ...ours, [CELL_LABEL]: 'kennedy', [EGRESS_LABEL]: 'true' }, "Cellplane's object of no cell"],
  ])('%p -> %p', (labels, owner) => {
    expect(ownerOf(labelled(labels), 'development')).toBe(owner);
  });
});
