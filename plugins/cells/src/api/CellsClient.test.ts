import { CellsClient, cellPath } from './CellsClient';

// fetch is replaced by a recorder: the real backend is exercised by the cells-backend tests and the e2e test.
function clientAnswering(status: number, body: string, contentType = 'application/json') {
  const calls: { url: string; init?: RequestInit }[] = [];
  const client = new CellsClient({
    discoveryApi: { getBaseUrl: async id => `http://backend/api/${id}` },
    fetchApi: {
      fetch: (async (url: string, init?: RequestInit) => {
        calls.push({ url, init });
        return new Response(body, { status, statusText: status === 200 ? 'OK' : 'Bad Request', headers: { 'Content-Type': contentType } });
      }) as typeof fetch,
    },
  });
  return { client, calls };
}

describe('CellsClient', () => {
  it('calls the backend routes under the discovered base url', async () => {
    const { client, calls } = clientAnswering(200, JSON.stringify({ environment: 'dev', environments: ['dev'], cells: [], components: [], edges: [] }));
    const topology = await client.getTopology('dev');
    expect(topology.environment).toBe('dev');
    await client.getCell('system:default/houston');
    await client.getHistory({ entityRef: 'system:default/houston', limit: 5 });
    await client.simulate({ from: { rogue: 'houston' }, to: 'houston/capcom', method: 'POST', path: '/uplink' });
    expect(calls.map(c => c.url)).toEqual([
      'http://backend/api/cells/topology?environment=dev',
      'http://backend/api/cells/cells/default/houston',
      'http://backend/api/cells/history?entityRef=system%3Adefault%2Fhouston&limit=5',
      'http://backend/api/cells/simulate',
    ]);
    expect(calls[3].init?.method).toBe('POST');
    expect(JSON.parse(String(calls[3].init?.body))).toEqual({ from: { rogue: 'houston' }, to: 'houston/capcom', method: 'POST', path: '/uplink' });
  });

  it('polls the topology with its ETag and keeps the same object while the backend answers 304', async () => {
    const bodies = [
      { environment: 'dev', environments: ['dev'], cells: [], components: [], edges: [] },
      { environment: 'dev', environments: ['dev'], cells: [{ entityRef: 'system:default/a' }], components: [], edges: [] },
    ];
    let version = 0;
    const sent: (string | null)[] = [];
    const client = new CellsClient({
      discoveryApi: { getBaseUrl: async id => `http://backend/api/${id}` },
      fetchApi: {
        fetch: (async (_url: string, init?: RequestInit) => {
          const ifNoneMatch = new Headers(init?.headers).get('If-None-Match');
          sent.push(ifNoneMatch);
          if (ifNoneMatch === `"v${version}"`) return new Response(null, { status: 304 });
          return new Response(JSON.stringify(bodies[version]), { status: 200, headers: { 'Content-Type': 'application/json', ETag: `"v${version}"` } });
        }) as typeof fetch,
      },
    });
    const first = await client.getTopology('dev');
    expect(await client.getTopology('dev')).toBe(first);
    version = 1;
    const changed = await client.getTopology('dev');
    expect(changed).not.toBe(first);
    expect(changed.cells).toHaveLength(1);
    expect(sent).toEqual([null, '"v0"', '"v0"']);
  });

  it('downloads the evidence pack with the name the backend gives it', async () => {
    const calls: string[] = [];
    const client = new CellsClient({
      discoveryApi: { getBaseUrl: async id => `http://backend/api/${id}` },
      fetchApi: {
        fetch: (async (url: string) => {
          calls.push(url);
          const headers = { 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename="default.houston.dev.evidence.pdf"' };
          return new Response('%PDF-1.7 pack', { status: 200, headers });
        }) as typeof fetch,
      },
    });
    const report = await client.getReport('system:default/houston', 'pdf', 'dev');
    expect(calls).toEqual(['http://backend/api/cells/cells/default/houston/report?format=pdf&environment=dev']);
    expect(report.filename).toBe('default.houston.dev.evidence.pdf');
    expect(await report.blob.text()).toBe('%PDF-1.7 pack');
    const refused = clientAnswering(
      403,
      JSON.stringify({ error: { name: 'NotAllowedError', message: 'cells.manifest.read is not allowed on system:default/houston' } }),
    );
    await expect(refused.client.getReport('system:default/houston', 'md')).rejects.toThrow('cells.manifest.read is not allowed on system:default/houston');
    expect(refused.calls.map(c => c.url)).toEqual(['http://backend/api/cells/cells/default/houston/report?format=md']);
  });

  it("downloads an owner's evidence bundle and asks for the portfolio of a window", async () => {
    const bundle = clientAnswering(200, '%PDF-1.7 bundle', 'application/pdf');
    const report = await bundle.client.getBundleReport({ owner: 'group:default/houston-flight-ops' }, 'pdf');
    expect(bundle.calls.map(c => c.url)).toEqual(['http://backend/api/cells/report?owner=group%3Adefault%2Fhouston-flight-ops&format=pdf']);
    // No Content-Disposition in this answer: named after the scope.
    expect(report.filename).toBe('group-default-houston-flight-ops.evidence.pdf');
    const all = clientAnswering(200, '{}', 'application/json');
    await all.client.getBundleReport({ all: true }, 'json', 'dev');
    expect(all.calls.map(c => c.url)).toEqual(['http://backend/api/cells/report?all=true&format=json&environment=dev']);
    const answer = { generatedAt: 't', items: [], traffic: [] };
    const portfolio = clientAnswering(200, JSON.stringify(answer));
    expect(await portfolio.client.getPortfolio({ since: '2026-11-29T23:00:00Z', until: undefined })).toEqual(answer);
    expect(portfolio.calls.map(c => c.url)).toEqual(['http://backend/api/cells/portfolio?since=2026-11-29T23%3A00%3A00Z']);
  });

  it('asks for YAML manifests with the Accept header', async () => {
    const { client, calls } = clientAnswering(200, 'kind: Namespace\n', 'application/yaml');
    expect(await client.getManifestsYaml('system:default/houston', 'dev')).toBe('kind: Namespace\n');
    expect(calls[0].url).toBe('http://backend/api/cells/cells/default/houston/manifests?environment=dev');
    expect((calls[0].init?.headers as Record<string, string>).Accept).toBe('application/yaml');
  });

  it("surfaces the backend's error message", async () => {
    const { client } = clientAnswering(400, JSON.stringify({ error: { name: 'InputError', message: 'to: no component "x/y"' } }));
    await expect(client.simulate({ from: 'a/b', to: 'x/y' })).rejects.toThrow('to: no component "x/y"');
  });

  it('posts proposed entities to /preview', async () => {
    const answer = { environment: 'dev', entities: ['component:default/clock'], cells: [], accessDiff: { added: [], removed: [] } };
    const { client, calls } = clientAnswering(200, JSON.stringify(answer));
    const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'clock' }, spec: {} };
    expect(await client.preview({ entities: [entity] })).toEqual(answer);
    expect(calls[0].url).toBe('http://backend/api/cells/preview');
    expect(calls[0].init?.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init?.body))).toEqual({ entities: [entity] });
  });

  it('asks for the observed traffic of an environment, leaving an unset window out', async () => {
    const answer = { environment: 'dev', window: { from: 'a', to: 'b' }, sources: [], edges: [], counts: {} };
    const { client, calls } = clientAnswering(200, JSON.stringify(answer));
    expect(await client.getTraffic({ environment: 'dev', since: undefined })).toEqual(answer);
    expect(calls[0].url).toBe('http://backend/api/cells/traffic?environment=dev');
  });

  it('asks what enforcing would break over a window', async () => {
    const answer = { environment: 'dev', window: { from: 'a', to: 'b' }, sources: [], cells: [] };
    const { client, calls } = clientAnswering(200, JSON.stringify(answer));
    expect(await client.getRollout({ environment: 'dev', since: '2026-11-29T00:00:00.000Z' })).toEqual(answer);
    expect(calls[0].url).toBe('http://backend/api/cells/rollout?environment=dev&since=2026-11-29T00%3A00%3A00.000Z');
  });

  it('rejects a ref that is not a cell', () => {
    expect(cellPath('system:default/houston')).toBe('default/houston');
    expect(() => cellPath('houston')).toThrow(/system:<namespace>\/<name>/);
  });

  it('leaves unset and empty query parameters out, and posts what the contract says', async () => {
    const { client, calls } = clientAnswering(200, JSON.stringify({ environment: 'dev', items: [], truncated: false }));
    await client.listAttacks({ environment: '', rogue: 'orion', target: undefined, limit: 5 });
    await client.listAttacks();
    await client.reconcile();
    await client.reconcile('system:default/houston');
    await client.getRun('a b');
    expect(calls.map(c => [c.init?.method, c.url, c.init?.body])).toEqual([
      ['GET', 'http://backend/api/cells/attacks?rogue=orion&limit=5', undefined],
      ['GET', 'http://backend/api/cells/attacks', undefined],
      ['POST', 'http://backend/api/cells/reconcile', '{}'],
      ['POST', 'http://backend/api/cells/reconcile', '{"entityRef":"system:default/houston"}'],
      ['GET', 'http://backend/api/cells/runs/a%20b', undefined],
    ]);
  });

  it('says which cell a 403 is about', async () => {
    const { client } = clientAnswering(
      403,
      JSON.stringify({ error: { name: 'NotAllowedError', message: 'cells.manifest.read is not allowed on system:default/orion' } }),
    );
    await expect(client.getCell('system:default/orion')).rejects.toThrow(/^cells.manifest.read is not allowed on system:default\/orion \(403 /);
  });
});
