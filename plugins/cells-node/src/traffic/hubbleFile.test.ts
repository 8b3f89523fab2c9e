import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classifyTraffic } from '@cellplane/cells-common';
import { readHubbleFile } from './hubbleFile';
import { END, ENV, HUBBLE_EXPORT, index, model, settings } from './__testUtils__/artemisTraffic';

const window = { from: END - 3_600_000, to: END };

describe('readHubbleFile (a recorded `hubble observe -o jsonpb` export of Artemis under Istio ambient)', () => {
  it('reads every flow, attributes ambient HBONE to caller and cell, and says what it skipped', async () => {
    const read = await readHubbleFile(HUBBLE_EXPORT, index, window);
    const lines = fs.readFileSync(HUBBLE_EXPORT, 'utf8').trim().split('\n').length;
    // A node status, a lost-events notice, and two verdicts (egress, ingress) per connection:
    // 79 calls, and 40 waypoint-to-workload legs whose callers are on the other leg.
    expect(lines).toBe(2 + 2 * (79 + 40));
    expect(read.observations).toBe(79);
    expect(read.skipped).toEqual({
      'not a flow (node status)': 1,
      'lost events (Hubble dropped flows)': 1,
      'waypoint leg (the caller is on the other leg)': 80,
    });
    const classified = classifyTraffic(model, settings, { environment: ENV, window, edges: read.edges, before: read.before });
    const observed = classified.edges.filter(e => e.class !== 'declared-unused').map(e => [e.from, e.to, e.port ?? e.protocol, e.class, e.count, e.suspicious]);
    expect(observed).toEqual([
      ['component:default/capcom', 'platform:dns', 53, 'declared-seen', 5, false],
      ['component:default/capcom', 'system:default/orion', 'HBONE', 'declared-seen', 30, false],
      ['component:default/flight-director', 'system:default/houston', 'HBONE', 'declared-seen', 30, false],
      // Undeclared at component level (pad-operations -> launch-control), but HBONE shows only the
      // cell, and pad-operations may call kennedy's weather-station: declared at cell level.
      ['component:default/pad-operations', 'system:default/kennedy', 'HBONE', 'declared-seen', 10, false],
      ['workload:dp-default-houston-development-8d981cd8/debug-shell', 'component:default/flight-director', 8080, 'denied', 4, true],
    ]);
    expect(classified.edges.find(e => e.class === 'denied')?.reasons).toEqual(['POLICY_DENIED']);
  });

  it('keeps flows outside the window out of its edges', async () => {
    const read = await readHubbleFile(HUBBLE_EXPORT, index, { from: END - 120_000, to: END });
    expect(read.edges.reduce((n, e) => n + e.count, 0)).toBeLessThan(20);
    expect(read.before.length).toBeGreaterThan(0);
  });

  it('fails with the file and the line when it is not an export', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hubble-'));
    const bad = path.join(dir, 'flows.txt');
    fs.writeFileSync(bad, `${fs.readFileSync(HUBBLE_EXPORT, 'utf8').split('\n')[1]}\nMay 12 10:00:01: default/a -> default/b to-endpoint FORWARDED\n`);
    await expect(readHubbleFile(bad, index, window)).rejects.toThrow(`hubble file ${bad}: line 2 is not JSON`);
    await expect(readHubbleFile(path.join(dir, 'missing.jsonl'), index, window)).rejects.toThrow('cannot read it');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
