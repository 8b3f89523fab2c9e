import { analyzerCiliumVerdicts, compareCiliumCluster, CILIUM_SELF_CHECK, emptyCiliumTally } from './compare';
import { generateCiliumCluster } from './generator';

describe('the CiliumNetworkPolicy differential test, our side', () => {
  it("gives the self-check's hand-worked verdicts (Cilium must give them too)", () => {
    const ours = analyzerCiliumVerdicts(CILIUM_SELF_CHECK.cluster);
    expect(ours.rejected).toEqual([]);
    expect(ours.verdicts).toEqual(CILIUM_SELF_CHECK.expected);
  });
  it('counts agreement, and a disagreement', () => {
    const c = CILIUM_SELF_CHECK.cluster;
    const tally = emptyCiliumTally();
    const endpoints = ['a/server', 'a/client', 'b/client', '203.0.113.7'];
    compareCiliumCluster(c, { id: c.id, endpoints, rejected: [], verdicts: CILIUM_SELF_CHECK.expected }, tally);
    expect(tally).toMatchObject({ total: 24, agreed: 24, unexplained: [] });
    const flipped = CILIUM_SELF_CHECK.expected.map((v, i) => (i === 0 ? { ...v, allowed: ['-011', ...v.allowed.slice(1)] } : v));
    compareCiliumCluster(c, { id: c.id, endpoints, rejected: [], verdicts: flipped }, tally);
    expect(tally.unexplained).toMatchObject([{ from: 'a/server', to: 'a/client', port: 80, ours: true, oracle: false }]);
  });
  it('a policy only one side refuses is a disagreement', () => {
    const c = CILIUM_SELF_CHECK.cluster;
    const tally = emptyCiliumTally();
    compareCiliumCluster(c, { id: c.id, endpoints: [], rejected: ['a/server-in'], verdicts: [] }, tally);
    expect(tally.unexplained[0]).toMatchObject({ policy: 'a/server-in', refusedBy: 'cilium' });
  });
  it('generates the same cluster from the same seed, using deny rules, entities, CIDRs and default-deny switches', () => {
    expect(generateCiliumCluster(3)).toEqual(generateCiliumCluster(3));
    const text = JSON.stringify(Array.from({ length: 60 }, (_, i) => generateCiliumCluster(i + 1)));
    for (const field of [
      'ingressDeny',
      'egressDeny',
      'enableDefaultDeny',
      'fromEntities',
      'toCIDRSet',
      'io.cilium.k8s.policy.serviceaccount',
      'k8s:io.kubernetes.pod.namespace',
      'endPort',
      '"ANY"',
    ])
      expect(text).toContain(field);
  });
});
