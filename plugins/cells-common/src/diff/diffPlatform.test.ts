import { Entity } from '@backstage/catalog-model';
import { buildCellModel, modelOptions } from '../validation/catalog';
import { platformCatalog, platformCatalogSettings } from '../testing/platform';
import { diffAccess } from './diffAccess';

const ENV = { environment: 'development' };
const settings = platformCatalogSettings(true);

function input(change?: (ingest: any) => void) {
  const entities = JSON.parse(JSON.stringify(platformCatalog())) as Entity[];
  if (change) change(entities.find(e => e.metadata.name === 'ingest')!.spec);
  const { model, problems } = buildCellModel(entities, modelOptions(settings));
  expect(problems).toEqual([]);
  return { model, settings };
}

describe('the access diff of platform services', () => {
  const before = input(spec => {
    delete spec.metrics;
    spec.egress = spec.egress.filter((e: any) => e.platform !== 'otel-collector');
  });
  const after = input();

  it('names the platform calls and scrapes a change opens, with the deciding layer and policy', () => {
    const diff = diffAccess(before, after, ENV);
    expect(diff.removed).toEqual([]);
    expect(diff.added.map(c => [c.text, c.layer, c.policies])).toEqual([
      // The waypoint's rule for the scraper, and the component's own waypoint-only policy the scrape passes.
      [
        'platform:monitoring may now GET /metrics on telemetry/ingest port 9464',
        'L7',
        [expect.stringMatching(/\/ingest$/), expect.stringMatching(/\/ingest.waypoint-only$/)],
      ],
      ['telemetry/ingest may now reach platform:otel-collector:4317', 'L3/L4', [expect.stringMatching(/\/ingest$/)]],
    ]);
    expect(diff.added.map(c => [c.from, c.to, c.method, c.path])).toEqual([
      ['platform:monitoring', 'telemetry/ingest', 'GET', '/metrics'],
      ['telemetry/ingest', 'platform:otel-collector', undefined, undefined],
    ]);
  });

  it('names what a change closes, and nothing for a cell outside the scope', () => {
    expect(diffAccess(after, before, ENV).removed.map(c => c.text)).toEqual([
      'platform:monitoring may no longer GET /metrics on telemetry/ingest port 9464',
      'telemetry/ingest may no longer reach platform:otel-collector:4317',
    ]);
    expect(diffAccess(after, before, { ...ENV, cells: ['system:default/other'] })).toEqual({ added: [], removed: [] });
  });

  it('finds nothing when nothing changes', () => {
    expect(diffAccess(after, after, ENV)).toEqual({ added: [], removed: [] });
  });
});
