import { FQDN_L7_ONLY_WARNING } from '@cellplane/cells-common';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { cellplane } from '../testing/runCli';

const ARTEMIS = path.resolve(__dirname, '../../../../examples/artemis');

describe('cellplane render', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-render-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('prints every object of the five Artemis cells and the egress namespace as multi-document YAML', async () => {
    const { code, stdout, stderr } = await cellplane('render', ARTEMIS);
    // Plain NetworkPolicy cannot name api.weather.gov at L3/L4: said once, as a warning.
    expect(stderr).toBe(`warning: development: ${FQDN_L7_ONLY_WARNING}\n`);
    expect(code).toBe(0);
    const docs = parseAllDocuments(stdout).map(d => d.toJS());
    expect(docs.filter(d => d.kind === 'Namespace')).toHaveLength(6);
    expect(docs.filter(d => d.kind === 'ServiceEntry').map(d => d.spec.hosts)).toEqual([['api.weather.gov']]);
    // One per component (18), one per external host, bound to its ServiceEntry, and flight-director's front door.
    expect(docs.filter(d => d.kind === 'AuthorizationPolicy' && d.spec.targetRefs)).toHaveLength(20);
    expect(docs.filter(d => d.kind === 'AuthorizationPolicy' && d.spec.action === 'DENY').map(d => d.metadata.name)).toEqual([
      'flight-director.http.front-door',
    ]);
    expect(docs.filter(d => d.kind === 'ServiceAccount')).toHaveLength(18);
  });

  it('writes one file per cell and environment with --out', async () => {
    const { code, stderr } = await cellplane('render', ARTEMIS, '--out', tmp, '--env', 'development');
    expect(code).toBe(0);
    expect(stderr).toMatch(/wrote 6 files/);
    expect(fs.readdirSync(path.join(tmp, 'development')).sort()).toEqual([
      '_egress.yaml',
      'deep-space-network.yaml',
      'esa-ops.yaml',
      'houston.yaml',
      'kennedy.yaml',
      'orion.yaml',
    ]);
  });

  it('reads settings from an app-config file: Cilium flavour and another naming scheme', async () => {
    const config = path.join(tmp, 'app-config.yaml');
    fs.writeFileSync(config, 'cells:\n  environments:\n    - name: development\n      networkPolicy: cilium\n  naming:\n    scheme: cell-env\n');
    const { code, stdout } = await cellplane(
      'render',
      path.join(ARTEMIS, 'orion.yaml'),
      path.join(ARTEMIS, 'deep-space-network.yaml'),
      path.join(ARTEMIS, 'houston.yaml'),
      path.join(ARTEMIS, 'kennedy.yaml'),
      path.join(ARTEMIS, 'esa-ops.yaml'),
      path.join(ARTEMIS, 'org.yaml'),
      '--config',
      config,
    );
    expect(code).toBe(0);
    const docs = parseAllDocuments(stdout).map(d => d.toJS());
    expect(docs.some(d => d.kind === 'CiliumNetworkPolicy')).toBe(true);
    expect(docs.some(d => d.kind === 'NetworkPolicy')).toBe(false);
    expect(docs.find(d => d.kind === 'Namespace').metadata.name).toBe('deep-space-network-development');
  });

  it('fails on bad input naming file, entity and field, and writes nothing', async () => {
    const bad = path.join(tmp, 'catalog');
    fs.mkdirSync(bad);
    for (const f of fs.readdirSync(ARTEMIS)) {
      fs.copyFileSync(path.join(ARTEMIS, f), path.join(bad, f));
    }
    const orion = path.join(bad, 'orion.yaml');
    fs.writeFileSync(orion, fs.readFileSync(orion, 'utf8').replace('paths: [/nav/state]', 'paths: [nav/state]'));
    const out = path.join(tmp, 'out');
    const { code, stdout, stderr } = await cellplane('render', bad, '--out', out);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${orion}: component:default/guidance-nav: spec.allowFrom[0].paths[0]: path pattern "nav/state" does not start with "/"`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('fails on a YAML syntax error with the file and line', async () => {
    const file = path.join(tmp, 'broken.yaml');
    fs.writeFileSync(file, 'kind: System\nmetadata: {name: x\n');
    const { code, stderr } = await cellplane('render', file);
    expect(code).toBe(1);
    expect(stderr).toMatch(/broken\.yaml(:\d+)?: invalid YAML/);
  });

  it('fails on an unknown environment and a missing path', async () => {
    expect((await cellplane('render', ARTEMIS, '--env', 'production')).stderr).toMatch(/--env production: no such environment; configured: development/);
    expect((await cellplane('render', path.join(tmp, 'nope'))).stderr).toMatch(/no such file or directory/);
  });

  it('fails on an invalid setting, naming the key', async () => {
    const config = path.join(tmp, 'app-config.yaml');
    fs.writeFileSync(config, 'cells:\n  gateway:\n    principal: "cluster.local/ns/gw/sa/*"\n');
    const { code, stderr } = await cellplane('render', ARTEMIS, '--config', config);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cells\.gateway\.principal: .* is not one explicit principal/);
  });
});
