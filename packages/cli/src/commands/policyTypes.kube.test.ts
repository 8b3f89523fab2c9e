import { KubeConfig } from '@kubernetes/client-node';
import { analyzeRequest, loadCluster } from '@cellplane/cells-common';
import { createTestNamespace, describeWithKube, rawRequest, testKubeConfig } from '@cellplane/kube-testenv';

type Json = any;

/**
 * docs/policy-semantics.md#netpol-1, judged by the real API server: it fills in
 * `policyTypes` when they are left out, and the analyzer must read a policy
 * as written exactly as the server's defaulted copy says.
 */
const RULE = { from: [{ podSelector: { matchLabels: { app: 'nobody' } } }] };
const EGRESS_RULE = { to: [{ podSelector: { matchLabels: { app: 'nobody' } } }] };
const POLICY_TYPES = [undefined, [], ['Ingress'], ['Egress'], ['Ingress', 'Egress']];
const INGRESS = [undefined, [], [RULE], [{}]];
const EGRESS = [undefined, [], [EGRESS_RULE], [{}]];

interface Case {
  name: string;
  spec: Json;
}

const CASES: Case[] = POLICY_TYPES.flatMap((policyTypes, t) =>
  INGRESS.flatMap((ingress, i) =>
    EGRESS.map((egress, e) => ({
      name: `p${t}-${i}-${e}`,
      spec: {
        podSelector: { matchLabels: { app: 'server' } },
        ...(policyTypes !== undefined ? { policyTypes } : {}),
        ...(ingress !== undefined ? { ingress } : {}),
        ...(egress !== undefined ? { egress } : {}),
      },
    })),
  ),
);

function policy(namespace: string, c: Case): Json {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: c.name, namespace }, spec: c.spec };
}

/** The directions the analyzer says the policy isolates, in the API's spelling. */
function analyzerPolicyTypes(object: Json): string[] {
  const model = loadCluster([object]);
  expect(model.problems).toEqual([]);
  const { isolates } = model.networkPolicies[0];
  return [...(isolates.ingress ? ['Ingress'] : []), ...(isolates.egress ? ['Egress'] : [])];
}

/** Allowed in each direction at the selected pod, with one other pod in the namespace. */
function verdicts(namespace: string, object: Json): { in: boolean; out: boolean } {
  const pod = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name } },
    spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] },
  });
  const model = loadCluster([pod('server'), pod('client'), object]);
  const ask = (from: string, to: string) => analyzeRequest(model, { from: `${namespace}/${from}`, to: `${namespace}/${to}`, port: 8080 }).allowed;
  return { in: ask('client', 'server'), out: ask('server', 'client') };
}

describeWithKube('NetworkPolicy policyTypes as the real API server defaults them', () => {
  let kubeconfig: KubeConfig;
  let namespace: string;
  beforeAll(async () => {
    kubeconfig = testKubeConfig();
    namespace = await createTestNamespace(kubeconfig, 'policytypes');
  });

  it(`the analyzer reads all ${CASES.length} combinations of policyTypes, ingress and egress as the server stores them`, async () => {
    const mismatches: string[] = [];
    const seen = new Set<string>();
    for (const c of CASES) {
      const sent = policy(namespace, c);
      // A plain create, as `kubectl create` does: the server applies its defaulting.
      const created = await rawRequest(kubeconfig, 'POST', `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`, sent);
      expect([c.name, created.status]).toEqual([c.name, 201]);
      const stored = created.body;
      const serverTypes: string[] = stored.spec.policyTypes;
      seen.add(JSON.stringify(serverTypes));
      const analyzerTypes = analyzerPolicyTypes(sent);
      if (JSON.stringify([...analyzerTypes].sort()) !== JSON.stringify([...serverTypes].sort())) {
        mismatches.push(`${JSON.stringify(c.spec)}: server ${JSON.stringify(serverTypes)}, analyzer ${JSON.stringify(analyzerTypes)}`);
      }
      // And the verdicts agree whether the analyzer reads the policy as written or as stored.
      const asStored = { ...sent, spec: stored.spec };
      expect([c.name, verdicts(namespace, sent)]).toEqual([c.name, verdicts(namespace, asStored)]);
    }
    expect(mismatches).toEqual([]);
    // The table covers each outcome, so it can tell them apart.
    expect([...seen].sort()).toEqual([JSON.stringify(['Egress']), JSON.stringify(['Ingress']), JSON.stringify(['Ingress', 'Egress'])].sort());
  });

  it('egress: [] without policyTypes is stored as [Ingress] only; one egress rule adds Egress', async () => {
    const read = async (name: string, spec: Json) => {
      const created = await rawRequest(
        kubeconfig,
        'POST',
        `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`,
        policy(namespace, { name, spec }),
      );
      expect(created.status).toBe(201);
      return created.body.spec.policyTypes;
    };
    expect(await read('empty-egress', { podSelector: {}, egress: [] })).toEqual(['Ingress']);
    expect(await read('one-egress-rule', { podSelector: {}, egress: [{}] })).toEqual(['Ingress', 'Egress']);
    expect(await read('empty-types', { podSelector: {}, policyTypes: [], egress: [] })).toEqual(['Ingress']);
  });
});
