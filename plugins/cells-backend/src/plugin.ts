import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { cellsTargetsExtensionPoint } from '@cellplane/plugin-cells-node';
import { Duration } from 'luxon';
import { readCellsBackendConfig } from './config';
import { CatalogCellSource } from './catalog/CatalogCellSource';
import { CellsReconciler } from './reconciler/CellsReconciler';
import { ReconcileQueue } from './reconciler/ReconcileQueue';
import { DatabaseCellsStore } from './storage';
import { TargetRegistry } from './targets';
import { DefaultCellsService } from './service/DefaultCellsService';
import { createRouter, cellsAuthPolicies } from './router';
import { cellsPermissions } from './permissions';
import { reconcilePassMetric, reportCellsMetrics } from './metrics';
import { Analyst } from './service/analyst';
import { InlineAnalysis, PooledAnalysis } from './workers/pool';

/** The scheduler task that reconciles: one runner across backend replicas (scope global). */
export const RECONCILE_TASK_ID = 'cells-reconcile';

/**
 * The cells backend plugin: reads cell entities from the catalog, compiles
 * them with @cellplane/cells-common, writes each environment's target (a
 * GitOps folder, a cluster, or a target type a backend module adds through
 * `cellsTargetsExtensionPoint`), records runs, statuses and history, and
 * serves the REST API under /api/cells.
 */
export const cellsPlugin = createBackendPlugin({
  pluginId: 'cells',
  register(env) {
    // Backend modules add target types here before the plugin starts.
    const registry = new TargetRegistry();
    env.registerExtensionPoint(cellsTargetsExtensionPoint, {
      addTargetFactory: (type, factory) => registry.add(type, factory),
    });
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        metrics: metricsServiceRef,
      },
      async init({ rootConfig, logger, database, scheduler, httpRouter, httpAuth, auth, permissions, permissionsRegistry, lifecycle, catalog, metrics }) {
        // A bad setting throws here, naming the key: the plugin does not start on a guess.
        const config = readCellsBackendConfig(rootConfig, { moduleTargetTypes: registry.moduleTypes });
        const store = await DatabaseCellsStore.create({ database });
        const abandoned = await store.failAbandonedRuns('the backend stopped before the run finished');
        if (abandoned) logger.warn(`${abandoned} reconcile run(s) left running by a stopped backend are marked failed`);

        const targets = new Map(await Promise.all(config.targets.map(async t => [t.environment, await registry.create(t, { rootConfig, logger })] as const)));
        // The heavy analysis in worker threads, so the event loop keeps answering while it runs: the pass's compilation and the API's analysis (docs/scale.md).
        const analysis =
          config.workers.size > 0
            ? new PooledAnalysis({ size: config.workers.size, settings: config.settings })
            : new InlineAnalysis(new Analyst(config.settings));
        const reconciler = new CellsReconciler({
          source: new CatalogCellSource({ catalog, auth }),
          config,
          targets,
          store,
          logger,
          ...(analysis instanceof PooledAnalysis ? { analysis } : {}),
        });
        const queue = new ReconcileQueue({
          reconciler,
          store,
          logger,
          fullInterval: Duration.fromObject(config.fullReconcileInterval).toMillis(),
          trigger: () => scheduler.triggerTask(RECONCILE_TASK_ID),
          targets,
          onPass: reconcilePassMetric(metrics),
        });
        const { stop: stopMetrics } = reportCellsMetrics(metrics, {
          reconciler,
          store,
          environments: config.targets.map(t => t.environment),
          queueDepth: () => queue.depth,
          analysis: () => analysis.stats(),
        });
        // Live changes (a hand edit on a cluster) update the cell's status within seconds;
        // the next full or requested reconcile repairs them.
        for (const target of targets.values()) {
          target.onChange?.((entityRef, environment) => queue.observe(entityRef, environment));
        }

        await scheduler.scheduleTask({
          id: RECONCILE_TASK_ID,
          frequency: config.catalogPollInterval,
          timeout: { minutes: 15 },
          scope: 'global',
          fn: signal => queue.runDue(signal),
        });
        lifecycle.addStartupHook(async () => {
          await Promise.all([...targets.values()].map(t => t.start?.()));
        });
        lifecycle.addShutdownHook(async () => {
          queue.stop();
          stopMetrics();
          await Promise.all([...targets.values()].map(t => t.stop?.()));
          await analysis.close();
        });

        permissionsRegistry.addPermissions(cellsPermissions);
        const service = new DefaultCellsService({
          reconciler,
          store,
          config,
          targets,
          requestRun: request => queue.request(request),
          analysis,
        });
        httpRouter.use(await createRouter({ service, httpAuth, permissions, logger }));
        for (const policy of cellsAuthPolicies) httpRouter.addAuthPolicy(policy);
      },
    });
  },
});
