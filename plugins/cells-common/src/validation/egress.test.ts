import { Entity } from '@backstage/catalog-model';
import { cell, component, withOwners } from '../testing/entities';
import { buildCellModel, modelOptions, validateConnectionTargets } from './catalog';
import { DEFAULT_SETTINGS } from '../settings/settings';
import { readCellsSettings } from '../settings/read';
import { hostMatches, hostWithin } from './network';

const ceiling = { egress: { hosts: ['api.weather.gov', '*.example.com'], cidrs: ['10.20.0.0/16', '0.0.0.0/0'] } };

function build(egress: unknown[], settings = DEFAULT_SETTINGS, cellSpec: Record<string, unknown> = ceiling, extra: Entity[] = []) {
  const entities = withOwners([cell('a', { cell: cellSpec }), component('station', 'a', { egress }), ...extra]);
  return buildCellModel(entities, modelOptions(settings));
}

describe('egress entries', () => {
  it('accepts host and cidr entries inside the ceiling and keeps them on the component', () => {
    const { model, problems } = build([
      { host: 'api.weather.gov', port: 443, protocol: 'TLS', reason: 'forecasts' },
      { cidr: '10.20.0.0/16', except: ['10.20.9.0/24'], ports: [5433, 5432], protocol: 'TCP' },
    ]);
    expect(problems).toEqual([]);
    expect(model.cells[0].egress).toEqual(ceiling.egress.hosts && { hosts: ['*.example.com', 'api.weather.gov'], cidrs: ['0.0.0.0/0', '10.20.0.0/16'] });
    expect(model.components.find(c => c.name === 'station')!.egress).toEqual([
      { kind: 'host', host: 'api.weather.gov', ports: [443], protocol: 'TLS', reason: 'forecasts', field: 'spec.egress[0]' },
      { kind: 'cidr', cidr: '10.20.0.0/16', except: ['10.20.9.0/24'], ports: [5432, 5433], protocol: 'TCP', field: 'spec.egress[1]' },
    ]);
  });

  it('leaves the model of a catalog without egress as it was (no egress keys)', () => {
    const { model } = buildCellModel(withOwners([cell('a'), component('x', 'a')]), modelOptions(DEFAULT_SETTINGS));
    expect('egress' in model.cells[0]).toBe(false);
    expect('egress' in model.components[0]).toBe(false);
  });

  // [case, entries, settings, field, message]
  const refused: [string, unknown[], typeof DEFAULT_SETTINGS, string, RegExp][] = [
    [
      'host outside the ceiling',
      [{ host: 'evil.com', port: 443, protocol: 'TLS' }],
      DEFAULT_SETTINGS,
      'spec.egress[0].host',
      /outside the egress ceiling of system:default\/a \(spec.cell.egress.hosts: \*.example.com, api.weather.gov\)/,
    ],
    [
      'the metadata address',
      [{ cidr: '169.254.169.254/32', port: 80, protocol: 'TCP' }],
      DEFAULT_SETTINGS,
      'spec.egress[0].cidr',
      /inside 169.254.169.254\/32, which cells.egress.deny never allows/,
    ],
    [
      'a range covering the metadata address',
      [{ cidr: '0.0.0.0/0', except: ['10.42.0.0/16', '10.43.0.0/16'], port: 443, protocol: 'TCP' }],
      DEFAULT_SETTINGS,
      'spec.egress[0].cidr',
      /covers 169.254.169.254\/32, which cells.egress.deny never allows/,
    ],
    [
      'the pod range',
      [{ cidr: '0.0.0.0/0', except: ['169.254.0.0/16', '10.43.0.0/16'], port: 443, protocol: 'TCP' }],
      DEFAULT_SETTINGS,
      'spec.egress[0].cidr',
      /covers 10.42.0.0\/16, which cells.cluster.podCIDRs/,
    ],
    [
      'wildcard without the setting',
      [{ host: '*.example.com', port: 443, protocol: 'TLS' }],
      DEFAULT_SETTINGS,
      'spec.egress[0].host',
      /wildcard \*.example.com cannot be enforced by the configured data plane/,
    ],
    [
      'host with the mesh off',
      [{ host: 'api.weather.gov', port: 443, protocol: 'TLS' }],
      readCellsSettings({ mesh: { enabled: false } }),
      'spec.egress[0].host',
      /cells.mesh.enabled is false/,
    ],
    [
      'methods on TLS',
      [{ host: 'api.weather.gov', port: 443, protocol: 'TLS', methods: ['GET'] }],
      DEFAULT_SETTINGS,
      'spec.egress[0]',
      /cannot be seen in TLS traffic/,
    ],
    ['misspelled key', [{ host: 'api.weather.gov', port: 443, protocol: 'TLS', metods: ['GET'] }], DEFAULT_SETTINGS, 'spec.egress[0].metods', /unknown field/],
    [
      'both host and cidr',
      [{ host: 'api.weather.gov', cidr: '10.20.0.0/16', port: 443 }],
      DEFAULT_SETTINGS,
      'spec.egress[0]',
      /exactly one of `host`, `cidr` or `platform`/,
    ],
    [
      'port and ports',
      [{ host: 'api.weather.gov', port: 443, ports: [443], protocol: 'TLS' }],
      DEFAULT_SETTINGS,
      'spec.egress[0]',
      /exactly one of `port` or `ports`/,
    ],
    ['an IP as host', [{ host: '1.2.3.4', port: 443, protocol: 'TLS' }], DEFAULT_SETTINGS, 'spec.egress[0].host', /declare it as cidr/],
    ['a cluster name', [{ host: 'api.default.svc.cluster.local', port: 443, protocol: 'TLS' }], DEFAULT_SETTINGS, 'spec.egress[0].host', /inside the cluster/],
    [
      'host bits set',
      [{ cidr: '10.20.1.0/16', port: 5432, protocol: 'TCP' }],
      DEFAULT_SETTINGS,
      'spec.egress[0].cidr',
      /host bits set \(the network is 10.20.0.0\/16\)/,
    ],
    [
      'except outside',
      [{ cidr: '10.20.0.0/16', except: ['10.30.0.0/24'], port: 5432 }],
      DEFAULT_SETTINGS,
      'spec.egress[0].except[0]',
      /not inside 10.20.0.0\/16/,
    ],
    ['TLS on a cidr', [{ cidr: '10.20.0.0/16', port: 5432, protocol: 'TLS' }], DEFAULT_SETTINGS, 'spec.egress[0].protocol', /not a protocol for a cidr/],
    ['HBONE port', [{ host: 'api.weather.gov', port: 15008, protocol: 'TCP' }], DEFAULT_SETTINGS, 'spec.egress[0].port', /reserved/],
  ];
  it.each(refused)('refuses %s, naming the field and the fix', (_, entries, settings, field, message) => {
    const { model, problems } = build(entries, settings);
    expect(problems).toEqual([
      expect.objectContaining({ entityRef: 'component:default/station', field, message: expect.stringMatching(message), fix: expect.any(String) }),
    ]);
    expect(model.components.find(c => c.name === 'station')!.egress).toBeUndefined();
  });

  it('refuses a cidr outside the ceiling, naming the ceiling', () => {
    const { problems } = build([{ cidr: '10.21.0.0/16', port: 5432, protocol: 'TCP' }], DEFAULT_SETTINGS, { egress: { cidrs: ['10.20.0.0/16'] } });
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'spec.egress[0].cidr',
        message: '10.21.0.0/16 is outside the egress ceiling of system:default/a (spec.cell.egress.cidrs: 10.20.0.0/16)',
      }),
    ]);
  });

  it('names the setting that would allow a wildcard host', () => {
    const { problems } = build([{ host: '*.example.com', port: 443, protocol: 'TLS' }]);
    expect(problems[0].fix).toContain('cells.egress.wildcardHosts: true');
  });

  it('fails closed on a misspelled egress key, suggesting the key Cellplane reads', () => {
    const entities = withOwners([
      cell('a', { cell: ceiling }),
      component('station', 'a', { egres: [{ host: 'api.weather.gov', port: 443, protocol: 'TLS' }] }),
    ]);
    const { problems } = buildCellModel(entities, modelOptions(DEFAULT_SETTINGS));
    expect(problems).toEqual([expect.objectContaining({ field: 'spec.egres', fix: expect.stringContaining('did you mean `egress`') })]);
    expect(build([{ host: 'api.weather.gov', port: 443, protocol: 'TLS', metods: ['GET'] }]).problems[0].fix).toContain('did you mean `methods`');
    expect(build([], DEFAULT_SETTINGS, { egress: { host: ['api.weather.gov'] } }).problems[0]).toMatchObject({
      field: 'spec.cell.egress.host',
      fix: expect.stringContaining('did you mean `hosts`'),
    });
  });

  it('accepts a wildcard inside the ceiling when the data plane enforces wildcards', () => {
    const { problems } = build([{ host: '*.example.com', port: 443, protocol: 'TLS' }], readCellsSettings({ egress: { wildcardHosts: true } }));
    expect(problems).toEqual([]);
  });

  it('allows nothing in a cell without a ceiling, and says so', () => {
    const { problems } = build([{ host: 'api.weather.gov', port: 443, protocol: 'TLS' }], DEFAULT_SETTINGS, {});
    expect(problems).toEqual([expect.objectContaining({ field: 'spec.egress[0].host', message: expect.stringContaining('spec.cell.egress.hosts: none') })]);
  });

  it('refuses a second protocol for one host port across the catalog, on the later component', () => {
    const other = component('z-other', 'a', { egress: [{ host: 'api.weather.gov', port: 443, protocol: 'HTTP' }] });
    const { model, problems } = build([{ host: 'api.weather.gov', port: 443, protocol: 'TLS' }], DEFAULT_SETTINGS, ceiling, [other]);
    expect(problems).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/z-other',
        field: 'spec.egress[0].protocol',
        message: expect.stringContaining('declared TLS by component:default/station'),
      }),
    ]);
    expect(model.components.find(c => c.name === 'z-other')!.egress).toBeUndefined();
  });

  it('checks the ceiling through the catalog API too (validateConnectionTargets)', () => {
    const entities = withOwners([cell('a', { cell: ceiling }), component('station', 'a', { egress: [{ host: 'evil.com', port: 443, protocol: 'TLS' }] })]);
    const byRef = new Map(entities.map(e => [`${e.kind.toLowerCase()}:default/${e.metadata.name}`, e]));
    const problems = validateConnectionTargets(entities[1], ref => byRef.get(ref), modelOptions(DEFAULT_SETTINGS));
    expect(problems).toEqual([expect.objectContaining({ field: 'spec.egress[0].host' })]);
  });

  it('refuses a bad ceiling', () => {
    const { problems } = build([], DEFAULT_SETTINGS, { egress: { hosts: ['1.2.3.4'], cidrs: ['x'], ports: [1] } });
    expect(problems.map(p => p.field)).toEqual(['spec.cell.egress.cidrs[0]', 'spec.cell.egress.hosts[0]', 'spec.cell.egress.ports']);
  });
});

describe('host patterns', () => {
  it.each([
    ['a.example.com', 'a.example.com', true],
    ['a.example.com', '*.example.com', true],
    ['b.a.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['*.a.example.com', '*.example.com', true],
    ['*.example.com', '*.example.com', true],
    ['*.example.com', 'a.example.com', false],
    ['aexample.com', '*.example.com', false],
  ])('%s within %s: %s', (inner, outer, expected) => expect(hostWithin(inner, outer)).toBe(expected));

  it.each([
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'aexample.com', false],
    ['api.weather.gov', 'api.weather.gov', true],
    ['api.weather.gov', 'x.api.weather.gov', false],
  ])('pattern %s matches %s: %s', (pattern, host, expected) => expect(hostMatches(pattern, host)).toBe(expected));
});

describe('egress settings', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_SETTINGS.egress).toEqual({ namespace: 'cellplane-egress', waypointName: 'egress', deny: ['169.254.169.254/32'], wildcardHosts: false });
    expect(DEFAULT_SETTINGS.cluster).toEqual({ podCIDRs: ['10.42.0.0/16'], serviceCIDRs: ['10.43.0.0/16'] });
  });
  it('refuses a bad CIDR naming the key', () => {
    expect(() => readCellsSettings({ cluster: { podCIDRs: ['10.42.0.1/16'] } })).toThrow(/cells.cluster.podCIDRs: "10.42.0.1\/16" is not a CIDR/);
    expect(() => readCellsSettings({ egress: { wildcardHosts: 'yes' } })).toThrow(/cells.egress.wildcardHosts/);
  });
});
