import { readTrafficConfig, TrafficConfigError } from './config';

const read = (traffic: unknown) => readTrafficConfig(traffic).sources;

describe('cells.traffic.sources', () => {
  it('reads each kind of source', () => {
    expect(
      read({
        sources: [
          { type: 'prometheus', url: 'http://prometheus.monitoring:9090/', headers: { Authorization: 'Bearer t' }, resolution: { seconds: 30 } },
          { type: 'hubble', file: 'flows.jsonl' },
          { type: 'hubble', relay: 'hubble-relay.kube-system:80' },
        ],
      }),
    ).toEqual([
      { type: 'prometheus', url: 'http://prometheus.monitoring:9090', headers: { Authorization: 'Bearer t' }, resolutionMs: 30_000 },
      { type: 'hubble', file: 'flows.jsonl' },
      { type: 'hubble', relay: 'hubble-relay.kube-system:80' },
    ]);
    expect(read(undefined)).toEqual([]);
    expect(readTrafficConfig({ sources: [{ type: 'prometheus', url: 'https://p.example' }] }).sources[0]).toMatchObject({ headers: {}, resolutionMs: 60_000 });
  });

  it.each([
    [{ sources: {} }, 'cells.traffic.sources: must be a list of sources'],
    [{ source: [] }, 'cells.traffic.source: unknown key for cells.traffic; it takes sources'],
    [{ sources: [{ type: 'loki' }] }, 'cells.traffic.sources[0].type: must be prometheus or hubble, not "loki"'],
    [{ sources: [{ type: 'prometheus' }] }, "cells.traffic.sources[0].url: must be Prometheus's base URL"],
    [{ sources: [{ type: 'prometheus', url: 'prometheus:9090' }] }, 'cells.traffic.sources[0].url: must be http or https, not prometheus:'],
    [
      { sources: [{ type: 'prometheus', url: 'http://p', header: {} }] },
      'cells.traffic.sources[0].header: unknown key for a prometheus source; it takes url, headers, resolution',
    ],
    [{ sources: [{ type: 'prometheus', url: 'http://p', headers: { a: 1 } }] }, 'cells.traffic.sources[0].headers.a: must be a string'],
    [{ sources: [{ type: 'prometheus', url: 'http://p', resolution: { second: 5 } }] }, 'cells.traffic.sources[0].resolution: must be a duration'],
    [{ sources: [{ type: 'hubble' }] }, 'cells.traffic.sources[0]: a hubble source takes exactly one of file'],
    [{ sources: [{ type: 'hubble', file: 'a', relay: 'b:1' }] }, 'cells.traffic.sources[0]: a hubble source takes exactly one of file'],
    [{ sources: [{ type: 'hubble', relay: 'hubble-relay' }] }, 'cells.traffic.sources[0].relay: "hubble-relay" is not host:port'],
    [
      {
        sources: [
          { type: 'hubble', file: 'a' },
          { type: 'hubble', flie: 'b' },
        ],
      },
      'cells.traffic.sources[1].flie: unknown key for a hubble source; it takes file, relay',
    ],
  ])('refuses %j, naming the key', (traffic, message) => {
    expect(() => read(traffic)).toThrow(message);
    expect(() => read(traffic)).toThrow(TrafficConfigError);
  });
});
