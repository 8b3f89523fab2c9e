/**
 * Hubble Relay cannot run here (it needs Cilium agents on nodes). This test
 * serves the recorded Artemis export over the real Observer gRPC API, built
 * from the same cilium/cilium descriptor as the client, and checks the relay
 * source reads exactly what the file source reads.
 */
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { HubbleRecord } from '@cellplane/cells-common';
import { jsonpbToResponse, observerPackage } from './hubbleProto';
import { readHubbleRelay } from './hubbleRelay';
import { readHubbleFile } from './hubbleFile';
import { END, HUBBLE_EXPORT, index } from './__testUtils__/artemisTraffic';

const records: HubbleRecord[] = fs
  .readFileSync(HUBBLE_EXPORT, 'utf8')
  .trim()
  .split('\n')
  .map(l => JSON.parse(l));

function seconds(t: { seconds: string | number; nanos?: number } | undefined): number | undefined {
  return t ? Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : undefined;
}

describe('readHubbleRelay (recorded flows served over the real Observer gRPC API)', () => {
  let server: grpc.Server;
  let address: string;
  const requests: any[] = [];

  beforeAll(async () => {
    server = new grpc.Server();
    server.addService(observerPackage().Observer.service, {
      GetFlows: (call: grpc.ServerWritableStream<any, any>) => {
        requests.push(call.request);
        const since = seconds(call.request.since) ?? -Infinity;
        const until = seconds(call.request.until) ?? Infinity;
        // As Relay does: the flows whose time is in [since, until], then the end of the stream.
        for (const r of records) {
          const t = Date.parse(r.flow?.time ?? r.time ?? '');
          if (t >= since && t <= until) call.write(jsonpbToResponse(r));
        }
        call.end();
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
  });

  afterAll(() => new Promise<void>(resolve => server.tryShutdown(() => resolve())));

  it('asks GetFlows for the window and reads what the file source reads', async () => {
    const window = { from: END - 3_600_000, to: END };
    const fromRelay = await readHubbleRelay(address, index, window);
    const fromFile = await readHubbleFile(HUBBLE_EXPORT, index, window);
    expect(requests[0]).toMatchObject({ since: { seconds: String((END - 3_600_000) / 1000) }, until: { seconds: String(END / 1000) } });
    expect(requests[0].follow).toBeFalsy();
    expect(fromRelay.observations).toBe(79);
    expect(fromRelay.edges).toEqual(fromFile.edges);
    expect(fromRelay.skipped).toEqual(fromFile.skipped);
  });

  it('says which relay failed and how', async () => {
    const window = { from: END - 60_000, to: END };
    const closed = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      closed.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    await new Promise<void>(resolve => closed.tryShutdown(() => resolve()));
    await expect(readHubbleRelay(`127.0.0.1:${port}`, index, window)).rejects.toThrow(`hubble relay 127.0.0.1:${port}: GetFlows failed: UNAVAILABLE`);
  });
});
