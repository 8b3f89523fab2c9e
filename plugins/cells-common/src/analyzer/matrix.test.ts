import { analyzeMatrix, MatrixRequest } from './matrix';
import { AnalyzerInputError, analyzeRequest, mayReach, RequestShape, requestVerdicts } from './request';
import { Protocol } from './model';
import { loadCluster } from './load';
import { randomCluster } from './testRandomCluster';
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
    authorizationPolicy('a/y', {
      targetRefs: [{ kind: 'Service', name: 'y' }],
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/a/sa/x'] } }], to: [{ operation: { methods: ['GET'] } }] }],
    }),
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
      many.push(
        networkPolicy(`big/t${t}`, {
          podSelector: { matchLabels: { tier: `t${t}` } },
          ingress: [{ from: [{ podSelector: { matchLabels: { tier: `t${(t + 1) % 5}` } } }], ports: [{ port: 15008 }] }],
        }),
      );
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

  it('agrees with single requests on every pair of random clusters (the bulk path is the same evaluation)', () => {
    const requests: MatrixRequest[] = [
      { port: 8080 },
      { port: 9000 },
      { port: 15008 },
      { port: 53, protocol: 'UDP' },
      { port: 7000, protocol: 'SCTP' },
      { port: 'http' },
      { port: 8080, method: 'GET', path: '/api/x' },
      { port: 8080, method: 'DELETE', path: '/admin/x' },
      { port: 8080, addressing: 'pod' },
      { port: 9000, includeSynthesized: true },
    ];
    let pairs = 0;
    let allowed = 0;
    for (let seed = 1; seed <= 120; seed++) {
      const model = loadCluster(randomCluster(seed));
      expect(model.problems).toEqual([]);
      for (const request of requests) {
        for (const pair of analyzeMatrix(model, request).pairs) {
          let single: boolean;
          try {
            single = analyzeRequest(model, { ...request, from: pair.from, to: pair.to }).allowed;
          } catch (e) {
            // A destination without the named port: the matrix calls it unreachable.
            if (!(e instanceof AnalyzerInputError)) throw e;
            single = false;
          }
          if (single !== pair.allowed)
            throw new Error(`seed ${seed}, ${JSON.stringify(request)}: ${pair.from} -> ${pair.to}: matrix ${pair.allowed}, single request ${single}`);
          pairs++;
          if (single) allowed++;
        }
      }
    }
    // Both verdicts occur often enough for the comparison to mean something.
    expect(allowed).toBeGreaterThan(pairs / 10);
    expect(pairs - allowed).toBeGreaterThan(pairs / 10);
  });

  it('requestVerdicts (and its first-hop shortcut, mayReach) agree with single requests on random clusters', () => {
    const shapes: RequestShape[] = [
      {},
      { method: 'GET', path: '/api/x' },
      { addressing: 'pod' },
      { method: 'DELETE', path: '/admin/x' },
      { method: 'GET', path: '/health', addressing: 'pod' },
    ];
    const ports: [number, Protocol][] = [
      [8080, 'TCP'],
      [9000, 'TCP'],
      [53, 'UDP'],
    ];
    let unreachable = 0;
    for (let seed = 200; seed < 280; seed++) {
      const model = loadCluster(randomCluster(seed));
      for (const from of model.workloads) {
        for (const to of model.workloads) {
          if (from === to) continue;
          for (const [port, protocol] of ports) {
            const verdicts = requestVerdicts(model, from.key, to.key, port, protocol, shapes);
            const singles = shapes.map(shape => analyzeRequest(model, { from: from.key, to: to.key, port, protocol, ...shape }).allowed);
            if (verdicts.join() !== singles.join())
              throw new Error(`seed ${seed}, ${from.key} -> ${to.key} ${port}/${protocol}: bulk ${verdicts}, single ${singles}`);
            // Unreachable at the first hop: nothing gets through.
            const reachable = mayReach(model, from, to, port, protocol);
            if (!reachable && singles.some(v => v))
              throw new Error(`seed ${seed}, ${from.key} -> ${to.key} ${port}/${protocol}: mayReach is false, yet ${singles}`);
            if (!reachable) unreachable++;
          }
        }
      }
    }
    expect(unreachable).toBeGreaterThan(0);
  });
});
