/**
 * `{ type: hubble, relay: host:port }`: flows live from Hubble Relay's
 * Observer API (GetFlows with since/until, no follow), over plaintext gRPC as
 * Relay serves in-cluster by default.
 */
import * as grpc from '@grpc/grpc-js';
import { AttributionIndex, HubbleNormalizer, TrafficWindow, WindowedAggregator } from '@cellplane/cells-common';
import { observerPackage, responseToJsonpb, toTimestamp } from './hubbleProto';
import { ReadOptions, toRead, TrafficRead, TrafficSourceError } from './read';

/** How long one GetFlows may take before it is abandoned. */
export const RELAY_DEADLINE_MS = 120_000;

export async function readHubbleRelay(relay: string, index: AttributionIndex, window: TrafficWindow, options: ReadOptions = {}): Promise<TrafficRead> {
  const source = `hubble relay ${relay}`;
  const { Observer } = observerPackage();
  const client = new Observer(relay, grpc.credentials.createInsecure());
  const agg = new WindowedAggregator(window);
  const normalizer = new HubbleNormalizer(index, o => agg.add(o));
  try {
    await new Promise<void>((resolve, reject) => {
      const call = (client as any).GetFlows(
        { since: toTimestamp(window.from), until: toTimestamp(window.to), follow: false },
        { deadline: new Date(Date.now() + RELAY_DEADLINE_MS) },
      ) as grpc.ClientReadableStream<any>;
      const abort = () => call.cancel();
      options.signal?.addEventListener('abort', abort);
      call.on('data', (message: any) => normalizer.push(responseToJsonpb(message)));
      call.on('error', (e: grpc.ServiceError) =>
        reject(new TrafficSourceError(source, `GetFlows failed: ${grpc.status[e.code] ?? e.code} ${e.details || e.message}`)),
      );
      call.on('end', () => {
        options.signal?.removeEventListener('abort', abort);
        resolve();
      });
    });
  } finally {
    client.close();
  }
  normalizer.finish();
  return toRead(source, agg, normalizer.skipped);
}
