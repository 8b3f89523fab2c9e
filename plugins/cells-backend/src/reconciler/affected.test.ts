import { buildCellModel, CellModel, DEFAULT_SETTINGS } from '@cellplane/cells-common';
import { artemisEntities } from '../__testUtils__/artemis';
import { affectedCells } from './affected';

const modelOf = (entities = artemisEntities()): CellModel => buildCellModel(entities, { defaultEnvironments: DEFAULT_SETTINGS.defaultEnvironments }).model;

describe('affectedCells', () => {
  const model = modelOf();

  it('marks a component’s cell and every cell it calls or is called by', () => {
    // capcom (houston) calls orion/comms-system and deep-space-network/signal-router; nobody outside houston calls capcom.
    expect([...affectedCells(['component:default/capcom'], [model])].sort()).toEqual([
      'system:default/deep-space-network',
      'system:default/houston',
      'system:default/orion',
    ]);
  });

  it('marks a System’s cell and the cells linked to its components', () => {
    const cells = affectedCells(['system:default/esa-ops'], [model]);
    expect(cells.has('system:default/esa-ops')).toBe(true);
    expect(cells.has('system:default/houston')).toBe(true); // mission-relay -> telemetry-monitor, flight-director -> service-module-monitor
    expect(cells.has('system:default/kennedy')).toBe(false);
  });

  it('still marks the callee of a call that the new model no longer has', () => {
    const entities = artemisEntities().map(e => (e.metadata.name === 'capcom' ? { ...e, spec: { ...e.spec, connections: [] } } : e));
    const after = modelOf(entities);
    expect(affectedCells(['component:default/capcom'], [after]).has('system:default/orion')).toBe(false);
    expect(affectedCells(['component:default/capcom'], [model, after]).has('system:default/orion')).toBe(true);
  });

  it('marks the cells of the components serving an API, and the cells linked to them (issue #23)', () => {
    // flight-director (houston) serves flight-director-api; kennedy's launch-control calls it.
    const cells = affectedCells(['api:default/flight-director-api'], [model]);
    expect(cells.has('system:default/houston')).toBe(true);
    expect(cells.has('system:default/kennedy')).toBe(true);
    expect(affectedCells(['api:default/nobody-serves-this'], [model]).size).toBe(0);
  });

  it('marks nothing for entities outside any cell', () => {
    expect(affectedCells(['component:default/cellplane', 'group:default/mission-management'], [model]).size).toBe(0);
  });

  it('marks the cells a Group owns: it is the subject of their RoleBinding, and may come or go', () => {
    expect([...affectedCells(['group:default/houston-flight-ops'], [model])]).toEqual(['system:default/houston']);
  });
});
