import { loadCluster } from './load';
import { deployment, networkPolicy, pod, service, waypoint } from './testFixtures';

describe('loading manifests', () => {
  it('reads pod templates of every workload kind, named by the workload', () => {
    const template = { metadata: { labels: { app: 'x' } }, spec: { serviceAccountName: 'sa', containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } };
    const model = loadCluster([
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'n' }, spec: { template } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'n' }, spec: { template } },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'n' }, spec: { template } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job', namespace: 'n' }, spec: { template } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cron', namespace: 'n' }, spec: { jobTemplate: { spec: { template } } } },
      deployment('n/web'),
    ]);
    expect(model.problems).toEqual([]);
    expect(model.workloads.map(w => `${w.kind} ${w.key} ${w.serviceAccount}`)).toEqual([
      'StatefulSet n/db sa',
      'DaemonSet n/agent sa',
      'ReplicaSet n/rs sa',
      'Job n/job sa',
      'CronJob n/cron sa',
      'Deployment n/web web',
    ]);
    expect(model.workloadsByKey.get('n/db')!.ports).toEqual([{ name: undefined, port: 80, protocol: 'TCP' }]);
  });

  it('a pod whose controller is in the input is not counted twice', () => {
    const owned = pod('n/web-5d8f-abcde', { labels: { app: 'web', 'pod-template-hash': '5d8f' } }) as Record<string, any>;
    owned.metadata.ownerReferences = [{ kind: 'ReplicaSet', name: 'web-5d8f', controller: true }];
    const model = loadCluster([deployment('n/web'), owned]);
    expect(model.workloads.map(w => w.key)).toEqual(['n/web']);
  });

  it('implies namespaces that no Namespace object describes, and defaults metadata.namespace to default', () => {
    const model = loadCluster([pod('x/a'), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { containers: [{ name: 'c' }] } }]);
    expect([...model.namespaces.keys()].sort()).toEqual(['default', 'x']);
    expect(model.workloadsByKey.has('default/b')).toBe(true);
  });

  it('ignores unknown kinds with a note, including an Istio networking Gateway (not Gateway API)', () => {
    const model = loadCluster([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } },
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'n' }, spec: {} },
    ]);
    expect(model.problems).toEqual([]);
    expect(model.notes).toEqual([expect.stringContaining('ConfigMap n/c'), expect.stringContaining('Gateway n/g')]);
    expect(model.gateways.size).toBe(0);
  });

  it('synthesizes a waypoint workload for a waypoint Gateway without pods', () => {
    const model = loadCluster([waypoint('orion/waypoint')]);
    expect(model.workloadsByKey.get('orion/waypoint')).toMatchObject({ synthesized: true, serviceAccount: 'waypoint', namespace: 'orion' });
    expect(model.notes.some(n => n.includes('orion/waypoint'))).toBe(true);
  });

  it.each([
    [{ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'n' } }, 'Pod (cells.yaml#2)', 'metadata.name'],
    [{ kind: 'Pod', metadata: { name: 'p' } }, 'cells.yaml#2', 'apiVersion'],
    [pod('n/p', { ports: [{ containerPort: 0 }] }), 'Pod n/p', 'spec.containers[0].ports[0].containerPort'],
    [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' }, spec: {} }, 'Deployment n/d', 'spec.template'],
    [service('n/s', { app: 'x' }, { ports: [{ port: 80, targetPort: '80x!' }] }), 'Service n/s', 'spec.ports[0].targetPort'],
    [networkPolicy('n/np', { ingress: [] }), 'NetworkPolicy n/np', 'spec.podSelector'],
    [networkPolicy('n/np', { podSelector: {}, policyTypes: ['Inbound'] }), 'NetworkPolicy n/np', 'spec.policyTypes[0]'],
    [networkPolicy('n/np', { podSelector: {}, ingress: [{ from: [{}] }] }), 'NetworkPolicy n/np', 'spec.ingress[0].from[0]'],
    [networkPolicy('n/np', { podSelector: {}, ingress: [{ ports: [{ port: '8080' }] }] }), 'NetworkPolicy n/np', 'spec.ingress[0].ports[0].port'],
    [
      networkPolicy('n/np', { podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] }),
      'NetworkPolicy n/np',
      'spec.ingress[0].ports[0].endPort',
    ],
    [
      networkPolicy('n/np', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] } }] }] }),
      'NetworkPolicy n/np',
      'spec.ingress[0].from[0].ipBlock.except[0]',
    ],
    [
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'n' }, spec: {} },
      'Gateway n/g',
      'spec.gatewayClassName',
    ],
    [
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'a', namespace: 'n' }, spec: { action: 'PERMIT' } },
      'AuthorizationPolicy n/a',
      'spec.action',
    ],
    [
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'a', namespace: 'n' },
        spec: { rules: [{ to: [{ operation: { ports: ['http'] } }] }] },
      },
      'AuthorizationPolicy n/a',
      'spec.rules[0].to[0].operation.ports[0]',
    ],
  ])('malformed %j is reported naming object %s and field %s', (manifest, object, field) => {
    const model = loadCluster([pod('n/ok'), manifest], { sources: [undefined, 'cells.yaml#2'] });
    expect(model.problems[0]).toMatchObject({ object, field, source: 'cells.yaml#2' });
    expect(model.problems[0].message.length).toBeGreaterThan(5);
  });

  it('the same object twice is a problem', () => {
    const model = loadCluster([pod('n/a'), pod('n/a')]);
    expect(model.problems[0]).toMatchObject({ object: 'Pod n/a', message: 'appears twice in the input' });
  });

  it('a malformed policy is left out of the model rather than read as something wider', () => {
    const model = loadCluster([networkPolicy('n/np', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Has' }] }, ingress: [] })]);
    expect(model.networkPolicies).toEqual([]);
    expect(model.problems).toHaveLength(1);
  });
});
