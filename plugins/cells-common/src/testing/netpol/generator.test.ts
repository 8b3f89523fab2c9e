import { loadCluster } from '../../analyzer';
import { cidrWithin, parseCidr } from '../../analyzer/ip';
import { isValidPortName } from '../../analyzer/model';
import { generateCluster, RandomCluster } from './generator';
import { seededRandom as random } from '../random';

const SEEDS = Array.from({ length: 300 }, (_, i) => i + 1);
const clusters = SEEDS.map(generateCluster);

type Obj = Record<string, any>;
const rulesOf = (p: Obj): Obj[] => [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])];
const peersOf = (p: Obj): Obj[] => rulesOf(p).flatMap(r => [...(r.from ?? []), ...(r.to ?? [])]);
const portsOf = (p: Obj): Obj[] => rulesOf(p).flatMap(r => r.ports ?? []);
const selectorsOf = (p: Obj): Obj[] => [p.spec.podSelector, ...peersOf(p).flatMap(x => [x.podSelector, x.namespaceSelector].filter(Boolean))];
const all = <T>(f: (c: RandomCluster) => T[]) => clusters.flatMap(f);

describe('the random NetworkPolicy cluster generator', () => {
  it('the PRNG is deterministic and spreads over [0, 1)', () => {
    const a = random(42);
    const b = random(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.filter(x => x < 0.5).length).toBeGreaterThan(400);
    expect(xs.filter(x => x < 0.5).length).toBeLessThan(600);
  });

  it('the same seed gives the same cluster; other seeds give others', () => {
    expect(generateCluster(7)).toEqual(generateCluster(7));
    expect(new Set(clusters.map(c => JSON.stringify(c.networkPolicies))).size).toBeGreaterThan(250);
  });

  it('every cluster is valid input: the analyzer loads it without a problem', () => {
    const problems = clusters.flatMap(c => loadCluster([...c.namespaces, ...c.pods, ...c.networkPolicies]).problems.map(p => `${c.id}: ${JSON.stringify(p)}`));
    expect(problems).toEqual([]);
  });

  it('keeps to what the API server validates: ranges, names, except strictly inside the CIDR, unique pod port names', () => {
    const entries = all(c => c.networkPolicies.flatMap(portsOf));
    expect(entries.filter(e => e.endPort !== undefined && !(typeof e.port === 'number' && e.endPort >= e.port))).toEqual([]);
    expect(entries.filter(e => typeof e.port === 'string' && !isValidPortName(e.port))).toEqual([]);
    for (const c of clusters) {
      for (const peer of c.networkPolicies.flatMap(peersOf).filter(p => p.ipBlock)) {
        const cidr = parseCidr(peer.ipBlock.cidr)!;
        expect(cidr).toBeDefined();
        for (const e of peer.ipBlock.except ?? []) {
          const inner = parseCidr(e)!;
          expect(cidrWithin(inner, cidr)).toBe(true);
          expect(inner.bits).toBeGreaterThan(cidr.bits);
        }
      }
      for (const pod of c.pods) {
        const names = pod.spec.containers[0].ports.map((p: Obj) => p.name).filter(Boolean);
        expect(new Set(names).size).toBe(names.length);
        expect(typeof pod.status.podIP).toBe('string');
      }
      expect(new Set(c.pods.map(p => p.status.podIP)).size).toBe(c.pods.length);
    }
  });

  it('covers every policyTypes form and every ingress/egress list form', () => {
    const types = new Set(all(c => c.networkPolicies.map(p => JSON.stringify(p.spec.policyTypes ?? null))));
    expect(types).toEqual(new Set(['null', '[]', '["Ingress"]', '["Egress"]', '["Ingress","Egress"]']));
    for (const key of ['ingress', 'egress']) {
      const form = (list: Obj[] | undefined) => {
        if (list === undefined) return 'absent';
        return list.length === 0 ? 'empty' : 'rules';
      };
      const forms = new Set(all(c => c.networkPolicies.map(p => form(p.spec[key]))));
      expect(forms).toEqual(new Set(['absent', 'empty', 'rules']));
    }
    // `egress: []` without policyTypes, the case the API server's defaulting makes ingress-only.
    expect(all(c => c.networkPolicies.filter(p => p.spec.policyTypes === undefined && p.spec.egress?.length === 0)).length).toBeGreaterThan(0);
  });

  it('covers peers of every kind, selectors of every operator, empty selectors and empty label values', () => {
    const peers = all(c => c.networkPolicies.flatMap(peersOf));
    const kind = (p: Obj) => Object.keys(p).sort().join('+');
    expect(new Set(peers.map(kind))).toEqual(new Set(['podSelector', 'namespaceSelector', 'namespaceSelector+podSelector', 'ipBlock']));
    expect(peers.some(p => p.ipBlock?.except)).toBe(true);
    expect(peers.some(p => p.ipBlock?.cidr.includes(':'))).toBe(true);
    expect(peers.some(p => JSON.stringify(p.namespaceSelector ?? {}).includes('kubernetes.io/metadata.name'))).toBe(true);
    const selectors = all(c => c.networkPolicies.flatMap(selectorsOf));
    const operators = new Set(selectors.flatMap(s => (s.matchExpressions ?? []).map((e: Obj) => e.operator)));
    expect(operators).toEqual(new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']));
    expect(selectors.some(s => Object.keys(s).length === 0)).toBe(true);
    expect(selectors.some(s => Object.values(s.matchLabels ?? {}).includes(''))).toBe(true);
    expect(all(c => c.pods).some(p => Object.values(p.metadata.labels).includes(''))).toBe(true);
  });

  it('covers named ports, ranges, protocol-only entries and all three protocols', () => {
    const entries = all(c => c.networkPolicies.flatMap(portsOf));
    expect(entries.some(e => typeof e.port === 'string')).toBe(true);
    expect(entries.some(e => e.endPort !== undefined && e.endPort > e.port)).toBe(true);
    expect(entries.some(e => e.port === undefined)).toBe(true);
    expect(entries.some(e => e.protocol === undefined)).toBe(true);
    expect(new Set(entries.map(e => e.protocol).filter(Boolean))).toEqual(new Set(['TCP', 'UDP', 'SCTP']));
    const containerPorts = all(c => c.pods.flatMap(p => p.spec.containers[0].ports));
    expect(new Set(containerPorts.map(p => p.protocol ?? 'TCP'))).toEqual(new Set(['TCP', 'UDP', 'SCTP']));
    expect(containerPorts.some(p => p.name) && containerPorts.some(p => !p.name)).toBe(true);
    expect(all(c => c.pods).some(p => p.status.podIP.includes(':'))).toBe(true);
  });

  it('probes every declared port, the policy ports and range edges, and an undeclared port, in each protocol', () => {
    const c = clusters.find(x => x.networkPolicies.some(p => portsOf(p).some(e => e.endPort !== undefined && e.endPort < 65535)))!;
    const probes = new Set(c.probes.map(p => `${p.port}/${p.protocol}`));
    for (const pod of c.pods) for (const cp of pod.spec.containers[0].ports) expect(probes).toContain(`${cp.containerPort}/SCTP`);
    for (const e of c.networkPolicies.flatMap(portsOf).filter(x => x.endPort !== undefined)) {
      for (const n of [e.port, e.endPort, e.endPort + 1]) for (const proto of ['TCP', 'UDP', 'SCTP']) expect(probes).toContain(`${n}/${proto}`);
    }
    expect(probes).toContain('7777/UDP');
    expect(c.probes.length % 3).toBe(0);
  });
});
