import { Entity } from '@backstage/catalog-model';
import { cell, component, withOwners } from '../testing/entities';
import { platformSettings } from '../testing/platform';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { buildCellModel, modelOptions, validateConnectionTargets } from './catalog';

const settings = platformSettings();
const ceiling = { egress: { hosts: [], cidrs: [], platform: ['otel-collector', 'kube-apiserver'] } };

function build(spec: Record<string, unknown>, cellSpec: Record<string, unknown> = ceiling, options = modelOptions(settings)) {
  return buildCellModel(withOwners([cell('a', { cell: cellSpec }), component('station', 'a', spec)]), options);
}

describe('platform egress entries', () => {
  it('keeps an entry naming a called service inside the ceiling', () => {
    const { model, problems } = build({ egress: [{ platform: 'otel-collector', ports: [4318, 4317], reason: 'traces' }] });
    expect(problems).toEqual([]);
    expect(model.cells[0].egress).toEqual({ hosts: [], cidrs: [], platform: ['kube-apiserver', 'otel-collector'] });
    expect(model.components[0].egress).toEqual([
      { kind: 'platform', platform: 'otel-collector', ports: [4317, 4318], reason: 'traces', field: 'spec.egress[0]' },
    ]);
  });

  it('reads a ceiling without platform as before (no platform key)', () => {
    const { model } = build({}, { egress: { hosts: ['api.weather.gov'] } });
    expect(model.cells[0].egress).toEqual({ hosts: ['api.weather.gov'], cidrs: [] });
  });

  // [case, egress entries, cell spec, field, message]
  const refused: [string, unknown[], Record<string, unknown>, string, RegExp][] = [
    [
      'unknown service',
      [{ platform: 'otel', port: 4317 }],
      { egress: { platform: ['otel'] } },
      'spec.egress[0].platform',
      /otel is not a platform service .*: kube-apiserver, otel-collector, tracing\)/,
    ],
    [
      'a scraper',
      [{ platform: 'monitoring', port: 9090 }],
      { egress: { platform: ['monitoring'] } },
      'spec.egress[0].platform',
      /monitoring scrapes components; nobody calls it/,
    ],
    ['a port it does not serve', [{ platform: 'otel-collector', port: 9999 }], ceiling, 'spec.egress[0].port', /serves no port 9999 \(its ports: 4317, 4318\)/],
    [
      'outside the ceiling',
      [{ platform: 'tracing', port: 4317 }],
      ceiling,
      'spec.egress[0].platform',
      /outside the egress ceiling of system:default\/a \(spec.cell.egress.platform: kube-apiserver, otel-collector\)/,
    ],
    ['a cell without a ceiling', [{ platform: 'otel-collector', port: 4317 }], {}, 'spec.egress[0].platform', /spec.cell.egress.platform: none/],
    ['a protocol', [{ platform: 'otel-collector', port: 4317, protocol: 'TCP' }], ceiling, 'spec.egress[0].protocol', /does not apply to a platform entry/],
    ['no port', [{ platform: 'otel-collector' }], ceiling, 'spec.egress[0]', /exactly one of `port` or `ports`/],
    [
      'platform and host',
      [{ platform: 'otel-collector', host: 'a.example', port: 1 }],
      ceiling,
      'spec.egress[0]',
      /exactly one of `host`, `cidr` or `platform`/,
    ],
    ['a misspelled key', [{ platform: 'otel-collector', port: 4317, reasn: 'x' }], ceiling, 'spec.egress[0].reasn', /unknown field/],
  ];
  it.each(refused)('refuses %s, naming the field and the fix', (_, egress, cellSpec, field, message) => {
    const { model, problems } = build({ egress }, cellSpec);
    expect(problems).toEqual([
      expect.objectContaining({ entityRef: 'component:default/station', field, message: expect.stringMatching(message), fix: expect.any(String) }),
    ]);
    expect(model.components[0].egress).toBeUndefined();
  });

  it('refuses a misspelled ceiling key', () => {
    const { problems } = build({}, { egress: { platfrom: ['otel-collector'] } });
    expect(problems).toEqual([expect.objectContaining({ field: 'spec.cell.egress.platfrom', fix: expect.stringContaining('did you mean `platform`') })]);
  });

  it('finds the same problems one entity at a time (the catalog processor path)', () => {
    const entities = withOwners([cell('a', { cell: ceiling }), component('station', 'a', { egress: [{ platform: 'otel-collector', port: 9999 }] })]);
    const index = new Map<string, Entity>(entities.map(e => [`${e.kind.toLowerCase()}:default/${e.metadata.name}`, e]));
    const problems = validateConnectionTargets(index.get('component:default/station')!, ref => index.get(ref), modelOptions(settings));
    expect(problems.map(p => p.field)).toEqual(['spec.egress[0].port']);
  });
});

describe('spec.metrics', () => {
  const endpoints = [
    { name: 'http', port: 8080, protocol: 'HTTP', visibility: 'organization' },
    { name: 'raw', port: 7000, protocol: 'TCP', visibility: 'project' },
  ];

  it('keeps metrics on an HTTP endpoint, defaulting the path and every scraper', () => {
    const { model, problems } = build({ endpoints, metrics: { port: 8080 } });
    expect(problems).toEqual([]);
    expect(model.components[0].metrics).toEqual({ port: 8080, path: '/metrics', scrapedBy: ['monitoring'] });
  });

  it('leaves a component without metrics as it was (no metrics key)', () => {
    expect('metrics' in build({ endpoints }).model.components[0]).toBe(false);
  });

  // [case, metrics, field, message]
  const refused: [string, unknown, string, RegExp][] = [
    ['no endpoint on the port', { port: 9090 }, 'spec.metrics.port', /no endpoint of the component serves port 9090/],
    ['a TCP endpoint', { port: 7000 }, 'spec.metrics.port', /endpoint raw, which serves TCP, not HTTP/],
    ['an unknown scraper', { port: 8080, scrapedBy: ['prometheus'] }, 'spec.metrics.scrapedBy[0]', /configured scrapers: monitoring/],
    ['a called service as scraper', { port: 8080, scrapedBy: ['otel-collector'] }, 'spec.metrics.scrapedBy[0]', /not a scraping platform service/],
    ['a path pattern', { port: 8080, path: '/metrics/*' }, 'spec.metrics.path', /not an exact path/],
    ['a misspelled key', { port: 8080, scrapedby: ['monitoring'] }, 'spec.metrics.scrapedby', /unknown field/],
    ['not an object', [8080], 'spec.metrics', /must be an object/],
  ];
  it.each(refused)('refuses %s', (_, metrics, field, message) => {
    const { model, problems } = build({ endpoints, metrics });
    expect(problems).toEqual([expect.objectContaining({ field, message: expect.stringMatching(message), fix: expect.any(String) })]);
    expect(model.components[0].metrics).toBeUndefined();
  });

  it('keeps metrics nobody scrapes when the platform configures no scraper (nothing is opened)', () => {
    const { model, problems } = build({ endpoints, metrics: { port: 8080 } }, ceiling, modelOptions(DEFAULT_SETTINGS));
    expect(problems).toEqual([]);
    expect(model.components[0].metrics).toEqual({ port: 8080, path: '/metrics', scrapedBy: [] });
    // Naming a scraper the platform does not configure is still an error.
    const named = build({ endpoints, metrics: { port: 8080, scrapedBy: ['monitoring'] } }, ceiling, modelOptions(DEFAULT_SETTINGS));
    expect(named.problems).toEqual([
      expect.objectContaining({ field: 'spec.metrics.scrapedBy[0]', message: expect.stringMatching(/configured scrapers: none/) }),
    ]);
  });

  it('flags a near miss of the metrics key', () => {
    const { problems } = build({ endpoints, metric: { port: 8080 } });
    expect(problems).toEqual([expect.objectContaining({ field: 'spec.metric', fix: expect.stringContaining('did you mean `metrics`') })]);
  });
});
