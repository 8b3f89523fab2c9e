import { normalizeRef, reachableEndpoints } from './reachable';
import { pickerTopology } from './testFields';

describe('reachableEndpoints', () => {
  it("offers the caller's own cell and other cells' organization or public endpoints, never the caller itself", () => {
    const { callerCell, options, hidden } = reachableEndpoints(pickerTopology(), 'component:default/capcom');
    expect(callerCell).toBe('system:default/houston');
    expect(options.map(o => `${o.component} ${o.endpoint.name}`)).toEqual([
      'component:default/flight-director admin',
      'component:default/flight-director http',
      'component:default/comms-system http',
      'component:default/life-support telemetry',
    ]);
    // guidance-nav and life-support's http are project-only in orion.
    expect(hidden).toBe(2);
  });

  it('offers nothing without a caller in a cell', () => {
    expect(reachableEndpoints(pickerTopology(), undefined)).toEqual({ options: [], hidden: 0 });
    expect(reachableEndpoints(pickerTopology(), 'component:default/nobody')).toEqual({ options: [], hidden: 0 });
  });

  it('normalizes refs the way the catalog writes them', () => {
    expect(normalizeRef('capcom', 'component')).toBe('component:default/capcom');
    expect(normalizeRef('System:Default/Houston', 'system')).toBe('system:default/houston');
    expect(normalizeRef('', 'system')).toBeUndefined();
    expect(normalizeRef(3, 'system')).toBeUndefined();
  });
});
