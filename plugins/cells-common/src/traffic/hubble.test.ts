import { HubbleNormalizer, HubbleRecord } from './hubble';
import { Observation } from './types';
import { component, index, ns } from './testFixtures';

const SA = 'k8s:io.cilium.k8s.policy.serviceaccount';

function pod(cell: string, name: string, labels: string[], account: string, id: number) {
  return {
    ID: id,
    identity: 10000 + id,
    cluster_name: 'default',
    namespace: ns(cell),
    labels: [...labels, `${SA}=${account}`, `k8s:io.kubernetes.pod.namespace=${ns(cell)}`, 'k8s:io.cilium.k8s.policy.cluster=default'],
    pod_name: name,
    workloads: [{ name: name.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''), kind: 'Deployment' }],
  };
}

const capcom = pod('houston', 'capcom-6c9f7d8b5-x2k4p', ['k8s:backstage.io/kubernetes-id=capcom'], 'capcom', 301);
const flightDirector = pod('houston', 'flight-director-7b4c9-q8d2w', ['k8s:backstage.io/kubernetes-id=flight-director'], 'flight-director', 302);
const orionWaypoint = pod('orion', 'waypoint-5f6d8c7b9-mz4rt', ['k8s:gateway.networking.k8s.io/gateway-name=waypoint'], 'waypoint', 401);
const commsSystem = pod('orion', 'comms-system-59c8d-h7j2n', ['k8s:backstage.io/kubernetes-id=comms-system'], 'comms-system', 402);
const rogue = pod('houston', 'debug-shell', ['k8s:run=debug-shell'], 'default', 303);

function record(flow: Record<string, unknown>, time: string): HubbleRecord {
  return { flow: { time, uuid: `u-${time}`, node_name: 'kind-worker', ...flow }, node_name: 'kind-worker', time };
}

function tcp(src: object, dst: object, sport: number, dport: number, extra: Record<string, unknown>) {
  return {
    IP: { source: '10.244.1.15', destination: '10.244.2.31', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: sport, destination_port: dport, flags: { SYN: true } } },
    source: src,
    destination: dst,
    Type: 'L3_L4',
    ...extra,
  };
}

function run(records: HubbleRecord[]): { out: Observation[]; skipped: Record<string, number> } {
  const out: Observation[] = [];
  const n = new HubbleNormalizer(index, o => out.push(o));
  records.forEach(r => n.push(r));
  n.finish();
  return { out, skipped: n.skipped };
}

describe('HubbleNormalizer', () => {
  it('attributes ambient HBONE to a waypoint to the caller and the destination cell, and skips the waypoint leg', () => {
    const { out, skipped } = run([
      record(
        tcp(capcom, orionWaypoint, 40112, 15008, { verdict: 'FORWARDED', event_type: { type: 5 }, traffic_direction: 'EGRESS', is_reply: false }),
        '2026-11-23T10:00:00.100200300Z',
      ),
      record(
        tcp(capcom, orionWaypoint, 40112, 15008, { verdict: 'FORWARDED', event_type: { type: 5 }, traffic_direction: 'INGRESS', is_reply: false }),
        '2026-11-23T10:00:00.100900300Z',
      ),
      record(
        tcp(orionWaypoint, commsSystem, 51220, 15008, { verdict: 'FORWARDED', event_type: { type: 5 }, traffic_direction: 'INGRESS' }),
        '2026-11-23T10:00:00.102Z',
      ),
    ]);
    expect(out).toEqual([
      {
        environment: 'development',
        source: component('capcom'),
        destination: { kind: 'cell', ref: 'system:default/orion' },
        protocol: 'HBONE',
        verdict: { allowed: true },
        count: 1,
        firstSeen: Date.parse('2026-11-23T10:00:00.100Z'),
        lastSeen: Date.parse('2026-11-23T10:00:00.100Z'),
        seenBy: 'cilium',
      },
    ]);
    expect(skipped).toEqual({ 'waypoint leg (the caller is on the other leg)': 1 });
  });

  it('merges one connection seen at egress and dropped at ingress into one denied call, with the reason', () => {
    const { out } = run([
      record(tcp(rogue, flightDirector, 35000, 8080, { verdict: 'FORWARDED', event_type: { type: 5 }, traffic_direction: 'EGRESS' }), '2026-11-23T10:00:01Z'),
      record(
        tcp(rogue, flightDirector, 35000, 8080, {
          verdict: 'DROPPED',
          drop_reason: 133,
          drop_reason_desc: 'POLICY_DENIED',
          event_type: { type: 5 },
          traffic_direction: 'INGRESS',
        }),
        '2026-11-23T10:00:01.001Z',
      ),
      record(
        tcp(rogue, flightDirector, 35000, 8080, {
          verdict: 'DROPPED',
          drop_reason: 133,
          drop_reason_desc: 'POLICY_DENIED',
          event_type: { type: 1, sub_type: 133 },
        }),
        '2026-11-23T10:00:01.001Z',
      ),
      // The retransmitted SYN a second later: the same attempt.
      record(
        tcp(rogue, flightDirector, 35000, 8080, { verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENIED', event_type: { type: 1, sub_type: 133 } }),
        '2026-11-23T10:00:02Z',
      ),
      // A new attempt from another source port two minutes later: a second call.
      record(
        tcp(rogue, flightDirector, 35002, 8080, { verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENIED', event_type: { type: 1, sub_type: 133 } }),
        '2026-11-23T10:02:05Z',
      ),
    ]);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({
      source: { kind: 'workload', namespace: ns('houston'), pod: 'debug-shell', labels: { run: 'debug-shell' } },
      destination: component('flight-director'),
      port: 8080,
      protocol: 'TCP',
      verdict: { allowed: false, reason: 'POLICY_DENIED' },
      firstSeen: Date.parse('2026-11-23T10:00:01Z'),
      lastSeen: Date.parse('2026-11-23T10:00:02Z'),
    });
    expect(out[1].firstSeen).toBe(Date.parse('2026-11-23T10:02:05Z'));
  });

  it('counts HTTP requests from the L7 proxy with method and path, not their responses', () => {
    const l7 = (type: string, verdict: string, http: object) => ({
      IP: { source: '10.244.1.15', destination: '10.244.2.31', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40200, destination_port: 8080 } },
      source: capcom,
      destination: commsSystem,
      Type: 'L7',
      verdict,
      event_type: { type: 129 },
      traffic_direction: 'INGRESS',
      l7: { type, latency_ns: type === 'RESPONSE' ? '1843000' : undefined, http },
    });
    const { out, skipped } = run([
      record(
        l7('REQUEST', 'FORWARDED', { method: 'POST', url: 'http://comms-system.orion:8080/uplink/voice?seq=4', protocol: 'HTTP/1.1' }),
        '2026-11-23T10:00:03Z',
      ),
      record(
        l7('RESPONSE', 'FORWARDED', { code: 202, method: 'POST', url: 'http://comms-system.orion:8080/uplink/voice?seq=4', protocol: 'HTTP/1.1' }),
        '2026-11-23T10:00:03.002Z',
      ),
      record(l7('REQUEST', 'DROPPED', { method: 'DELETE', url: 'http://comms-system.orion:8080/uplink', protocol: 'HTTP/1.1' }), '2026-11-23T10:00:04Z'),
    ]);
    expect(out.map(o => [o.method, o.path, o.verdict.allowed, o.seenBy, o.port, o.protocol])).toEqual([
      ['POST', '/uplink/voice', true, 'cilium-l7', 8080, 'HTTP'],
      ['DELETE', '/uplink', false, 'cilium-l7', 8080, 'HTTP'],
    ]);
    expect(skipped).toEqual({ 'L7 response': 1 });
  });

  it('keeps an AUDIT verdict as allowed with its caveat, and says what it skipped', () => {
    const { out, skipped } = run([
      record(tcp(capcom, flightDirector, 41000, 8080, { verdict: 'AUDIT', event_type: { type: 5 }, traffic_direction: 'INGRESS' }), '2026-11-23T10:00:05Z'),
      record(
        { ...tcp(capcom, flightDirector, 41000, 8080, { verdict: 'FORWARDED', event_type: { type: 4 }, trace_observation_point: 'TO_STACK' }) },
        '2026-11-23T10:00:05Z',
      ),
      record(
        {
          ...tcp(flightDirector, capcom, 8080, 41000, {
            verdict: 'FORWARDED',
            event_type: { type: 4 },
            is_reply: true,
            trace_observation_point: 'TO_ENDPOINT',
          }),
        },
        '2026-11-23T10:00:05Z',
      ),
      { node_status: { state: 'NODE_CONNECTED', node_names: ['kind-worker'] }, time: '2026-11-23T10:00:00Z' },
      { lost_events: { source: 'HUBBLE_RING_BUFFER', num_events_lost: '12' }, time: '2026-11-23T10:00:00Z' },
    ]);
    expect(out).toHaveLength(1);
    expect(out[0].verdict).toEqual({ allowed: true, reason: 'AUDIT: a policy in audit mode would deny it' });
    expect(skipped).toEqual({
      'trace point that is not a delivery': 1,
      reply: 1,
      'not a flow (node status)': 1,
      'lost events (Hubble dropped flows)': 1,
    });
  });

  it('leaves out flows that touch no cell, and names DNS and external hosts', () => {
    const dns = { ID: 0, identity: 102, namespace: 'kube-system', labels: ['k8s:k8s-app=kube-dns', `${SA}=coredns`], pod_name: 'coredns-5d78c9869d-4xq2m' };
    const world = { identity: 2, labels: ['reserved:world'] };
    const { out, skipped } = run([
      record(
        {
          IP: { source: '10.244.1.15', destination: '10.96.0.10' },
          l4: { UDP: { source_port: 53001, destination_port: 53 } },
          source: capcom,
          destination: dns,
          Type: 'L3_L4',
          verdict: 'FORWARDED',
          event_type: { type: 5 },
          traffic_direction: 'EGRESS',
        },
        '2026-11-23T10:00:06Z',
      ),
      record(
        {
          ...tcp(capcom, world, 42000, 443, { verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENIED', event_type: { type: 5 }, traffic_direction: 'EGRESS' }),
          destination_names: ['api.weather.gov'],
        },
        '2026-11-23T10:00:07Z',
      ),
      record(tcp(dns, world, 42001, 53, { verdict: 'FORWARDED', event_type: { type: 5 }, traffic_direction: 'EGRESS' }), '2026-11-23T10:00:08Z'),
    ]);
    expect(out.map(o => [o.destination, o.port, o.protocol, o.verdict.allowed])).toEqual([
      [{ kind: 'platform', name: 'dns' }, 53, 'UDP', true],
      [{ kind: 'external', host: 'api.weather.gov', ip: '10.244.2.31' }, 443, 'TCP', false],
    ]);
    expect(skipped).toEqual({ 'outside every cell': 1 });
  });
});
