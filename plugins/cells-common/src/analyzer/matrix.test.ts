import { analyzeMatrix } from './matrix';
import { analyzeRequest } from './request';
import { loadCluster } from './load';
import { ambientNamespace, authorizationPolicy, deployment, networkPolicy, pod, service, waypoint } from './testFixtures';

describe('the matrix', () => {
  const cluster = [
    ambientNamespace('a', { 'istio.io/use-waypoint': 'waypoint' }),
    waypoint('a/waypoint'),
    deployment('a/x'),
    deployment('a/y'),
    deployment('a/z', { ports: [{ name: 'admin', containerPort: 9000 }] }),
    service('a/y', { app: 'y' }),
    networkPolicy('a/deny-z', { podSelector: { matchLabels: { app: 'z' } }, ingress: [] }),
    authorizationPolicy('a/y', { targetRefs: [{ kind: 'Service', name: 'y' }], rules: [{ from: [{ source: { principals: ['cluster.local/ns/a/sa/x'] } }], to: [{ operation: { methods: ['GET'] } }] }] }),
  ];

  it('lists every ordered pair except self pairs, without synthesized waypoints', () => {
    const { pairs } = analyzeMatrix(loadCluster(cluster), { port: 8080, method: 'GET', path: '/' });
    expect(pairs.map(p => `${p.from}>${p.to}:${p.allowed}`)).toEqual([
      'a/x>a/y:true',
      'a/x>a/z:false',
      'a/y>a/x:true',
      'a/y>a/z:false',
      'a/z>a/x:true',
      'a/z>a/y:false',
    ]);
  });

  it('a named port resolves per destination; a destination without it is unreachable', () => {
    const { pairs } = analyzeMatrix(loadCluster([...cluster.slice(0, 5)]), { port: 'admin' });
    expect(pairs.filter(p => p.allowed).map(p => `${p.from}>${p.to}`)).toEqual(['a/x>a/z', 'a/y>a/z']);
  });

  it('answers every pair of a larger cluster as single requests do (speed is measured in bench/, not here)', () => {
    const many = [ambientNamespace('big')];
    for (let i = 0; i < 60; i++) many.push(pod(`big/w${i}`, { labels: { app: `w${i}`, tier: `t${i % 5}` }, serviceAccount: `w${i}` }));
    for (let t = 0; t < 5; t++) {
      many.push(networkPolicy(`big/t${t}`, { podSelector: { matchLabels: { tier: `t${t}` } }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: `t${(t + 1) % 5}` } } }], ports: [{ port: 15008 }] }] }));
    }
    const model = loadCluster(many);
    const { pairs } = analyzeMatrix(model, { port: 8080 });
    expect(pairs).toHaveLength(60 * 59);
    // w1 (t1) may call w0 (t0); w2 (t2) may not
    expect(pairs.find(p => p.from === 'big/w1' && p.to === 'big/w0')!.allowed).toBe(true);
    expect(pairs.find(p => p.from === 'big/w2' && p.to === 'big/w0')!.allowed).toBe(false);
    for (const p of pairs.filter((_, i) => i % 97 === 0)) {
      expect(analyzeRequest(model, { from: p.from, to: p.to, port: 8080 }).allowed).toBe(p.allowed);
    }
  });
});
