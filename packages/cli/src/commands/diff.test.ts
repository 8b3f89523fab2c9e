import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { cellplane } from '../testing/runCli';

const ARTEMIS = path.resolve(__dirname, '../../../../examples/artemis');

/** A copy of the Artemis catalog in a temp folder, with capcom's spec edited. */
function artemisCopy(editCapcom?: (spec: any) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-diff-test-'));
  for (const file of fs.readdirSync(ARTEMIS).filter(f => f.endsWith('.yaml'))) {
    const docs = parseAllDocuments(fs.readFileSync(path.join(ARTEMIS, file), 'utf8')).map(d => d.toJS());
    for (const doc of docs) if (doc?.metadata?.name === 'capcom' && editCapcom) editCapcom(doc.spec);
    fs.writeFileSync(path.join(dir, file), docs.map(d => stringify(d)).join('---\n'));
  }
  return dir;
}

const addTelemetry = (spec: any) => spec.connections.push({ to: 'telemetry-monitor', endpoint: 'http', methods: ['GET'], paths: ['/telemetry/*'] });

describe('cellplane diff', () => {
  const before = artemisCopy();
  const after = artemisCopy(addTelemetry);
  afterAll(() => [before, after].forEach(d => fs.rmSync(d, { recursive: true, force: true })));

  it('shows exactly the request an added connection opens', async () => {
    const { code, stdout } = await cellplane('diff', before, after);
    expect(code).toBe(0);
    expect(stdout).toBe(
      'development: 1 request newly allowed, 0 no longer allowed\n' +
        `  + houston/capcom may now GET /telemetry/probe on houston/telemetry-monitor [L7: ${JSON.parse(
          (await cellplane('diff', before, after, '--json')).stdout,
        ).added[0].policies.join(', ')}]\n`,
    );
  });

  it('prints the documented JSON shape', async () => {
    const { code, stdout } = await cellplane('diff', before, after, '--json');
    expect(code).toBe(0);
    const diff = JSON.parse(stdout);
    expect(diff.removed).toEqual([]);
    expect(diff.added).toHaveLength(1);
    expect(diff.added[0]).toMatchObject({
      from: 'houston/capcom',
      to: 'houston/telemetry-monitor',
      port: 8080,
      method: 'GET',
      path: '/telemetry/probe',
      layer: 'L7',
    });
    // The reverse direction is a removal.
    const reverse = JSON.parse((await cellplane('diff', after, before, '--json')).stdout);
    expect(reverse.added).toEqual([]);
    expect(reverse.removed.map((c: any) => c.text)).toEqual(['houston/capcom may no longer GET /telemetry/probe on houston/telemetry-monitor']);
  });

  it('prints a Markdown table for a pull request', async () => {
    const { stdout } = await cellplane('diff', before, after, '--markdown');
    expect(stdout).toMatch(/^### Access changes \(development\): 1 newly allowed, 0 no longer allowed$/m);
    expect(stdout).toMatch(/^\| Newly allowed \| houston\/capcom may now GET \/telemetry\/probe on houston\/telemetry-monitor \| `8080` \| `L7` \| `.+` \|$/m);
  });

  it('reports nothing for the same catalog, and exits 0 with --fail-on-widen', async () => {
    const { code, stdout } = await cellplane('diff', ARTEMIS, before, '--fail-on-widen');
    expect(stdout).toBe('development: 0 requests newly allowed, 0 no longer allowed\n');
    expect(code).toBe(0);
  });

  it('exits 1 with --fail-on-widen when access widens', async () => {
    const { code, stderr } = await cellplane('diff', before, after, '--fail-on-widen');
    expect(code).toBe(1);
    expect(stderr).toMatch(/access widens: 1 request newly allowed/);
  });

  it('diffs two rendered manifest folders against a catalog, catching a hand edit', async () => {
    const rendered = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-diff-rendered-'));
    try {
      expect((await cellplane('render', ARTEMIS, '--out', path.join(rendered, 'a'))).code).toBe(0);
      expect((await cellplane('render', ARTEMIS, '--out', path.join(rendered, 'b'))).code).toBe(0);
      const orion = path.join(rendered, 'b', 'development', 'orion.yaml');
      const docs = parseAllDocuments(fs.readFileSync(orion, 'utf8')).map(d => d.toJS());
      delete docs.find(d => d.kind === 'AuthorizationPolicy' && d.metadata.name === 'life-support').spec.rules[0].to;
      fs.writeFileSync(orion, docs.map(d => stringify(d)).join('---\n'));
      const { code, stdout } = await cellplane('diff', path.join(rendered, 'a'), path.join(rendered, 'b'), '--catalog', ARTEMIS, '--json', '--fail-on-widen');
      expect(code).toBe(1);
      const diff = JSON.parse(stdout);
      expect(diff.added.length).toBeGreaterThan(0);
      expect(diff.added.every((c: any) => c.from === 'orion/crew-interface' && c.to === 'orion/life-support')).toBe(true);
    } finally {
      fs.rmSync(rendered, { recursive: true, force: true });
    }
  });

  it('diffs one folder at two git revisions', async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-diff-git-'));
    const run = (...args: string[]) =>
      execFileSync('git', ['-C', repo, '-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { stdio: 'pipe' });
    try {
      run('init', '-q');
      fs.cpSync(before, path.join(repo, 'catalog'), { recursive: true });
      run('add', '.');
      run('commit', '-q', '-m', 'before');
      fs.cpSync(after, path.join(repo, 'catalog'), { recursive: true });
      run('commit', '-q', '-am', 'after');
      const { code, stdout } = await cellplane('diff', '--git', 'HEAD~1..HEAD', path.join(repo, 'catalog'), '--json');
      expect(code).toBe(0);
      expect(JSON.parse(stdout).added.map((c: any) => c.text)).toEqual(['houston/capcom may now GET /telemetry/probe on houston/telemetry-monitor']);
      const bad = await cellplane('diff', '--git', 'HEAD~1..nope', path.join(repo, 'catalog'));
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/git ls-tree .* nope/);
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it.each([
    [[], /give two paths/],
    [['--git', 'HEAD'], /--git HEAD: write <rev1>..<rev2>/],
    [['--json', '--markdown'], /at most one of --json and --markdown/],
  ])('refuses bad arguments %j', async (args, message) => {
    const { code, stderr } = await cellplane('diff', ...(args.length === 0 ? [ARTEMIS] : [ARTEMIS, ARTEMIS]), ...args);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });

  it('refuses a bad catalog, naming the file and the field', async () => {
    const broken = artemisCopy(spec => spec.connections.push({ to: 'telemetry-monitor', endpoint: 'http', methods: ['FETCH'] }));
    try {
      const { code, stderr } = await cellplane('diff', before, broken);
      expect(code).toBe(1);
      expect(stderr).toContain(`${path.join(broken, 'houston.yaml')}: component:default/capcom: spec.connections[2].methods`);
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
    }
  });
});
