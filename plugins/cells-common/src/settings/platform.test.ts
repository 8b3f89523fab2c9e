import { readCellsSettings, SettingsError } from './read';
import { PLATFORM_CONFIG, platformSettings } from '../testing/platform';

const scraper = PLATFORM_CONFIG.services[0];
const collector = PLATFORM_CONFIG.services[1];

describe('cells.platform.services', () => {
  it('reads services sorted by name, with principals from service accounts and mesh defaults', () => {
    const services = platformSettings().platform.services;
    expect(services.map(s => s.name)).toEqual(['kube-apiserver', 'monitoring', 'otel-collector', 'tracing']);
    expect(services[1]).toEqual({
      name: 'monitoring',
      role: 'scrapes',
      namespace: 'monitoring',
      podLabels: { 'app.kubernetes.io/name': 'prometheus' },
      principal: 'cluster.local/ns/monitoring/sa/prometheus',
      ports: [],
      mesh: true,
    });
    expect(services[0]).toEqual({ name: 'kube-apiserver', role: 'called', cidrs: ['172.18.0.2/32'], ports: [6443], mesh: false });
    expect(services[2].mesh).toBe(false);
  });

  it('defaults to none', () => {
    expect(readCellsSettings({}).platform.services).toEqual([]);
  });

  // [case, services (or platform), key named, message]
  const refused: [string, unknown, string, RegExp][] = [
    ['not a list', { services: {} }, 'cells.platform.services', /must be a list/],
    ['unknown platform key', { servics: [] }, 'cells.platform.servics', /is not a setting/],
    ['unknown service key', { services: [{ ...collector, port: 1 }] }, 'cells.platform.services[0].port', /is not a setting/],
    ['bad role', { services: [{ ...collector, role: 'calls' }] }, 'cells.platform.services[0].role', /not one of scrapes, called/],
    ['bad name', { services: [{ ...collector, name: 'Otel' }] }, 'cells.platform.services[0].name', /is not a name/],
    ['namespace without labels', { services: [{ ...collector, podLabels: undefined }] }, 'cells.platform.services[0]', /only one of namespace and podLabels/],
    ['pods and cidrs', { services: [{ ...collector, cidrs: ['10.0.0.0/8'] }] }, 'cells.platform.services[0]', /either by pods .* or by address/],
    ['neither pods nor cidrs', { services: [{ name: 'x', role: 'called', ports: [1] }] }, 'cells.platform.services[0]', /either by pods/],
    ['scraper by address', { services: [{ name: 'x', role: 'scrapes', cidrs: ['10.0.0.0/8'] }] }, 'cells.platform.services[0].cidrs', /admitted by its pods/],
    [
      'scraper without identity',
      { services: [{ ...scraper, serviceAccount: undefined }] },
      'cells.platform.services[0].principal',
      /needs its SPIFFE identity/,
    ],
    ['scraper outside the mesh', { services: [{ ...scraper, mesh: false }] }, 'cells.platform.services[0].mesh', /cannot pass the cells' STRICT mTLS/],
    [
      'wildcard principal',
      { services: [{ ...scraper, serviceAccount: undefined, principal: 'cluster.local/ns/monitoring/sa/*' }] },
      'cells.platform.services[0].principal',
      /not one explicit/,
    ],
    [
      'principal and service account',
      { services: [{ ...scraper, principal: 'cluster.local/ns/monitoring/sa/p' }] },
      'cells.platform.services[0]',
      /both principal and serviceAccount/,
    ],
    ['called without ports', { services: [{ ...collector, ports: undefined }] }, 'cells.platform.services[0].ports', /needs the ports/],
    ['bad port', { services: [{ ...collector, ports: [70000] }] }, 'cells.platform.services[0].ports', /70000 is not a port/],
    ['scraper with ports', { services: [{ ...scraper, ports: [9090] }] }, 'cells.platform.services[0].ports', /called by nobody/],
    ['bad cidr', { services: [{ name: 'api', role: 'called', cidrs: ['10.0.0.1/8'], ports: [443] }] }, 'cells.platform.services[0].cidrs', /is not a CIDR/],
    [
      'meshed address',
      { services: [{ name: 'api', role: 'called', cidrs: ['10.0.0.0/8'], ports: [443], mesh: true }] },
      'cells.platform.services[0].mesh',
      /no pods in the mesh/,
    ],
    ['twice', { services: [collector, collector] }, 'cells.platform.services', /listed twice/],
  ];
  it.each(refused)('refuses %s, naming the key', (_, platform, key, message) => {
    let error: unknown;
    try {
      readCellsSettings({ platform });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).key).toBe(key.replace(/^cells\./, ''));
    expect((error as SettingsError).message).toMatch(message);
    expect((error as SettingsError).message).toContain(`${key}:`);
  });

  it('lets a scraper without an identity through when the mesh is off (L3/L4 only)', () => {
    const settings = readCellsSettings({ mesh: { enabled: false }, platform: { services: [{ ...scraper, serviceAccount: undefined }] } });
    expect(settings.platform.services[0]).toMatchObject({ name: 'monitoring', mesh: false });
    expect(settings.platform.services[0].principal).toBeUndefined();
  });
});
