import { attributeWorkload, nodeId, parsePrincipal } from './attribution';
import { component, index, model, ns, principal, settings } from './testFixtures';

describe('attributeWorkload', () => {
  const houston = model.cells.find(c => c.name === 'houston')!;

  it('takes a component from its SPIFFE identity (the compiler names its service account after it)', () => {
    expect(attributeWorkload(index, { principal: principal('houston', 'capcom') })).toEqual({ peer: component('capcom'), environment: 'development' });
    // Without the scheme too (ztunnel's access log writes it so).
    expect(attributeWorkload(index, { principal: principal('houston', 'capcom').slice('spiffe://'.length) }).peer).toEqual(component('capcom'));
  });

  it('never trusts a workload name or pod label over the identity', () => {
    const a = attributeWorkload(index, { principal: principal('houston', 'default'), workload: 'capcom', labels: { [settings.podLabelKey]: 'capcom' } });
    expect(a.peer).toEqual({
      kind: 'workload',
      namespace: ns('houston'),
      pod: 'capcom',
      identity: principal('houston', 'default').slice(9),
      labels: { [settings.podLabelKey]: 'capcom' },
      cell: houston.ref,
    });
  });

  it('takes a component from its namespace and pod label when its service account agrees or is not reported', () => {
    const labels = { [settings.podLabelKey]: 'flight-director', app: 'fd' };
    expect(attributeWorkload(index, { namespace: ns('houston'), pod: 'flight-director-5d9', labels }).peer).toEqual(component('flight-director'));
    expect(attributeWorkload(index, { namespace: ns('houston'), labels, serviceAccount: 'flight-director' }).peer).toEqual(component('flight-director'));
  });

  it('calls a pod wearing a component label under another service account an unknown workload (impersonation)', () => {
    const a = attributeWorkload(index, {
      namespace: ns('houston'),
      pod: 'debug-shell',
      labels: { [settings.podLabelKey]: 'flight-director' },
      serviceAccount: 'default',
    });
    expect(a.peer).toMatchObject({
      kind: 'workload',
      namespace: ns('houston'),
      pod: 'debug-shell',
      identity: `cluster.local/ns/${ns('houston')}/sa/default`,
      cell: houston.ref,
    });
    expect(nodeId(a.peer)).toBe(`workload:${ns('houston')}/debug-shell`);
  });

  it("does not take a component of another cell from a label in this cell's namespace", () => {
    const a = attributeWorkload(index, { namespace: ns('houston'), labels: { [settings.podLabelKey]: 'comms-system' } });
    expect(a.peer.kind).toBe('workload');
  });

  it("recognises a cell's waypoint by identity and by its gateway label", () => {
    const byIdentity = attributeWorkload(index, { principal: principal('orion', 'waypoint') });
    const byLabel = attributeWorkload(index, {
      namespace: ns('orion'),
      labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' },
      serviceAccount: 'waypoint',
    });
    for (const a of [byIdentity, byLabel])
      expect(a).toEqual({ peer: { kind: 'cell', ref: 'system:default/orion' }, environment: 'development', waypointOf: 'system:default/orion' });
  });

  it('knows the gateway, DNS, the mesh control plane, nodes and the outside world', () => {
    expect(attributeWorkload(index, { principal: `spiffe://${settings.gateway.principal}` }).peer).toEqual({ kind: 'gateway' });
    expect(attributeWorkload(index, { namespace: 'gateway-system', labels: { ...settings.gateway.podLabels } }).peer).toEqual({ kind: 'gateway' });
    expect(attributeWorkload(index, { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }).peer).toEqual({ kind: 'platform', name: 'dns' });
    expect(attributeWorkload(index, { namespace: 'istio-system', labels: { app: 'istiod' } }).peer).toEqual({ kind: 'platform', name: 'mesh-control-plane' });
    expect(attributeWorkload(index, { reserved: 'world', ip: '169.254.7.127' }).peer).toEqual({ kind: 'platform', name: 'node' });
    expect(attributeWorkload(index, { reserved: 'host', ip: '10.0.0.4' }).peer).toEqual({ kind: 'platform', name: 'node' });
    expect(attributeWorkload(index, { reserved: 'world', ip: '203.0.113.9', names: ['api.weather.gov.'] }).peer).toEqual({
      kind: 'external',
      host: 'api.weather.gov',
      ip: '203.0.113.9',
    });
    expect(nodeId({ kind: 'external', ip: '203.0.113.9' })).toBe('external:203.0.113.9');
    // A pod in a namespace no cell uses, without labels the platform declares: unknown.
    expect(attributeWorkload(index, { namespace: 'kube-system', pod: 'metrics-server-1', labels: { app: 'metrics-server' } }).peer).toEqual({
      kind: 'workload',
      namespace: 'kube-system',
      pod: 'metrics-server-1',
      labels: { app: 'metrics-server' },
    });
  });

  it('parses SPIFFE principals and refuses other strings', () => {
    expect(parsePrincipal('spiffe://td/ns/a/sa/b')).toEqual({ trustDomain: 'td', namespace: 'a', serviceAccount: 'b', id: 'td/ns/a/sa/b' });
    expect(parsePrincipal('unknown')).toBeUndefined();
    expect(parsePrincipal('spiffe://td/ns/a')).toBeUndefined();
  });
});
