import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { Duration } from 'luxon';
import { ReplicasConfig } from '../config';
import { CellsStore } from '../storage/types';
import { Replicas } from './Replicas';

/**
 * Joins this backend to the replicas sharing its database: beats at once
 * (so its own runs count as alive), fails the runs of replicas whose
 * heartbeat is stale, and keeps doing both every heartbeat interval, so a
 * replica that dies mid-run is noticed by the others within `staleAfter`.
 */
export async function joinReplicas(options: {
  knex: Knex;
  config: ReplicasConfig;
  store: CellsStore;
  logger: LoggerService;
}): Promise<{ replicas: Replicas; stop: () => void; leave: () => Promise<void> }> {
  const { knex, config, store, logger } = options;
  const staleMs = Duration.fromObject(config.staleAfter).toMillis();
  const heartbeatMs = Duration.fromObject(config.heartbeatInterval).toMillis();
  const replicas = new Replicas(knex, config.id ?? Replicas.generateId(), { staleMs });
  // A configured id may be this replica's previous life: its runs died with it.
  if (config.id) {
    const own = await store.failAbandonedRuns(`backend replica ${config.id} restarted before the run finished`, { owner: config.id });
    if (own) logger.warn(`${own} reconcile run(s) of this replica's previous start are marked failed`);
  }
  const sweep = async () => {
    await replicas.beat();
    const abandoned = await store.failAbandonedRuns('its backend replica stopped before the run finished (no heartbeat)', {
      staleBefore: replicas.staleBefore(),
    });
    if (abandoned) logger.warn(`${abandoned} reconcile run(s) of a backend replica that stopped beating are marked failed`);
  };
  await sweep();
  logger.info(`backend replica ${replicas.id}: heartbeat every ${heartbeatMs} ms, gone after ${staleMs} ms without one`);
  let beating = false;
  const timer = setInterval(() => {
    if (beating) return;
    beating = true;
    sweep()
      .catch(e => logger.warn(`replica heartbeat failed: ${e}`))
      .finally(() => {
        beating = false;
      });
  }, heartbeatMs);
  timer.unref?.();
  const stop = () => clearInterval(timer);
  return {
    replicas,
    stop,
    leave: async () => {
      stop();
      await replicas.leave().catch(e => logger.warn(`could not leave the replicas (the others take over after staleAfter): ${e}`));
    },
  };
}
