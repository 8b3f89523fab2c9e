/*
 * One cells backend replica in a process of its own, so a test can kill it
 * abruptly (SIGKILL: no shutdown hook, no last heartbeat, no lease released).
 * Started by replicaProcess.test-helper (spawnReplica) with the Backstage CLI's
 * TypeScript transform; the real plugin, the real scheduler, the real
 * PostgreSQL. The catalog is a JSON file of entities both replicas read: a
 * test changes it to change the catalog.
 */
import fs from 'node:fs';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import knexFactory from 'knex';
import { ChangingCatalog } from './catalog';
import { cellsPlugin } from '../plugin';

export interface ReplicaSpec {
  /** knex connection of the shared PostgreSQL database. */
  connection: unknown;
  catalogFile: string;
  config: object;
}

async function main() {
  const spec: ReplicaSpec = JSON.parse(process.env.CELLS_REPLICA_SPEC!);
  const catalog = new ChangingCatalog();
  let loaded = '';
  let loadedRefs = '[]';
  const reload = () => {
    const text = fs.readFileSync(spec.catalogFile, 'utf8');
    if (text === loaded) return;
    loaded = text;
    const entities: Entity[] = JSON.parse(text);
    const refs = new Set(entities.map(e => stringifyEntityRef(e)));
    const gone = JSON.parse(loadedRefs).filter((r: string) => !refs.has(r));
    catalog.remove(...gone);
    catalog.set(...entities);
    loadedRefs = JSON.stringify([...refs]);
  };
  reload();
  setInterval(reload, 100).unref();
  const knex = knexFactory({ client: 'pg', connection: spec.connection as any, pool: { min: 0, max: 5 } });
  await startTestBackend({
    features: [
      cellsPlugin,
      schedulerServiceFactory,
      mockServices.database.factory({ knex }),
      createServiceFactory({ service: catalogServiceRef, deps: {}, factory: () => catalog.service }),
      mockServices.rootConfig.factory({ data: spec.config }),
    ],
  });
  process.stdout.write('replica ready\n');
  // Alive until killed.
  setInterval(() => undefined, 60_000);
}

main().catch(e => {
  process.stderr.write(`replica failed: ${e?.stack ?? e}\n`);
  process.exit(1);
});
