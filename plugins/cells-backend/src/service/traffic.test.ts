import { InputError } from '@backstage/errors';
import { ClassifiedEdge } from '@cellplane/cells-common';
import { DEFAULT_TRAFFIC_WINDOW_MS, HIDDEN_NODE, MAX_TRAFFIC_WINDOW_MS, trafficWindowOf, visibleEdge } from './traffic';

const NOW = Date.parse('2026-11-30T00:00:00Z');

describe('trafficWindowOf', () => {
  it('defaults to the 24 hours before until, and until to now', () => {
    expect(trafficWindowOf({}, NOW)).toEqual({ from: NOW - DEFAULT_TRAFFIC_WINDOW_MS, to: NOW });
    expect(trafficWindowOf({ until: '2026-11-29T00:00:00Z' }, NOW)).toEqual({ from: NOW - 2 * DEFAULT_TRAFFIC_WINDOW_MS, to: NOW - DEFAULT_TRAFFIC_WINDOW_MS });
    expect(trafficWindowOf({ since: '2026-11-29T23:00:00+01:00' }, NOW)).toEqual({ from: NOW - 2 * 3_600_000, to: NOW });
  });

  it('takes a window of exactly 31 days and refuses a longer, empty or backwards one, naming since', () => {
    expect(trafficWindowOf({ since: new Date(NOW - MAX_TRAFFIC_WINDOW_MS).toISOString() }, NOW).from).toBe(NOW - MAX_TRAFFIC_WINDOW_MS);
    expect(() => trafficWindowOf({ since: new Date(NOW - MAX_TRAFFIC_WINDOW_MS - 1).toISOString() }, NOW)).toThrow(/^since: the window .* longer than 31 days/);
    expect(() => trafficWindowOf({ since: '2026-11-30T00:00:00Z' }, NOW)).toThrow(/^since: 2026-11-30T00:00:00.000Z is not before until/);
  });

  it.each([
    ['since', 'yesterday'],
    ['until', '1764460800000'],
    ['until', '2026-13-40T00:00:00Z'],
    ['since', '2026-11-30 00:00:00'],
  ])('refuses %s=%s as no ISO time', (field, value) => {
    expect(() => trafficWindowOf({ [field]: value }, NOW)).toThrow(InputError);
    expect(() => trafficWindowOf({ [field]: value }, NOW)).toThrow(`${field}: ${JSON.stringify(value)} is not an ISO time`);
  });
});

describe('visibleEdge', () => {
  const edge = (from: string, to: string): ClassifiedEdge => ({
    environment: 'development',
    from,
    to,
    port: 8080,
    protocol: 'HTTP',
    method: 'GET',
    path: '/status',
    class: 'declared-seen',
    count: 3,
    firstSeen: NOW - 1000,
    lastSeen: NOW,
    declared: true,
    suspicious: false,
    grants: [],
    codes: [200],
    reasons: [],
  });
  const cellOf = new Map([
    ['component:default/a', 'system:default/one'],
    ['component:default/b', 'system:default/two'],
    ['workload:ns-two/rogue', 'system:default/two'],
  ]);
  const readsOne = (ref: string) => ref === 'system:default/one';

  // from, to, readable cells -> from and to shown (undefined: the edge is not shown)
  it.each<[string, string, (ref: string) => boolean, [string, string] | undefined]>([
    ['component:default/a', 'component:default/b', () => true, ['component:default/a', 'component:default/b']],
    ['component:default/a', 'component:default/b', readsOne, ['component:default/a', HIDDEN_NODE]],
    ['component:default/b', 'component:default/a', readsOne, [HIDDEN_NODE, 'component:default/a']],
    ['workload:ns-two/rogue', 'component:default/b', readsOne, undefined],
    ['gateway', 'component:default/a', readsOne, ['gateway', 'component:default/a']],
    ['gateway', 'component:default/b', readsOne, undefined],
    ['component:default/a', 'component:default/b', () => false, undefined],
    ['external:example.com', 'platform:dns', () => true, undefined],
  ])('case %#: %s -> %s', (from, to, readable, shown) => {
    const seen = visibleEdge(edge(from, to), cellOf, readable);
    expect(seen && [seen.from, seen.to]).toEqual(shown);
  });

  it('keeps the operation of a call into a readable cell and drops it into a hidden one', () => {
    expect(visibleEdge(edge('component:default/b', 'component:default/a'), cellOf, readsOne)).toEqual({
      from: HIDDEN_NODE,
      to: 'component:default/a',
      port: 8080,
      protocol: 'HTTP',
      method: 'GET',
      path: '/status',
      count: 3,
      firstSeen: '2026-11-29T23:59:59.000Z',
      lastSeen: '2026-11-30T00:00:00.000Z',
      class: 'declared-seen',
    });
    const out = visibleEdge(edge('component:default/a', 'component:default/b'), cellOf, readsOne)!;
    expect([out.method, out.path, out.port]).toEqual([undefined, undefined, 8080]);
  });
});
