/*
 * `npm run bench -- api`: the median latency of single requests to the cells API
 * (the real plugin in a test backend, the Artemis catalog reconciled into a
 * folder), one request at a time: what the router (validation against
 * openapi.yaml, the permission check) and the service add per request, apart
 * from the size of the answer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { parseAllDocuments } from 'yaml';
import cellsPlugin from '../plugins/cells-backend/src';

const dir = path.resolve(__dirname, '../examples/artemis');
const entities = fs
  .readdirSync(dir)
  .filter(f => f.endsWith('.yaml'))
  .sort()
  .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(d => d.toJS()));

(async () => {
  const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cells-lat-')), 'development');
  const backend = await startTestBackend({
    features: [
      cellsPlugin,
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({ data: { cells: { environments: [{ name: 'development', target: { type: 'directory', path: folder } }] } } }),
    ],
  });
  const base = `http://localhost:${backend.server.port()}/api/cells`;
  for (let i = 0; i < 200; i++) {
    const body = (await (await fetch(`${base}/cells`)).json()) as any;
    if (body.items?.length === 5 && body.items.every((c: any) => c.environments[0].state === 'in-sync')) break;
    await new Promise(r => setTimeout(r, 200));
  }
  const routes: [string, RequestInit?][] = [
    ['cells'],
    ['topology?environment=development', { headers: { 'accept-encoding': 'gzip' } }],
    ['attacks?rogue=orion'],
    [
      'simulate',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'houston/capcom', to: 'orion/comms-system', method: 'POST', path: '/uplink' }),
      },
    ],
  ];
  const out: Record<string, number> = {};
  for (const [route, init] of routes) {
    for (let i = 0; i < 20; i++) await fetch(`${base}/${route}`, init);
    const times: number[] = [];
    for (let round = 0; round < 300; round++) {
      const t0 = process.hrtime.bigint();
      const res = await fetch(`${base}/${route}`, init);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${route}: ${res.status}`);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    out[`${init?.method ?? 'GET'} /${route}`] = times[150];
  }
  console.log(JSON.stringify({ medianMs: out, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
  await backend.stop();
  process.exit(0);
})();
