import { Entity } from '@backstage/catalog-model';
import { withOwners } from '../testing/entities';
import { buildCellModel } from '../validation/catalog';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { artemisEntities } from '../testing/artemis';
import { diffAccess } from './diffAccess';

const ENV = { environment: 'development' };

function input(entities: Entity[]) {
  const { model, problems } = buildCellModel(withOwners(entities), { defaultEnvironments: ['development'] });
  expect(problems).toEqual([]);
  return { model, settings: DEFAULT_SETTINGS };
}

function edit(name: string, change: (spec: any) => void): Entity[] {
  const copy = JSON.parse(JSON.stringify(artemisEntities())) as Entity[];
  change(copy.find(e => e.metadata.name === name)!.spec);
  return copy;
}

describe('the access diff outside the cluster', () => {
  const withEgress = input(artemisEntities());
  const withoutEgress = input(edit('weather-station', spec => delete spec.egress));

  it('names each external destination a change opens, with the layer and policy that admit it', () => {
    const diff = diffAccess(withoutEgress, withEgress, ENV);
    expect(diff.removed).toEqual([]);
    expect(diff.added.map(c => [c.text, c.layer, c.policies])).toEqual([
      ['kennedy/weather-station may now reach 10.20.8.129:5432 (TCP)', 'L3/L4', [expect.stringMatching(/\/weather-station$/)]],
      ['kennedy/weather-station may now reach api.weather.gov:443 (TLS)', 'L7', ['cellplane-egress/api.weather.gov']],
    ]);
    expect(diff.added.map(c => c.to)).toEqual(['cidr:10.20.8.129', 'external:api.weather.gov']);
  });

  it('names what a change closes, and what a second caller of the host gains', () => {
    const shared = input(edit('pad-operations', spec => (spec.egress = [{ host: 'api.weather.gov', port: 443, protocol: 'TLS' }])));
    expect(diffAccess(shared, withEgress, ENV).removed.map(c => c.text)).toEqual(['kennedy/pad-operations may no longer reach api.weather.gov:443 (TLS)']);
    expect(diffAccess(withEgress, shared, ENV).added.map(c => c.text)).toEqual(['kennedy/pad-operations may now reach api.weather.gov:443 (TLS)']);
  });

  it('probes an HTTP entry on a path it declares (a request to / would be denied and the diff would miss the entry)', () => {
    const http = input(
      edit('pad-operations', spec => (spec.egress = [{ host: 'api.weather.gov', port: 80, protocol: 'HTTP', methods: ['GET'], paths: ['/points/*'] }])),
    );
    expect(diffAccess(withEgress, http, ENV).added.map(c => c.text)).toEqual([
      'kennedy/pad-operations may now reach api.weather.gov:80 (HTTP GET /points/probe)',
    ]);
  });

  it('finds nothing when the catalog declares no egress on either side', () => {
    expect(diffAccess(withoutEgress, withoutEgress, ENV)).toEqual({ added: [], removed: [] });
  });
});
