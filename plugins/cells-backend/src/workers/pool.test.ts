import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { artemisEntities } from '../__testUtils__/artemis';
import { readCellsBackendConfig } from '../config';
import { compileCells } from '@cellplane/cells-common';
import { catalogSnapshot } from '../reconciler/snapshot';
import { compileIsolated } from '../reconciler/isolate';
import { Analyst } from '../service/analyst';
import { CellAccess, ReconcilerReads } from '../service/CellsService';
import { DefaultCellsService } from '../service/DefaultCellsService';
import { TrafficSourceUnavailableError } from '../service/traffic';
import { CellsStore } from '../storage/types';
import { InlineAnalysis, PooledAnalysis } from './pool';

const config = readCellsBackendConfig(
  new ConfigReader({ cells: { environments: [{ name: 'development', target: { type: 'directory', path: '/nonexistent/cells' } }] } }),
);
const everything: CellAccess = { require: async () => {}, filter: async () => () => true };

function reconcilerOf(entities = artemisEntities()) {
  const current = catalogSnapshot(entities, config.settings);
  return {
    current,
    neverApplied: false,
    pendingCells: () => new Set<string>(),
    appliedCell: () => undefined,
    appliedState: () => undefined,
    syncCatalog: async () => {},
    compile: () => ({ desired: new Map(), problems: [] }),
    holders: () => ({}),
  } satisfies ReconcilerReads;
}

const HUBBLE = path.resolve(__dirname, '../../../../examples/artemis-traffic/hubble-flows.jsonl');
const withTraffic = (file: string) => ({ ...config, trafficSources: [{ type: 'hubble' as const, file }] });

const serviceOf = (reconciler: ReconcilerReads, analysis: InlineAnalysis | PooledAnalysis, serviceConfig = config) =>
  new DefaultCellsService({
    reconciler,
    store: { listStatuses: async () => [] } as unknown as CellsStore,
    config: serviceConfig,
    targets: new Map(),
    requestRun: async () => 'run',
    analysis,
  });

/** Every request the pool takes, as the routes ask them. */
async function answers(svc: DefaultCellsService) {
  const newComponent = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'star-tracker' },
    spec: { type: 'service', lifecycle: 'experimental', owner: 'group:default/orion-crew-systems', system: 'orion' },
  };
  return {
    topology: (await svc.topology('development', everything)).body.toString(),
    blastRadius: await svc.blastRadius({ from: 'houston/capcom' } as any, everything),
    rogueBlastRadius: await svc.blastRadius({ from: { rogue: 'orion' } } as any, everything),
    simulate: await svc.simulate({ from: 'houston/capcom', to: 'orion/comms-system', method: 'POST', path: '/uplink' } as any, everything),
    rogue: await svc.simulate({ from: { rogue: 'orion' }, to: 'orion/comms-system', method: 'POST', path: '/uplink' } as any, everything),
    gateway: await svc.simulate({ from: { gateway: true }, to: 'houston/flight-director', method: 'GET', path: '/' } as any, everything),
    outside: await svc.simulate({ from: 'houston/capcom', toHost: 'api.example.com', port: 443 } as any, everything),
    preview: await svc.preview({ entities: [newComponent] } as any, everything),
    attacks: await svc.attacks({}, everything),
    attacksFromOrion: await svc.attacks({ rogue: 'orion', limit: 5 }, everything),
  };
}

describe('the analysis worker pool (issue 22)', () => {
  let pool: PooledAnalysis;
  beforeAll(() => {
    pool = new PooledAnalysis({ size: 2, settings: config.settings });
  });
  afterAll(() => pool.close());

  it('answers every request byte for byte as the inline analysis does', async () => {
    const reconciler = reconcilerOf();
    const inline = await answers(serviceOf(reconciler, new InlineAnalysis(new Analyst(config.settings))));
    const pooled = await answers(serviceOf(reconciler, pool));
    expect(JSON.parse(inline.topology).components.length).toBeGreaterThan(10);
    expect(inline.blastRadius.reaches.length).toBeGreaterThan(0);
    expect(inline.attacks.items.length).toBeGreaterThan(10);
    expect(inline.attacksFromOrion).toMatchObject({ truncated: true, items: expect.any(Array) });
    for (const key of Object.keys(inline) as (keyof typeof inline)[]) {
      expect([key, JSON.stringify(pooled[key])]).toEqual([key, JSON.stringify(inline[key])]);
    }
  });

  it('reads and classifies observed traffic and judges the rollout in the pool, as inline (the event loop only routes)', async () => {
    const reconciler = reconcilerOf();
    const window = { since: '2026-11-01T00:00:00Z', until: '2026-11-30T00:00:00Z' };
    const ask = async (svc: DefaultCellsService) => ({
      traffic: await svc.traffic(window, everything),
      rollout: await svc.rollout(window, everything),
    });
    const inline = await ask(serviceOf(reconciler, new InlineAnalysis(new Analyst(config.settings)), withTraffic(HUBBLE)));
    const pooled = await ask(serviceOf(reconciler, pool, withTraffic(HUBBLE)));
    expect(inline.traffic.edges.length).toBeGreaterThan(0);
    expect(inline.traffic.sources).toEqual([`hubble file ${HUBBLE}`]);
    expect(inline.rollout.cells.length).toBe(5);
    expect(JSON.stringify(pooled)).toBe(JSON.stringify(inline));
  });

  it('keeps a flow source that cannot be read a 502 naming it, from the worker too', async () => {
    const missing = path.join(__dirname, 'no-such-flows.jsonl');
    const svc = serviceOf(reconcilerOf(), pool, withTraffic(missing));
    const failed = svc.traffic({}, everything);
    await expect(failed).rejects.toBeInstanceOf(TrafficSourceUnavailableError);
    await expect(failed).rejects.toThrow(missing);
    await expect(svc.rollout({}, everything)).rejects.toBeInstanceOf(TrafficSourceUnavailableError);
  });

  it('computes each cell compliance alike (but for the time it was verified)', async () => {
    const reconciler = reconcilerOf();
    const inline = new InlineAnalysis(new Analyst(config.settings));
    for (const cell of reconciler.current.model.cells) {
      const input = { environment: 'development', holders: {}, cell: cell.ref };
      const [a, b] = await Promise.all([inline.run(reconciler.current, 'compliance', input), pool.run(reconciler.current, 'compliance', input)]);
      const at = (r: typeof a) => ({ ...r, compliance: { ...r.compliance, lastVerifiedAt: 'at' } });
      expect(JSON.stringify(at(b))).toBe(JSON.stringify(at(a)));
      expect(a.compliance.requestsChecked).toBeGreaterThan(0);
    }
  });

  it("compiles a pass's cells as the reconciler does inline, objects in the same order", async () => {
    const { current } = reconcilerOf();
    const cells = current.model.cells.map(c => c.ref);
    const holders = { namespaceHolders: new Map([[current.model.cells[0].name, cells[1]]]) };
    const inline = compileIsolated(compileCells, {
      model: current.model,
      settings: config.settings,
      environment: 'development',
      cells: new Set(cells),
      holders,
    });
    const pooled = await pool.run(current, 'compile', { environment: 'development', holders, cells });
    expect(inline.desired.size).toBeGreaterThan(0);
    expect(JSON.stringify([...pooled.desired], null, 1)).toBe(JSON.stringify([...inline.desired], null, 1));
    expect(JSON.stringify(pooled.problems)).toBe(JSON.stringify(inline.problems));
  });

  it('follows a catalog change: the workers read the new snapshot', async () => {
    const entities = artemisEntities();
    const before = reconcilerOf(entities);
    const changed = entities.filter(e => e.metadata.name !== 'capcom');
    const after = reconcilerOf(changed);
    const svc = serviceOf(before, pool);
    expect((await svc.blastRadius({ from: 'houston/capcom' } as any, everything)).reaches.length).toBeGreaterThan(0);
    const inlineAfter = await serviceOf(after, new InlineAnalysis(new Analyst(config.settings))).topology('development', everything);
    const pooledAfter = await serviceOf(after, pool).topology('development', everything);
    expect(pooledAfter.body.toString()).toBe(inlineAfter.body.toString());
    expect(JSON.parse(pooledAfter.body.toString()).components.map((c: any) => c.entityRef)).not.toContain('component:default/capcom');
  });

  it('passes the analysis errors through with their kind (a 400 stays a 400)', async () => {
    const svc = serviceOf(reconcilerOf(), pool);
    const unknownEndpoint = svc.simulate({ from: 'houston/capcom', to: 'orion/comms-system', endpoint: 'nope' } as any, everything);
    await expect(unknownEndpoint).rejects.toBeInstanceOf(InputError);
    await expect(unknownEndpoint).rejects.toThrow(/nope/);
    const unknownRogue = svc.attacks({ rogue: 'no-such-cell' }, everything);
    await expect(unknownRogue).rejects.toBeInstanceOf(InputError);
  });

  it('answers 503 naming the operation when a worker dies, and keeps serving', async () => {
    const dying = new PooledAnalysis({ size: 1, settings: config.settings, filename: path.resolve(__dirname, '__testUtils__/exitingWorker.cjs') });
    try {
      const svc = serviceOf(reconcilerOf(), dying);
      const failed = svc.blastRadius({ from: 'houston/capcom' } as any, everything);
      await expect(failed).rejects.toBeInstanceOf(ServiceUnavailableError);
      await expect(failed).rejects.toThrow(/^the blast radius failed in its worker thread/);
      // Piscina starts another worker: the next task is tried (and fails the same way here, not hanging).
      await expect(svc.simulate({ from: 'houston/capcom', to: 'orion/comms-system' } as any, everything)).rejects.toThrow(/^the simulation failed/);
      await expect(svc.attacks({}, everything)).rejects.toThrow(/^the attack list failed in its worker thread/);
      // Reading and classifying observed traffic, and judging the rollout, are the pool's too.
      const observing = serviceOf(reconcilerOf(), dying, withTraffic(HUBBLE));
      await expect(observing.traffic({}, everything)).rejects.toThrow(/^the traffic classification failed in its worker thread/);
      await expect(observing.rollout({}, everything)).rejects.toThrow(/^the rollout check failed in its worker thread/);
    } finally {
      await dying.close();
    }
  });
});
