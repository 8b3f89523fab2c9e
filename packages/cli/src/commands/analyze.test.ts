import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cellplane } from '../testing/runCli';

const CELL = `
apiVersion: v1
kind: Namespace
metadata:
  name: orion
  labels:
    istio.io/dataplane-mode: ambient
    istio.io/use-waypoint: waypoint
---
apiVersion: v1
kind: Namespace
metadata:
  name: houston
  labels:
    istio.io/dataplane-mode: ambient
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: orion }
spec:
  gatewayClassName: istio-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: comms-system, namespace: orion }
spec:
  template:
    metadata: { labels: { app: comms-system } }
    spec:
      serviceAccountName: comms-system
      containers: [{ name: app, image: x, ports: [{ name: http, containerPort: 8080 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: comms-system, namespace: orion }
spec:
  selector: { app: comms-system }
  ports: [{ name: http, port: 8080, targetPort: 8080 }]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: comms-system, namespace: orion }
spec:
  targetRefs: [{ kind: Service, group: "", name: comms-system }]
  rules:
    - from: [{ source: { principals: [cluster.local/ns/houston/sa/capcom] } }]
      to: [{ operation: { methods: [POST], paths: [/uplink] } }]
`;
const WORKLOADS = `
apiVersion: v1
kind: Pod
metadata: { name: capcom, namespace: houston, labels: { app: capcom } }
spec: { serviceAccountName: capcom, containers: [{ name: app, image: x }] }
---
apiVersion: v1
kind: Pod
metadata: { name: adversary, namespace: orion, labels: { app: adversary } }
spec: { serviceAccountName: adversary, containers: [{ name: app, image: x }] }
`;

describe('cellplane analyze', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-analyze-'));
    fs.mkdirSync(path.join(tmp, 'cells'));
    fs.writeFileSync(path.join(tmp, 'cells', 'orion.yaml'), CELL);
    fs.writeFileSync(path.join(tmp, 'workloads.yaml'), WORKLOADS);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const spoof = ['--from', 'orion/adversary', '--to', 'orion/comms-system', '--port', '8080', '--method', 'POST', '--path', '/uplink'];

  it('--json prints allowed, decidedBy and the three layers', async () => {
    const { code, stdout, stderr } = await cellplane('analyze', path.join(tmp, 'cells'), path.join(tmp, 'workloads.yaml'), ...spoof, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ allowed: false, decidedBy: 'L7' });
    expect(result.layers.map((l: { layer: string; verdict: string }) => `${l.layer}=${l.verdict}`)).toEqual(['L3/L4=allow', 'mTLS=allow', 'L7=deny']);
    expect(result.layers[2].policies).toEqual(['orion/comms-system']);
  });

  it('capcom is allowed', async () => {
    const { stdout } = await cellplane(
      'analyze',
      tmp,
      '--from',
      'houston/capcom',
      '--to',
      'orion/comms-system',
      '--port',
      'http',
      '--method',
      'POST',
      '--path',
      '/uplink',
      '--json',
    );
    expect(JSON.parse(stdout)).toMatchObject({ allowed: true, decidedBy: null });
  });

  it('prints readable text without --json', async () => {
    const { code, stdout } = await cellplane('analyze', tmp, ...spoof);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^DENIED at L7: orion\/adversary -> orion\/comms-system port 8080\/TCP POST \/uplink/);
    expect(stdout).toContain('the caller is cluster.local/ns/orion/sa/adversary');
    expect(stdout).toContain('path: orion/adversary -> orion/waypoint (15008), then orion/waypoint -> orion/comms-system (15008)');
  });

  it('--matrix --json prints every ordered pair', async () => {
    const { code, stdout } = await cellplane('analyze', tmp, '--matrix', '--port', '8080', '--method', 'POST', '--path', '/uplink', '--json');
    expect(code).toBe(0);
    const { pairs } = JSON.parse(stdout);
    expect(pairs).toHaveLength(6);
    expect(pairs.filter((p: { allowed: boolean }) => p.allowed).map((p: { from: string; to: string }) => `${p.from}>${p.to}`)).toEqual([
      'houston/capcom>orion/adversary',
      'houston/capcom>orion/comms-system',
      'orion/adversary>houston/capcom',
      'orion/comms-system>houston/capcom',
      'orion/comms-system>orion/adversary',
    ]);
  });

  it("--connlist lists every pair with its ports per protocol, and the waypoint's operations on the Service port", async () => {
    const { code, stdout, stderr } = await cellplane('analyze', tmp, '--connlist');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'houston/capcom -> orion/adversary: TCP all ports; UDP all ports; SCTP all ports',
      // 8080 has a Service and so the waypoint, whose policy admits capcom for POST /uplink only; other ports go straight to the pod.
      'houston/capcom -> orion/comms-system: TCP 1-8079,8081-65535; TCP 8080 only POST /uplink; UDP all ports; SCTP all ports',
      'orion/adversary -> houston/capcom: TCP all ports; UDP all ports; SCTP all ports',
      'orion/adversary -> orion/comms-system: TCP 1-8079,8081-65535; UDP all ports; SCTP all ports',
      'orion/comms-system -> houston/capcom: TCP all ports; UDP all ports; SCTP all ports',
      'orion/comms-system -> orion/adversary: TCP all ports; UDP all ports; SCTP all ports',
      '6 of 6 pairs have a connection (5 port classes evaluated); pairs not listed have none',
      '',
    ]);
  });

  it('--connlist --json prints the connections with port ranges and operations', async () => {
    const { code, stdout } = await cellplane('analyze', tmp, '--connlist', '--json');
    expect(code).toBe(0);
    const { connections } = JSON.parse(stdout);
    expect(connections).toHaveLength(6);
    expect(connections[1]).toEqual({
      from: 'houston/capcom',
      to: 'orion/comms-system',
      allowed: [
        {
          protocol: 'TCP',
          ports: '1-8079,8081-65535',
          ranges: [
            [1, 8079],
            [8081, 65535],
          ],
        },
        { protocol: 'TCP', ports: '8080', ranges: [[8080, 8080]], operations: [{ methods: ['POST'], paths: ['/uplink'] }] },
        { protocol: 'UDP', ports: '1-65535', ranges: [[1, 65535]] },
        { protocol: 'SCTP', ports: '1-65535', ranges: [[1, 65535]] },
      ],
    });
  });

  it('--connlist refuses the flags of a single request or a matrix', async () => {
    const { code, stdout, stderr } = await cellplane('analyze', tmp, '--connlist', '--port', '8080', '--method', 'GET');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/--connlist lists every pair, port and protocol; drop --port, --method/);
  });

  it.each([
    [['--to', 'orion/comms-system', '--port', '8080'], /--from <namespace>\/<name> is required/],
    [['--from', 'orion/adversary', '--to', 'orion/comms-system'], /--port is required/],
    [['--from', 'orion/ghost', '--to', 'orion/comms-system', '--port', '8080'], /unknown workload "orion\/ghost"/],
    [['--from', 'orion/adversary', '--to', 'orion/comms-system', '--port', '99999'], /--port 99999/],
  ])('bad flags %j: a clear message and exit 1', async (flags, message) => {
    const { code, stderr, stdout } = await cellplane('analyze', tmp, ...flags);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('an unknown --protocol is refused by the option parser', async () => {
    const { code, stderr } = await cellplane('analyze', tmp, ...spoof, '--protocol', 'QUIC');
    expect(code).toBe(1);
    expect(stderr).toMatch(/QUIC/);
  });

  it('a malformed manifest is reported with its file, document, object and field', async () => {
    const bad = path.join(tmp, 'bad.yaml');
    fs.writeFileSync(
      bad,
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: np, namespace: orion }\nspec:\n  podSelector: {}\n  ingress: [{ ports: [{ port: "8080" }] }]\n',
    );
    const { code, stderr } = await cellplane('analyze', tmp, ...spoof);
    expect(code).toBe(1);
    expect(stderr).toContain(`${bad} (document 1): NetworkPolicy orion/np: spec.ingress[0].ports[0].port`);
  });

  it('a missing file is reported', async () => {
    const { code, stderr } = await cellplane('analyze', path.join(tmp, 'nope.yaml'), ...spoof);
    expect(code).toBe(1);
    expect(stderr).toMatch(/nope\.yaml: no such file or directory/);
  });
});
