import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { cellsTargetsExtensionPoint } from '@cellplane/plugin-cells-node';
import { Duration } from 'luxon';
import packageJson from '../package.json';
import { DEFAULT_VERIFICATION, readCellsBackendConfig } from './config';
import { CellsAudit } from './service/audit';
import { ContinuousVerification } from './service/verifications';
import { CatalogCellSource } from './catalog/CatalogCellSource';
import { CellsReconciler } from './reconciler/CellsReconciler';
import { ReconcileQueue } from './reconciler/ReconcileQueue';
import { DatabaseCellsStore, DatabaseEvidenceStore } from './storage';
import { TargetRegistry } from './targets';
import { DefaultCellsService } from './service/DefaultCellsService';
import { createRouter, cellsAuthPolicies } from './router';
import { cellsPermissions } from './permissions';
import { reconcilePassMetric, reportCellsMetrics } from './metrics';
import { Analyst } from './service/analyst';
import { InlineAnalysis, PooledAnalysis } from './workers/pool';
import { joinReplicas } from './replicas/heartbeat';
import { leaseUnitsOf } from './replicas/units';

/** The scheduler tasks that reconcile, one per environment: `cells-reconcile:<environment>`. */
export const RECONCILE_TASK_ID = 'cells-reconcile';
export const reconcileTaskId = (environment: string) => `${RECONCILE_TASK_ID}:${environment}`;
/** The scheduled verification of each environment: `cells-verify-<environment>`. */
export const VERIFY_TASK_ID = 'cells-verify';

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
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        metrics: metricsServiceRef,
      },
      async init({
        rootConfig,
        logger,
        database,
        scheduler,
        httpRouter,
        httpAuth,
        auth,
        permissions,
        permissionsRegistry,
        lifecycle,
        auditor,
        catalog,
        metrics,
      }) {
        // A bad setting throws here, naming the key: the plugin does not start on a guess.
        const config = readCellsBackendConfig(rootConfig, { moduleTargetTypes: registry.moduleTypes });
        const store = await DatabaseCellsStore.create({ database });
        // Runs of a replica that still beats are alive: only stale owners' runs are failed (src/replicas).
        const { replicas, leave: leaveReplicas } = await joinReplicas({ knex: await database.getClient(), config: config.replicas, store, logger });

        const targets = new Map(await Promise.all(config.targets.map(async t => [t.environment, await registry.create(t, { rootConfig, logger })] as const)));
        // The heavy analysis in worker threads, so the event loop keeps answering while it runs: the pass's compilation and the API's analysis (docs/scale.md).
        const analysis =
          config.workers.size > 0
            ? new PooledAnalysis({ size: config.workers.size, settings: config.settings })
            : new InlineAnalysis(new Analyst(config.settings));
        const evidenceStore = await DatabaseEvidenceStore.create({ database });
        const audit = new CellsAudit({ auditor, store: evidenceStore });
        const reconciler = new CellsReconciler({
          source: new CatalogCellSource({ catalog, auth }),
          config,
          targets,
          store,
          logger,
          ...(analysis instanceof PooledAnalysis ? { analysis } : {}),
          audit,
        });
        const { frequency, retentionDays } = config.verification ?? DEFAULT_VERIFICATION;
        const verifications = new ContinuousVerification({
          reconciler,
          analysis,
          store: evidenceStore,
          environments: config.targets.map(t => t.environment),
          retentionDays,
          version: packageJson.version,
          logger,
        });
        const environments = config.targets.map(t => t.environment);
        const queue = new ReconcileQueue({
          reconciler,
          store,
          logger,
          fullInterval: Duration.fromObject(config.fullReconcileInterval).toMillis(),
          trigger: async environment => {
            await Promise.all((environment ? [environment] : environments).map(e => scheduler.triggerTask(reconcileTaskId(e))));
          },
          targets,
          environments,
          replicas,
          unitsOf: leaseUnitsOf(config.targets),
          onPass: reconcilePassMetric(metrics),
          onResults: cells => void verifications.afterPass(cells),
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

        // Every replica runs every environment's task; the environment's lease, not the
        // scheduler's lock, decides who writes (a dead replica's lock would hold until its timeout).
        for (const environment of environments) {
          await scheduler.scheduleTask({
            id: reconcileTaskId(environment),
            frequency: config.catalogPollInterval,
            timeout: { minutes: 15 },
            scope: 'local',
            fn: signal => queue.runDue(signal, environment),
          });
        }
        for (const { environment } of config.targets) {
          await scheduler.scheduleTask({
            id: `${VERIFY_TASK_ID}-${environment}`,
            frequency,
            timeout: { hours: 2 },
            // The first run waits for the first reconcile to have read the catalog.
            initialDelay: { minutes: 1 },
            scope: 'global',
            fn: () => verifications.scheduled(environment),
          });
        }
        lifecycle.addStartupHook(async () => {
          await Promise.all([...targets.values()].map(t => t.start?.()));
        });
        lifecycle.addShutdownHook(async () => {
          queue.stop();
          // A pass under way ends first (bounded), then the others take this replica's environments over at once.
          await Promise.race([reconciler.idle(), new Promise(r => setTimeout(r, 20_000).unref())]);
          await leaveReplicas();
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
          evidence: { verifications, store: evidenceStore, retentionDays },
        });
        httpRouter.use(await createRouter({ service, httpAuth, permissions, logger, audit }));
        for (const policy of cellsAuthPolicies) httpRouter.addAuthPolicy(policy);
      },
    });
  },
});
