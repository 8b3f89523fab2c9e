import fs from 'node:fs';
import { cachedBinaries } from './binaries';
import { httpsGet, isOurProcess, startKubeTestEnv, stopKubeTestEnv } from './server';
import { describeWithKube, portIsClosed } from './testing';

describeWithKube('startKubeTestEnv and stopKubeTestEnv', () => {
  it('start a ready API server and stop it without leftover processes, ports or files', async () => {
    const state = await startKubeTestEnv({ binaries: cachedBinaries()! });
    const ca = fs.readFileSync(state.caFile);
    expect((await httpsGet(`${state.server}/readyz`, ca, state.token)).status).toBe(200);
    // The admin token is required: anonymous requests are not admins.
    expect((await httpsGet(`${state.server}/api/v1/namespaces`, ca, 'not-the-token')).status).toBe(401);
    const kubeconfig = JSON.parse(fs.readFileSync(state.kubeconfigPath, 'utf8'));
    expect(kubeconfig.clusters[0].cluster.server).toBe(state.server);
    expect(isOurProcess(state.pids.kubeApiserver, state.workDir)).toBe(true);
    expect(isOurProcess(state.pids.etcd, state.workDir)).toBe(true);

    await stopKubeTestEnv(state);

    expect(isOurProcess(state.pids.kubeApiserver, state.workDir)).toBe(false);
    expect(isOurProcess(state.pids.etcd, state.workDir)).toBe(false);
    expect(await portIsClosed(state.server)).toBe(true);
    expect(fs.existsSync(state.workDir)).toBe(false);
  });
});
