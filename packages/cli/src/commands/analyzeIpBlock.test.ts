import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cellplane } from '../testing/runCli';

/** Two pods with IPs; the server admits ingress only from an ipBlock that covers the client's pod IP. */
const MANIFESTS = `
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: a, labels: { app: client } }
spec: { containers: [{ name: c, image: x }] }
status: { podIP: 10.8.0.5 }
---
apiVersion: v1
kind: Pod
metadata: { name: server, namespace: b, labels: { app: server } }
spec: { containers: [{ name: c, image: x, ports: [{ containerPort: 8080 }] }] }
status: { podIP: 10.9.0.7 }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-block, namespace: b }
spec:
  podSelector: { matchLabels: { app: server } }
  ingress: [{ from: [{ ipBlock: { cidr: 10.8.0.0/16 } }] }]
`;

describe('cellplane analyze: an ipBlock over a pod IP (docs/policy-semantics.md#netpol-9)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-ipblock-'));
    fs.writeFileSync(path.join(dir, 'all.yaml'), MANIFESTS);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--json reports the flow as allowed, with the CNI caveat on the L3/L4 layer', async () => {
    const out = await cellplane('analyze', dir, '--from', 'a/client', '--to', 'b/server', '--port', '8080', '--json');
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout);
    expect(result).toMatchObject({ allowed: true, decidedBy: null });
    const l3l4 = result.layers.find((l: { layer: string }) => l.layer === 'L3/L4');
    expect(l3l4).toMatchObject({ verdict: 'allow', policies: ['b/from-block'] });
    expect(l3l4.caveat).toMatch(/covers the pod IP of a\/client \(10\.8\.0\.5\); Calico, Antrea and kube-router .* allow it .*, Cilium does not and denies it/);
    expect(result.explanation).toMatch(/^allowed \(depends on the CNI: Calico, Antrea and kube-router allow it, Cilium denies it\)/);
  });

  it('the text output says so too; the matrix counts the pair as allowed', async () => {
    const text = await cellplane('analyze', dir, '--from', 'a/client', '--to', 'b/server', '--port', '8080');
    expect(text.stdout).toMatch(/^ALLOWED: a\/client -> b\/server port 8080\/TCP/);
    expect(text.stdout).toContain('depends on the CNI');
    const matrix = JSON.parse((await cellplane('analyze', dir, '--matrix', '--port', '8080', '--json')).stdout);
    expect(matrix.pairs).toContainEqual({ from: 'a/client', to: 'b/server', allowed: true });
  });
});
