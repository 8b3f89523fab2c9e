import fs from 'node:fs';
import { cachedBinaries } from './binaries';
import { httpsRequest } from './rest';
import { isOurProcess, startKubeTestEnv, stopKubeTestEnv } from './server';
import { describeWithKube, portIsClosed } from './testing';

describeWithKube('startKubeTestEnv and stopKubeTestEnv', () => {
  it('start a ready API server and stop it without leftover processes, ports or files', async () => {
    const state = await startKubeTestEnv({ binaries: cachedBinaries()! });
    const get = (apiPath: string, token: string) =>
      httpsRequest(`${state.server}${apiPath}`, { ca: fs.readFileSync(state.caFile), headers: { Authorization: `Bearer ${token}` } });
    expect((await get('/readyz', state.token)).status).toBe(200);
    // The admin token is required: anonymous requests are not admins.
    expect((await get('/api/v1/namespaces', 'not-the-token')).status).toBe(401);
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
