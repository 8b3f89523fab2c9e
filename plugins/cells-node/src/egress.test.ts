import { EGRESS_UNIT_NAME, egressUnitRef, isEgressUnit } from './egress';

describe('the egress unit ref', () => {
  it('is reserved: no cell ref, not even of a cell named egress, is one', () => {
    expect(egressUnitRef('development')).toBe('egress:development');
    expect(isEgressUnit(egressUnitRef('development'))).toBe(true);
    expect(isEgressUnit('system:default/egress')).toBe(false);
    expect(isEgressUnit('system:egress/development')).toBe(false);
    // `_` is in no cell name (DNS labels), so the unit's name meets no cell's.
    expect(EGRESS_UNIT_NAME).not.toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
