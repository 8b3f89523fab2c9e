import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { readCellsBackendConfig } from './config';
import { createTarget } from './targets';
import { defaultWorkerCount } from './workers/size';

const read = (cells: unknown) => readCellsBackendConfig(new ConfigReader({ cells } as any));

describe('readCellsBackendConfig', () => {
  it('gives every environment a directory target under gitops/ when none is configured', () => {
    const config = read(undefined);
    expect(config.targets).toEqual([{ environment: 'development', target: { type: 'directory', path: path.resolve('gitops/development'), commit: false } }]);
    expect(config.catalogPollInterval).toEqual({ seconds: 5 });
    expect(config.fullReconcileInterval).toEqual({ minutes: 5 });
  });

  it('reads directory and kubernetes targets per environment', () => {
    const config = read({
      environments: [
        { name: 'development', target: { type: 'directory', path: '/tmp/gitops/dev', commit: true } },
        { name: 'production', networkPolicy: 'cilium', target: { type: 'kubernetes', cluster: 'prod-eu' } },
      ],
      reconcile: { catalogPollInterval: { seconds: 2 }, fullInterval: { minutes: 1 } },
    });
    expect(config.targets).toEqual([
      { environment: 'development', target: { type: 'directory', path: '/tmp/gitops/dev', commit: true } },
      { environment: 'production', target: { type: 'kubernetes', cluster: 'prod-eu' } },
    ]);
    expect(config.settings.environments.map(e => e.networkPolicy)).toEqual(['kubernetes', 'cilium']);
    expect(config.catalogPollInterval).toEqual({ seconds: 2 });
  });

  it('reads an environment in audit, and refuses an enforcement it does not know, naming the key', () => {
    const config = read({ environments: [{ name: 'development', enforcement: 'audit' }, { name: 'production' }] });
    expect(config.settings.environments.map(e => e.enforcement)).toEqual(['audit', undefined]);
    expect(() => read({ environments: [{ name: 'development', enforcement: 'shadow' }] })).toThrow(
      'cells.environments[0].enforcement: "shadow" is not one of audit, enforce',
    );
  });

  it.each([
    [{ environments: [{ name: 'dev', target: { type: 'bucket' } }] }, 'cells.environments[0].target.type: must be directory or kubernetes, not "bucket"'],
    [{ environments: [{ name: 'dev', target: { type: 'kubernetes' } }] }, 'cells.environments[0].target.cluster:'],
    [{ environments: [{ name: 'dev', target: { type: 'directory', path: '' } }] }, 'cells.environments[0].target.path'],
    [{ environments: [{ name: 'dev', target: { type: 'directory', folder: 'x' } }] }, 'cells.environments[0].target.folder: unknown key'],
    [
      {
        environments: [
          { name: 'a', target: { path: '/tmp/same' } },
          { name: 'b', target: { path: '/tmp/same' } },
        ],
      },
      'cells.environments[1].target.path: /tmp/same is also the folder of environment a',
    ],
    [{ reconcile: { fullInterval: { fortnights: 1 } } }, 'cells.reconcile.fullInterval: must be a duration'],
    [{ reconcile: { catalogPollInterval: 5 } }, 'cells.reconcile.catalogPollInterval: must be a duration'],
    [{ environments: [{ name: 'dev', networkPolicy: 'calico' }] }, 'cells.environments'],
    [{ rbac: { subjects: ['group:default/system:masters'] } }, 'cells.rbac.subjects: '],
    [{ gateway: { routes: { hostname: '{team}.example.com' } } }, 'cells.gateway.routes.hostname: '],
  ])('refuses %j, naming the key', (cells, message) => {
    expect(() => read(cells)).toThrow(message);
  });
});

describe('createTarget', () => {
  const logger = { child: () => ({}) } as any;
  const kubeconfigFile = path.join(__dirname, '__testUtils__', 'kubeconfig.test.yaml');

  it('makes a kubernetes target for a cluster of kubernetes.clusterLocatorMethods or cells.clusters', async () => {
    const cells = {
      environments: [
        { name: 'production', target: { type: 'kubernetes', cluster: 'prod-eu' } },
        { name: 'development', target: { type: 'kubernetes', cluster: 'local' } },
      ],
      clusters: [{ name: 'local', kubeconfigPath: kubeconfigFile }],
    };
    const rootConfig = new ConfigReader({
      cells,
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [{ name: 'prod-eu', url: 'https://10.0.0.1:6443', authProvider: 'serviceAccount', serviceAccountToken: 't', skipTLSVerify: true }],
          },
        ],
      },
    });
    const config = readCellsBackendConfig(rootConfig);
    const targets = await Promise.all(config.targets.map(t => createTarget(t, { rootConfig, logger })));
    expect(targets.map(t => t.description)).toEqual([
      { type: 'kubernetes', cluster: 'prod-eu' },
      { type: 'kubernetes', cluster: 'local' },
    ]);
  });

  it('refuses a kubernetes target naming an unknown cluster, naming the key and the known clusters', async () => {
    const rootConfig = new ConfigReader({
      cells: {
        environments: [{ name: 'production', target: { type: 'kubernetes', cluster: 'prod' } }],
        clusters: [{ name: 'local', kubeconfigPath: kubeconfigFile }],
      },
    });
    const config = readCellsBackendConfig(rootConfig);
    await expect(createTarget(config.targets[0], { rootConfig, logger })).rejects.toThrow(
      'cells.environments[production].target.cluster: no cluster named "prod"; known clusters: local',
    );
  });

  it('reads cells.traffic through the flow sources of cells-node, a bad source as a config error naming the key', () => {
    expect(read({ traffic: { sources: [{ type: 'hubble', file: 'flows.jsonl' }] } }).trafficSources).toEqual([{ type: 'hubble', file: 'flows.jsonl' }]);
    expect(read(undefined).trafficSources).toEqual([]);
    expect(() => read({ traffic: { sources: [{ type: 'hubble', flie: 'b' }] } })).toThrow(
      expect.objectContaining({ name: 'CellsConfigError', message: 'cells.traffic.sources[0].flie: unknown key for a hubble source; it takes file, relay' }),
    );
  });
});

describe('cells.workers', () => {
  const readWorkers = (workers: unknown) => read({ workers });

  it('reads cells.replicas, with defaults, and refuses a bad id, a stale bound under two heartbeats and an unknown key, naming the key', () => {
    expect(read(undefined).replicas).toEqual({ heartbeatInterval: { seconds: 5 }, staleAfter: { seconds: 30 } });
    expect(read({ replicas: { id: 'cells-1', heartbeatInterval: { seconds: 1 }, staleAfter: { seconds: 2 } } }).replicas).toEqual({
      id: 'cells-1',
      heartbeatInterval: { seconds: 1 },
      staleAfter: { seconds: 2 },
    });
    expect(() => read({ replicas: { id: 'two words' } })).toThrow(/^cells\.replicas\.id: must be 1 to 100 letters/);
    expect(() => read({ replicas: { heartbeatInterval: { seconds: 10 }, staleAfter: { seconds: 15 } } })).toThrow(
      /^cells\.replicas\.staleAfter: must be at least twice cells\.replicas\.heartbeatInterval/,
    );
    expect(() => read({ replicas: { heartbeat: { seconds: 1 } } })).toThrow(
      'cells.replicas.heartbeat: unknown key; cells.replicas takes id, heartbeatInterval and staleAfter',
    );
  });

  it('takes the pool size, 0 for none, and defaults to one fewer than the cores, at most two', () => {
    expect(readWorkers({ size: 0 }).workers).toEqual({ size: 0 });
    expect(readWorkers({ size: 3 }).workers).toEqual({ size: 3 });
    expect(readCellsBackendConfig(new ConfigReader({})).workers).toEqual({ size: defaultWorkerCount() });
    expect([1, 2, 3, 8].map(cores => defaultWorkerCount(cores))).toEqual([0, 1, 2, 2]);
  });

  it('refuses a size that is not a whole number in range, and an unknown key, naming the key', () => {
    expect(() => readWorkers({ size: -1 })).toThrow('cells.workers.size: must be a whole number from 0 (no worker threads) to 64, not -1');
    expect(() => readWorkers({ size: 1.5 })).toThrow(/^cells\.workers\.size: /);
    expect(() => readWorkers({ size: 'two' })).toThrow(/^cells\.workers\.size: .* not "two"$/);
    expect(() => readWorkers({ sise: 2 })).toThrow('cells.workers.sise: unknown key; cells.workers takes size');
  });
});

describe('cells.caches', () => {
  it('takes the topology answers bound in MiB, none set leaves the default', () => {
    expect(read({ caches: { topologyAnswersMiB: 64 } }).caches).toEqual({ topologyAnswersMiB: 64 });
    expect(read(undefined).caches).toEqual({});
  });

  it('refuses a bound that is not a whole number of MiB, and an unknown key, naming the key', () => {
    expect(() => read({ caches: { topologyAnswersMiB: 0 } })).toThrow('cells.caches.topologyAnswersMiB: must be a whole number of MiB, at least 1, not 0');
    expect(() => read({ caches: { topologyAnswersMiB: '1GB' } })).toThrow(/^cells\.caches\.topologyAnswersMiB: .* not "1GB"$/);
    expect(() => read({ caches: { topologies: 1 } })).toThrow('cells.caches.topologies: unknown key; cells.caches takes topologyAnswersMiB');
  });
});

describe('cells.compliance.verification', () => {
  it('takes the frequency as an ISO duration or an object, and the retention in days; none set: daily, 400 days', () => {
    expect(read(undefined).verification).toEqual({ frequency: { days: 1 }, retentionDays: 400 });
    expect(read({ compliance: { verification: { frequency: 'PT6H', retentionDays: 730 } } }).verification).toEqual({
      frequency: { hours: 6 },
      retentionDays: 730,
    });
    expect(read({ compliance: { requireReasons: true, verification: { frequency: { hours: 12 } } } }).verification).toEqual({
      frequency: { hours: 12 },
      retentionDays: 400,
    });
  });

  it('refuses a frequency, a retention or a key it does not know, naming the key', () => {
    expect(() => read({ compliance: { verification: { frequency: 'daily' } } })).toThrow(
      'cells.compliance.verification.frequency: must be an ISO duration such as P1D or PT6H, or { hours: 6 }, not "daily"',
    );
    expect(() => read({ compliance: { verification: { frequency: { fortnights: 1 } } } })).toThrow(
      /^cells\.compliance\.verification\.frequency: must be a duration/,
    );
    expect(() => read({ compliance: { verification: { frequency: 'PT0S' } } })).toThrow(/^cells\.compliance\.verification\.frequency: /);
    expect(() => read({ compliance: { verification: { retentionDays: 0 } } })).toThrow(
      'cells.compliance.verification.retentionDays: must be a whole number of days, at least 1, not 0',
    );
    expect(() => read({ compliance: { verification: { retentionDays: '400' } } })).toThrow(/^cells\.compliance\.verification\.retentionDays: /);
    expect(() => read({ compliance: { verification: { retention: 400 } } })).toThrow(
      'cells.compliance.verification.retention: unknown key; cells.compliance.verification takes frequency and retentionDays',
    );
  });
});
