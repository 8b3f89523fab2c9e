import { TestDatabases } from '@backstage/backend-test-utils';
import { setupStore } from '../storage/__testUtils__/storeFixtures';
import { storageTestDatabaseIds } from '../storage/__testUtils__/testPostgres';
import { Replicas } from './Replicas';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: storageTestDatabaseIds() });
const STALE_MS = 10_000;

describe.each(databases.eachSupportedId())('replicas on %s', id => {
  async function twoReplicas() {
    const { knex, store } = await setupStore(databases, id);
    let now = Date.parse('2026-12-02T12:00:00Z');
    const clock = { now: () => now, advance: (ms: number) => (now += ms) };
    const a = new Replicas(knex, 'replica-a', { staleMs: STALE_MS, now: clock.now });
    const b = new Replicas(knex, 'replica-b', { staleMs: STALE_MS, now: clock.now });
    await a.beat();
    await b.beat();
    return { knex, store, clock, a, b };
  }

  it('lets one replica hold a unit at a time, frees it when its holder stops beating, and says when it changed hands', async () => {
    const { clock, a, b } = await twoReplicas();
    const units = ['environment:production', 'cluster:prod'];
    expect(await a.acquire(units)).toEqual({ units: [...units].sort(), changedHands: true });
    expect(await b.acquire(units)).toBeUndefined();
    // All or nothing: B holds no part of it either.
    expect(await b.acquire(['cluster:prod'])).toBeUndefined();
    expect(await a.holds(units)).toBe(true);
    await a.release(units);
    // A again, nobody in between: its memory of the unit still holds.
    expect(await a.acquire(units)).toMatchObject({ changedHands: false });

    // A's heartbeat renews its lease; once A stops beating, the lease expires and B takes it.
    clock.advance(STALE_MS - 1);
    await a.beat();
    clock.advance(STALE_MS - 1);
    expect(await b.acquire(units)).toBeUndefined();
    clock.advance(2);
    expect(await a.holds(units)).toBe(false);
    expect(await b.acquire(units)).toMatchObject({ changedHands: true });
    await b.release(units);
    // A comes back: B held it in between, so what A remembered is stale.
    expect(await a.acquire(units)).toMatchObject({ changedHands: true });
  });

  it("fails the running runs of replicas whose heartbeat is stale, never a live one's", async () => {
    const { store, clock, a, b } = await twoReplicas();
    const ofA = await store.createRun({ trigger: 'schedule', owner: a.id, environment: 'development' });
    const ofB = await store.createRun({ trigger: 'schedule', owner: b.id, environment: 'production' });
    const unowned = await store.createRun({ trigger: 'schedule' });
    // Both beat: only the run recorded before replicas had ids is abandoned.
    expect(await store.failAbandonedRuns('no heartbeat', { staleBefore: a.staleBefore() })).toBe(1);
    expect((await store.getRun(unowned))?.state).toBe('failed');
    clock.advance(STALE_MS / 2);
    await b.beat();
    clock.advance(STALE_MS / 2 + 1);
    // A missed its beats; B kept beating.
    expect(await store.failAbandonedRuns('no heartbeat', { staleBefore: b.staleBefore() })).toBe(1);
    expect(await store.getRun(ofA)).toMatchObject({ state: 'failed', error: 'no heartbeat' });
    expect((await store.getRun(ofB))?.state).toBe('running');
    expect(await b.live()).toEqual(['replica-b']);
    // A replica restarted under its configured id: its previous start's runs are over.
    expect(await store.failAbandonedRuns('restarted', { owner: b.id })).toBe(1);
    expect((await store.getRun(ofB))?.state).toBe('failed');

    // A graceful stop leaves at once: no waiting for its heartbeat to go stale.
    await b.beat();
    const lastOfB = await store.createRun({ trigger: 'api', owner: b.id });
    expect(await a.live()).toContain('replica-b');
    await b.leave();
    expect(await a.live()).toEqual(['replica-a']);
    expect(await store.failAbandonedRuns('left', { staleBefore: a.staleBefore() })).toBe(1);
    expect((await store.getRun(lastOfB))?.state).toBe('failed');
  });

  it("spreads units between live replicas, the same answer on every replica, and moves only a gone replica's", () => {
    const units = Array.from({ length: 40 }, (_, i) => `environment:env-${i}`);
    const three = ['r1', 'r2', 'r3'];
    const owners = units.map(u => Replicas.assignee(u, three));
    for (const r of three) expect(owners.filter(o => o === r).length).toBeGreaterThan(5);
    expect(units.map(u => Replicas.assignee(u, [...three].reverse()))).toEqual(owners);
    const without = units.map(u => Replicas.assignee(u, ['r1', 'r3']));
    // r2's units go to r1 or r3; every other unit stays where it was.
    expect(without).toEqual(owners.map((o, i) => (o === 'r2' ? without[i] : o)));
    expect(without.filter((_, i) => owners[i] === 'r2').every(o => o === 'r1' || o === 'r3')).toBe(true);
    expect(owners.filter(o => o === 'r2').length).toBeGreaterThan(0);
  });
});
