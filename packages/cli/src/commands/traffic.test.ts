/**
 * `cellplane traffic` and `cellplane diff --traffic` against a real
 * Prometheus loaded with the recorded Artemis traffic, and a Hubble export.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { cellplane } from '../testing/runCli';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../../../..');
const ARTEMIS = path.join(ROOT, 'examples/artemis');
// The example's identity provider: without it flight-director's public route is closed, and the gateway's observed calls would break.
const CONFIG = ['--config', path.join(ROOT, 'app-config.yaml')];
const HUBBLE = path.join(ROOT, 'examples/artemis-traffic/hubble-flows.jsonl');
const WINDOW = ['--until', '2026-11-30T00:00:00Z', '--since', '7d', '--resolution', '1h'];

/** The Artemis catalog with kennedy's pad-operations also declaring its call to launch-control. */
function artemisAllowingPadOperations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-traffic-test-'));
  for (const file of fs.readdirSync(ARTEMIS).filter(f => f.endsWith('.yaml'))) {
    const docs = parseAllDocuments(fs.readFileSync(path.join(ARTEMIS, file), 'utf8')).map(d => d.toJS());
    for (const doc of docs) {
      if (doc?.metadata?.name === 'pad-operations') doc.spec.connections = [...(doc.spec.connections ?? []), { to: 'launch-control', endpoint: 'http' }];
    }
    fs.writeFileSync(path.join(dir, file), docs.map(d => stringify(d)).join('---\n'));
  }
  return dir;
}

describe('observed traffic on the command line', () => {
  let prometheus: { url: string; stop: () => Promise<void> };
  const allowing = artemisAllowingPadOperations();
  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    prometheus = await require(path.join(ROOT, 'tools/traffic-prometheus.js')).startTrafficPrometheus();
  });
  afterAll(async () => {
    await prometheus?.stop();
    fs.rmSync(allowing, { recursive: true, force: true });
  });

  it('cellplane traffic classifies the week and lists the undeclared call as would-break, with its layer and policy', async () => {
    const { code, stdout, stderr } = await cellplane('traffic', ARTEMIS, '--source', prometheus.url, ...WINDOW, ...CONFIG);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^1 seen, allowed, not declared .*:\n {2}kennedy\/pad-operations -> kennedy\/launch-control \(HTTP\): \d+ calls, last 2026-11-30T00:00:00.000Z$/m,
    );
    expect(stdout).toMatch(
      /^1 declared, not seen \(tightening candidates\):\n {2}esa-ops\/mission-relay -> esa-ops\/service-module-monitor:8080 GET \/propulsion\/status \(HTTP\): last seen never$/m,
    );
    expect(stdout).toMatch(/^2 denied:$/m);
    expect(stdout).toMatch(/workload:dp-default-houston-development-8d981cd8\/debug-shell -> houston\/flight-director \(HTTP\): \d+ calls, .* \[SUSPICIOUS\]/);
    expect(stdout).toMatch(
      /^1 observed calls would break under the compiled enforce-mode policies:\n {2}! kennedy\/pad-operations -> kennedy\/launch-control \(HTTP\): \d+ calls, last 2026-11-30T00:00:00.000Z; denied at (L3\/L4|L7) by \S+/m,
    );
  });

  it('lists what enforcing would break for a cell in audit too, and names the cells in audit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-traffic-audit-'));
    const config = path.join(dir, 'app-config.yaml');
    // With the example's identity provider (app-config.yaml): without it flight-director's public route is closed.
    const { gateway } = parse(fs.readFileSync(path.join(ROOT, 'app-config.yaml'), 'utf8')).cells;
    fs.writeFileSync(config, stringify({ cells: { environments: [{ name: 'development', enforcement: 'audit' }], gateway } }));
    try {
      const { code, stdout } = await cellplane('traffic', ARTEMIS, '--source', prometheus.url, ...WINDOW, '--config', config);
      expect(code).toBe(0);
      expect(stdout).toMatch(
        /^1 observed calls would break under the compiled enforce-mode policies \(in audit: deep-space-network, esa-ops, houston, kennedy, orion\):\n {2}! kennedy\/pad-operations -> kennedy\/launch-control \(HTTP\)/m,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints JSON with the classes and the would-break list', async () => {
    const { stdout } = await cellplane('traffic', ARTEMIS, '--source', prometheus.url, ...WINDOW, ...CONFIG, '--json');
    const json = JSON.parse(stdout);
    expect(json.counts['undeclared-allowed']).toBe(1);
    expect(json.wouldBreak).toHaveLength(1);
    expect(json.wouldBreak[0]).toMatchObject({ endpoint: 'http', edge: { from: 'component:default/pad-operations', to: 'component:default/launch-control' } });
  });

  it('diff --traffic: allowing the undeclared call breaks nothing observed; removing a used grant lists its calls', async () => {
    const fix = await cellplane('diff', ARTEMIS, allowing, '--traffic', prometheus.url, ...WINDOW, ...CONFIG);
    expect(fix.code).toBe(0);
    expect(fix.stdout).toMatch(
      /^observed traffic: prometheus .*: 37 observations, 37 edges\n0 observed calls would break, 0 already denied before the change\n$/m,
    );
    const undo = await cellplane('diff', allowing, ARTEMIS, '--traffic', prometheus.url, ...WINDOW, ...CONFIG, '--fail-on-break');
    expect(undo.stdout).toMatch(
      /^1 observed calls would break, 0 already denied before the change\n {2}! kennedy\/pad-operations -> kennedy\/launch-control \(HTTP\)/m,
    );
    expect(undo.code).toBe(1);
    expect(undo.stderr).toBe('cellplane: 1 observed calls would break (--fail-on-break)\n');
    const json = JSON.parse((await cellplane('diff', allowing, ARTEMIS, '--traffic', prometheus.url, ...WINDOW, ...CONFIG, '--json')).stdout);
    expect(json.traffic.wouldBreak.map((w: any) => w.edge.to)).toEqual(['component:default/launch-control']);
  });

  it('reads a Hubble export too, and refuses a source that is neither', async () => {
    const { code, stdout } = await cellplane('traffic', ARTEMIS, '--source', HUBBLE, '--until', '2026-11-30T00:00:00Z', '--since', '1h');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^development: hubble file .*: 79 observations, 5 edges; left out: 1 lost events \(Hubble dropped flows\), 1 not a flow \(node status\), 80 waypoint leg/m,
    );
    expect(stdout).toMatch(/could not be judged:\n(.*\n)* {2}\? houston\/capcom -> orion \(its waypoint\) \(HBONE\): the call went through/m);
    const bad = await cellplane('traffic', ARTEMIS, '--source', 'nowhere.jsonl');
    expect(bad).toMatchObject({
      code: 1,
      stderr: 'cellplane: --traffic nowhere.jsonl: give a `hubble observe -o jsonpb` export (a file) or a Prometheus URL (http://...)\n',
    });
    const badSince = await cellplane('traffic', ARTEMIS, '--source', HUBBLE, '--since', 'a week');
    expect(badSince.stderr).toBe('cellplane: --since a week: write a duration such as 15m, 24h or 7d\n');
  });
});
