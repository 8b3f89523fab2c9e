import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { parseAllDocuments } from 'yaml';
import { cellplane } from '../testing/runCli';

/* The hostile catalogs of issue 18 through the CLI: refused, named, exit 1; or rendered apart. */

const group = (name: string, namespace = 'default') => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace },
  spec: { type: 'team', children: [] },
});
const system = (name: string, namespace = 'default', spec: Record<string, unknown> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name, namespace },
  spec: { owner: `group:${namespace}/team`, cell: {}, ...spec },
});
const component = (name: string, namespace: string, systemRef: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: `group:${namespace}/team`,
    system: systemRef,
    endpoints: [{ name: 'http', port: 8080, protocol: 'HTTP', visibility: 'public', auth: 'none' }],
  },
});

describe('cellplane on hostile catalogs', () => {
  let tmp: string;
  const write = (name: string, docs: object[]) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, docs.map(d => stringify(d)).join('---\n'));
    return file;
  };
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-hostile-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('render --out writes two same-named cells of two catalog namespaces to two files', async () => {
    write('catalog.yaml', [
      group('team'),
      group('team', 'ops'),
      system('core'),
      system('core', 'ops'),
      component('web', 'default', 'core'),
      component('web', 'ops', 'core'),
    ]);
    const out = path.join(tmp, 'out');
    const { code, stderr } = await cellplane('render', path.join(tmp, 'catalog.yaml'), '--out', out);
    expect(stderr).toMatch(/wrote 2 files/);
    expect(code).toBe(0);
    expect(fs.readdirSync(path.join(out, 'development')).sort()).toEqual(['core.yaml', 'ops.core.yaml']);
    const ops = parseAllDocuments(fs.readFileSync(path.join(out, 'development', 'ops.core.yaml'), 'utf8')).map(d => d.toJS());
    expect(ops.find(o => o.kind === 'Namespace').metadata.labels['openchoreo.dev/namespace']).toBe('ops');
  });

  it('render and verify exit 1 on an owner that would bind system:authenticated, naming spec.owner', async () => {
    const file = write('catalog.yaml', [system('houston', 'default', { owner: 'group:default/system:authenticated' }), group('team')]);
    for (const command of ['render', 'verify']) {
      const { code, stderr } = await cellplane(command, file);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `${file}: system:default/houston: spec.owner: group:default/system:authenticated would bind Kubernetes' own system:authenticated`,
      );
    }
  });

  it('render and verify exit 1 on an intruder from another catalog namespace, naming the intruder', async () => {
    const file = write('catalog.yaml', [
      group('team'),
      group('team', 'evil'),
      system('houston'),
      component('capcom', 'default', 'houston'),
      component('spy', 'evil', 'system:default/houston'),
    ]);
    for (const command of ['render', 'verify']) {
      const { code, stderr } = await cellplane(command, file);
      expect(code).toBe(1);
      expect(stderr).toMatch(/component:evil\/spy: spec\.system: system:default\/houston does not admit components of catalog namespace evil/);
      expect(stderr).not.toMatch(/system:default\/houston: /);
    }
  });

  it('render and verify exit 1 when two cells claim one namespace (the cell-env scheme), naming both', async () => {
    const file = write('catalog.yaml', [group('team'), group('team', 'ops'), system('core'), system('core', 'ops')]);
    const config = path.join(tmp, 'app-config.yaml');
    fs.writeFileSync(config, 'cells:\n  naming:\n    scheme: cell-env\n');
    for (const command of ['render', 'verify']) {
      const { code, stdout, stderr } = await cellplane(command, file, '--config', config);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain('system:default/core: metadata.name: its namespace core-development in development is also claimed by system:ops/core');
      expect(stderr).toContain('system:ops/core: metadata.name: its namespace core-development in development is also claimed by system:default/core');
    }
  });

  it('renders a component named default-deny without losing the cell-wide default-deny', async () => {
    const file = write('catalog.yaml', [group('team'), system('shop'), component('default-deny', 'default', 'shop')]);
    const { code, stdout } = await cellplane('render', file);
    expect(code).toBe(0);
    const policies = parseAllDocuments(stdout)
      .map(d => d.toJS())
      .filter(o => o.kind === 'NetworkPolicy');
    expect(policies.map(p => p.metadata.name)).toEqual(['cell.default-deny', 'cell.allow-dns', 'cell.waypoint', 'default-deny']);
    expect(policies[0].spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });
});
