import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cellplane } from '../testing/runCli';

const ARTEMIS = path.resolve(__dirname, '../../../../examples/artemis');
const KENNEDY = 'dp-default-kennedy-development-01c3c19a';

/** A pod of a Kennedy component, as its Deployment would run it: its service account and the cell's pod label. */
const kennedyPod = (name: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${KENNEDY}, labels: { backstage.io/kubernetes-id: ${name} } }
spec: { serviceAccountName: ${name}, containers: [{ name: app, image: x, ports: [{ containerPort: 8080 }] }] }
`;
/** A pod in Kennedy's namespace wearing weather-station's labels under an account of its own. */
const ROGUE = `
apiVersion: v1
kind: Pod
metadata: { name: rogue, namespace: ${KENNEDY}, labels: { backstage.io/kubernetes-id: weather-station } }
spec: { serviceAccountName: rogue, containers: [{ name: app, image: x }] }
`;

describe('cellplane analyze --connlist: destinations outside the cluster (the rendered Artemis example)', () => {
  let dir: string;
  let manifests: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-connlist-'));
    const rendered = await cellplane('render', ARTEMIS, '--out', dir, '--env', 'development');
    if (rendered.code !== 0) throw new Error(`render failed: ${rendered.stderr}`);
    manifests = path.join(dir, 'development');
    fs.writeFileSync(path.join(dir, 'pods.yaml'), [kennedyPod('weather-station'), kennedyPod('launch-control'), ROGUE].join('---\n'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists weather-station to its host over TLS and its database network with the carve-out; launch-control to nothing outside', async () => {
    const { code, stdout, stderr } = await cellplane('analyze', manifests, path.join(dir, 'pods.yaml'), '--connlist');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const outside = lines.filter(l => / -> [^/]*[.:]\S*:\S+ \(/.test(l) && !l.includes(`-> ${KENNEDY}/`));
    expect(outside).toEqual([
      // The rogue pod wears weather-station's labels: the network (enforced by labels at L3/L4) is open to it, the host (by principal at L7) is not.
      `${KENNEDY}/rogue -> 10.20.8.0/24:5432 (TCP, except 10.20.8.0/28)`,
      `${KENNEDY}/weather-station -> 10.20.8.0/24:5432 (TCP, except 10.20.8.0/28)`,
      `${KENNEDY}/weather-station -> api.weather.gov:443 (TLS)`,
    ]);
    // The egress waypoint's world rule, the database network and the host, each named by the manifests.
    expect(lines).toContain(
      '3 connection(s) leave the cluster, to 3 destination(s) the manifests name (ServiceEntry hosts, toFQDNs, ipBlocks, toCIDRSet, toEntities world); other addresses are not listed',
    );
  });

  it('--json carries them under external, with port ranges', async () => {
    const { code, stdout } = await cellplane('analyze', manifests, path.join(dir, 'pods.yaml'), '--connlist', '--json');
    expect(code).toBe(0);
    const { external } = JSON.parse(stdout);
    expect(external.find((c: { from: string; to: string }) => c.from === `${KENNEDY}/weather-station` && c.to === 'api.weather.gov')).toEqual({
      from: `${KENNEDY}/weather-station`,
      kind: 'host',
      to: 'api.weather.gov',
      protocol: 'TLS',
      ports: '443',
      ranges: [[443, 443]],
    });
  });

  it('prints no outside section for manifests that name no destination outside the cluster', async () => {
    const { stdout } = await cellplane('analyze', path.join(manifests, 'houston.yaml'), path.join(dir, 'pods.yaml'), '--connlist');
    expect(stdout).not.toMatch(/leave the cluster/);
  });
});
