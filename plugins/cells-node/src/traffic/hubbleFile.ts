/** `{ type: hubble, file }`: a `hubble observe -o jsonpb` export, one GetFlowsResponse per line, streamed. */
import fs from 'node:fs';
import readline from 'node:readline';
import { AttributionIndex, HubbleNormalizer, HubbleRecord, TrafficWindow, WindowedAggregator } from '@cellplane/cells-common';
import { ReadOptions, toRead, TrafficRead, TrafficSourceError } from './read';

export async function readHubbleFile(file: string, index: AttributionIndex, window: TrafficWindow, options: ReadOptions = {}): Promise<TrafficRead> {
  const source = `hubble file ${file}`;
  const agg = new WindowedAggregator(window);
  const normalizer = new HubbleNormalizer(index, o => agg.add(o));
  let stream: fs.ReadStream;
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    stream = fs.createReadStream(file, { encoding: 'utf8' });
  } catch (e) {
    throw new TrafficSourceError(source, `cannot read it (${(e as Error).message})`);
  }
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (options.signal?.aborted) throw new TrafficSourceError(source, 'read aborted');
      if (line.trim() === '') continue;
      let record: HubbleRecord;
      try {
        record = JSON.parse(line);
      } catch (e) {
        throw new TrafficSourceError(source, `line ${n} is not JSON (${(e as Error).message}); export flows with \`hubble observe -o jsonpb\``);
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new TrafficSourceError(source, `line ${n} is not a GetFlowsResponse object; export flows with \`hubble observe -o jsonpb\``);
      }
      normalizer.push(record);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  normalizer.finish();
  return toRead(source, agg, normalizer.skipped);
}
