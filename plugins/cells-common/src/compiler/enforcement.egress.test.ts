import { Entity } from '@backstage/catalog-model';
import { readCellsSettings } from '../settings/read';
import { CellsSettings } from '../settings/settings';
import { artemisEntities } from '../testing/artemis';
import { buildCellModel, modelOptions } from '../validation/catalog';
import { createSimulation } from '../verify/simulation';
import { simulateEgress } from '../verify/egress';

/**
 * One cell in audit must not open the shared egress waypoint for the
 * enforcing cells (docs/rollout.md): Artemis plus a second host, declared by
 * orion/comms-system, so each enforcing caller has a host it did not declare.
 */
const SECOND_HOST = 'telemetry.nasa.example';

function withSecondHost(auditing: string[]): Entity[] {
  return artemisEntities().map(e => {
    const spec = e.spec as Record<string, any>;
    if (e.kind === 'System' && e.metadata.name === 'orion') {
      return { ...e, spec: { ...spec, cell: { ...spec.cell, egress: { hosts: [SECOND_HOST] } } } };
    }
    if (e.kind === 'System' && auditing.includes(e.metadata.name)) {
      return { ...e, spec: { ...spec, cell: { ...spec.cell, enforcement: 'audit' } } };
    }
    if (e.kind === 'Component' && e.metadata.name === 'comms-system') {
      return { ...e, spec: { ...spec, egress: [{ host: SECOND_HOST, port: 443, protocol: 'TLS' }] } };
    }
    return e;
  });
}

function simulationOf(settings: CellsSettings, auditing: string[]) {
  const { model, problems } = buildCellModel(withSecondHost(auditing), modelOptions(settings));
  expect(problems).toEqual([]);
  return createSimulation(model, settings, 'development');
}

const WEATHER = { host: 'api.weather.gov', port: 443, protocol: 'TLS' as const };
const TELEMETRY = { host: SECOND_HOST, port: 443, protocol: 'TLS' as const };

describe.each(['kubernetes', 'cilium'] as const)(
  '%s network policies: a cell in audit beside enforcing cells, who reaches which declared host',
  networkPolicy => {
    const settings = readCellsSettings({ environments: [{ name: 'development', networkPolicy }] });
    const enforcing = simulationOf(settings, []);
    const houstonAudits = simulationOf(settings, ['houston']);

    // [caller, host, allowed with every cell enforcing, allowed with houston in audit]
    const table: [string, { component: string } | { rogue: string }, typeof WEATHER, boolean, boolean][] = [
      ['kennedy/weather-station (declared)', { component: 'component:default/weather-station' }, WEATHER, true, true],
      ['orion/comms-system (declared)', { component: 'component:default/comms-system' }, TELEMETRY, true, true],
      ['kennedy/weather-station to the host it did not declare', { component: 'component:default/weather-station' }, TELEMETRY, false, false],
      ['orion/comms-system to the host it did not declare', { component: 'component:default/comms-system' }, WEATHER, false, false],
      ['a rogue pod in orion (enforcing)', { rogue: 'system:default/orion' }, WEATHER, false, false],
      ['a rogue pod in houston (audited)', { rogue: 'system:default/houston' }, WEATHER, false, true],
      ['a rogue pod in houston (audited), the other host', { rogue: 'system:default/houston' }, TELEMETRY, false, true],
      ['houston/capcom (audited, declared no egress)', { component: 'component:default/capcom' }, TELEMETRY, false, true],
    ];
    it.each(table)('%s', (_title, from, probe, whenEnforcing, whenHoustonAudits) => {
      expect(simulateEgress(enforcing, from, probe).allowed).toBe(whenEnforcing);
      expect(simulateEgress(houstonAudits, from, probe).allowed).toBe(whenHoustonAudits);
    });

    it('denies an enforcing caller the undeclared host at the egress waypoint, naming its policy', () => {
      const result = simulateEgress(houstonAudits, { component: 'component:default/comms-system' }, WEATHER);
      expect(result).toMatchObject({ allowed: false, decidedBy: 'L7' });
    });
  },
);
