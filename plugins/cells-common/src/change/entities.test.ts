import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { artemisEntities } from '../testing/artemis';
import { changeProblems, compileChange } from './change';
import { egressEntry, withEgress, withoutConnection } from './entities';

const catalog = artemisEntities();
const byRef = (ref: string) => catalog.find(e => stringifyEntityRef(e) === ref)!;
const spec = (e: Entity) => e.spec as Record<string, any>;

describe('egressEntry', () => {
  it('writes a host entry in the format order, one port as port, empty fields left out', () => {
    const entry = egressEntry({ host: ' api.weather.gov ', ports: [443], protocol: 'TLS', methods: [], paths: [], except: [], reason: '' });
    expect(entry).toEqual({ host: 'api.weather.gov', port: 443, protocol: 'TLS' });
    expect(Object.keys(egressEntry({ cidr: '10.20.9.0/24', except: ['10.20.9.0/28'], ports: [5432, 5433], protocol: 'TCP', reason: 'db' }))).toEqual([
      'cidr',
      'except',
      'ports',
      'protocol',
      'reason',
    ]);
  });

  it('keeps a host and a cidr together, so validation refuses the entry instead of one of them vanishing', () => {
    const launch = withEgress(byRef('component:default/launch-control'), egressEntry({ host: 'api.weather.gov', cidr: '10.20.0.0/24', ports: [443] }));
    expect(changeProblems(catalog, [launch], DEFAULT_SETTINGS).map(p => p.field)).toEqual(['spec.egress[0]']);
  });
});

describe('a proposed egress entry', () => {
  const launch = byRef('component:default/launch-control');

  it('inside the ceiling: the diff names what the component may now reach', () => {
    const changed = withEgress(launch, egressEntry({ host: 'api.weather.gov', ports: [443], protocol: 'TLS' }));
    expect(changeProblems(catalog, [changed], DEFAULT_SETTINGS)).toEqual([]);
    const { accessDiff } = compileChange(catalog, [changed], DEFAULT_SETTINGS);
    expect(accessDiff.added.map(c => c.text)).toContain('kennedy/launch-control may now reach api.weather.gov:443 (TLS)');
    expect(accessDiff.removed).toEqual([]);
  });

  it('outside the ceiling: refused naming the ceiling and the fix', () => {
    const changed = withEgress(launch, egressEntry({ host: 'api.example.com', ports: [443], protocol: 'TLS' }));
    expect(changeProblems(catalog, [changed], DEFAULT_SETTINGS)).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/launch-control',
        field: 'spec.egress[0].host',
        message: expect.stringContaining('outside the egress ceiling of system:default/kennedy (spec.cell.egress.hosts: api.weather.gov)'),
        fix: expect.stringContaining('add api.example.com to spec.cell.egress.hosts'),
      }),
    ]);
  });
});

describe('withoutConnection', () => {
  it('drops one connection, and the field with the last one; the diff says what is no longer allowed', () => {
    const pad = byRef('component:default/pad-operations');
    const changed = withoutConnection(pad, 0);
    expect(spec(changed).connections).toBeUndefined();
    expect(spec(pad).connections).toHaveLength(1);
    const { accessDiff } = compileChange(catalog, [changed], DEFAULT_SETTINGS);
    expect(accessDiff.added).toEqual([]);
    expect(accessDiff.removed.map(c => c.text)).toContain('kennedy/pad-operations may no longer GET /conditions on kennedy/weather-station');
    const launch = withoutConnection(byRef('component:default/launch-control'), 1);
    expect(spec(launch).connections.map((c: { to: string }) => c.to)).toEqual(['flight-director', 'ground-systems', 'weather-station']);
  });
});
