import { readCellsSettings, SettingsError } from './read';
import { DEFAULT_SETTINGS } from './settings';
import { cellNamespace, namespaceHashInput, openChoreoNamespace } from './naming';

describe('settings', () => {
  it('uses the defaults when nothing is configured', () => {
    expect(readCellsSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(readCellsSettings({})).toEqual(DEFAULT_SETTINGS);
  });

  it('reads every documented key', () => {
    const settings = readCellsSettings({
      environments: [{ name: 'dev' }, { name: 'prod', networkPolicy: 'cilium' }],
      defaultEnvironments: ['dev', 'prod'],
      naming: { scheme: 'cell-env' },
      podLabelKey: 'app.kubernetes.io/name',
      podSecurity: 'baseline',
      mesh: { enabled: false, trustDomain: 'example.org', waypointName: 'wp', controlPlane: { namespace: 'istio', port: 15010 } },
      gateway: { name: 'public', namespace: 'edge', className: 'kgateway', podLabels: { app: 'edge' }, principal: 'example.org/ns/edge/sa/public' },
      dns: { namespace: 'dns', podLabels: { app: 'coredns' }, port: 5353 },
      services: 'bring-your-own',
      rbac: { enabled: false },
    });
    expect(settings.environments).toEqual([
      { name: 'dev', networkPolicy: 'kubernetes' },
      { name: 'prod', networkPolicy: 'cilium' },
    ]);
    expect(settings.defaultEnvironments).toEqual(['dev', 'prod']);
    expect(settings.mesh).toEqual({
      enabled: false,
      trustDomain: 'example.org',
      waypointName: 'wp',
      controlPlane: { namespace: 'istio', podLabels: { app: 'istiod' }, port: 15010 },
    });
    expect(settings.gateway.className).toBe('kgateway');
    expect(settings.podSecurity).toBe('baseline');
    expect(settings.services).toBe('bring-your-own');
    expect(settings.rbac.enabled).toBe(false);
  });

  it('reads the public route templates and the allowed RBAC subjects', () => {
    expect(DEFAULT_SETTINGS.gateway.routes).toEqual({ pathPrefix: '/{namespace}/{cell}/{component}/{endpoint}' });
    // A hostname per endpoint tells routes apart on its own: the path defaults to /.
    expect(readCellsSettings({ gateway: { routes: { hostname: '{endpoint}.{component}.{cell}.apps.example.com' } } }).gateway.routes).toEqual({
      hostname: '{endpoint}.{component}.{cell}.apps.example.com',
      pathPrefix: '/',
    });
    expect(readCellsSettings({ gateway: { routes: { pathPrefix: '/api/{environment}/{cell}' } } }).gateway.routes).toEqual({
      pathPrefix: '/api/{environment}/{cell}',
    });
    expect(DEFAULT_SETTINGS.rbac.subjects).toEqual(['group:*/*', 'user:*/*']);
    expect(readCellsSettings({ rbac: { subjects: ['group:default/*'] } }).rbac.subjects).toEqual(['group:default/*']);
  });

  it('defaults a cell to the first configured environment', () => {
    expect(readCellsSettings({ environments: [{ name: 'staging' }] }).defaultEnvironments).toEqual(['staging']);
  });

  it.each([
    [{ environments: [] }, 'cells.environments'],
    [{ environments: [{ name: 'Dev' }] }, 'cells.environments[0].name'],
    [{ environments: [{ name: 'dev', networkPolicy: 'calico' }] }, 'cells.environments[0].networkPolicy'],
    [{ environments: [{ name: 'dev' }, { name: 'dev' }] }, 'listed twice'],
    [{ defaultEnvironments: ['prod'] }, 'cells.defaultEnvironments'],
    [{ gateway: { principal: 'cluster.local/ns/gw/sa/*' } }, 'cells.gateway.principal'],
    [{ gateway: { principal: 'spiffe://cluster.local/ns/gw/sa/x' } }, 'cells.gateway.principal'],
    [{ gateway: { podLabels: {} } }, 'cells.gateway.podLabels'],
    [{ mesh: { enabled: 'yes' } }, 'cells.mesh.enabled'],
    [{ podSecurity: 'strict' }, 'cells.podSecurity'],
    [{ podLabelKey: 'bad key' }, 'cells.podLabelKey'],
    [{ dns: { port: 0 } }, 'cells.dns.port'],
    [{ rbac: { rules: [{ verbs: ['get'] }] } }, 'cells.rbac.rules'],
    [{ rbac: { subjects: ['group:default/system:masters'] } }, 'cells.rbac.subjects'],
    [{ rbac: { subjects: ['system:authenticated'] } }, 'cells.rbac.subjects'],
    [{ rbac: { subjects: 'group:*/*' } }, 'cells.rbac.subjects'],
    [{ gateway: { routes: { hostname: '{cellname}.example.com' } } }, 'cells.gateway.routes.hostname'],
    [{ gateway: { routes: { hostname: '*.example.com' } } }, 'cells.gateway.routes.hostname'],
    [{ gateway: { routes: { pathPrefix: 'cells/{cell}' } } }, 'cells.gateway.routes.pathPrefix'],
    [{ gateway: { routes: { pathPrefix: '/{cell}/' } } }, 'cells.gateway.routes.pathPrefix'],
    [{ gateway: { routes: { pathPrefix: '/{cell' } } }, 'cells.gateway.routes.pathPrefix'],
    [{ gateway: { routes: { path: '/{cell}' } } }, 'cells.gateway.routes.path'],
  ])('refuses %j with an error naming %s', (raw, key) => {
    expect(() => readCellsSettings(raw)).toThrow(SettingsError);
    expect(() => readCellsSettings(raw)).toThrow(key);
  });
});

describe('namespace naming', () => {
  it('matches OpenChoreo: parts cut 13/13/13/12, hash over the original parts', () => {
    // sha256("dp-default-deep-space-network-development") starts with c83079e6.
    expect(openChoreoNamespace('default', 'deep-space-network', 'development')).toBe('dp-default-deep-space-ne-development-c83079e6');
    expect(openChoreoNamespace('default', 'orion', 'development')).toBe('dp-default-orion-development-1bced798');
  });

  it('sanitises parts and never exceeds 63 characters', () => {
    const name = openChoreoNamespace('My_Org.Namespace', 'A.Very_Long_Project_Name', 'production-europe-west');
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^dp-my-org.namesp-a.very-long-p-production-e-[0-9a-f]{8}$/);
    expect(openChoreoNamespace('a', 'b', 'c')).not.toBe(openChoreoNamespace('a', 'b', 'd'));
  });

  it("hashes an unambiguous encoding: default-ops/core and default/ops-core get two namespaces; default keeps OpenChoreo's", () => {
    expect(namespaceHashInput('default', 'ops-core', 'development')).toBe('dp-default-ops-core-development');
    expect(namespaceHashInput('default-ops', 'core', 'development')).toBe('dp/default-ops/core/development');
    expect(openChoreoNamespace('default-ops', 'core', 'development')).not.toBe(openChoreoNamespace('default', 'ops-core', 'development'));
    // Across catalog namespaces without '-', the first part is unambiguous; with '-', the '/' join is.
    const names = [
      ['team', 'a-b'],
      ['team-a', 'b'],
      ['team-a-b', 'c'],
      ['team', 'a-b-c'],
      ['team-a', 'b-c'],
    ].map(([ns, cell]) => openChoreoNamespace(ns, cell, 'dev'));
    expect(new Set(names).size).toBe(names.length);
  });

  it('supports the cell-env scheme and the control-plane namespace setting', () => {
    const cell = { name: 'orion', entityNamespace: 'space' };
    expect(cellNamespace({ ...DEFAULT_SETTINGS, naming: { scheme: 'cell-env' } }, cell, 'dev')).toBe('orion-dev');
    expect(cellNamespace(DEFAULT_SETTINGS, cell, 'dev')).toMatch(/^dp-space-orion-dev-/);
    expect(cellNamespace({ ...DEFAULT_SETTINGS, naming: { scheme: 'openchoreo', controlPlaneNamespace: 'default' } }, cell, 'dev')).toMatch(
      /^dp-default-orion-dev-/,
    );
  });
});
