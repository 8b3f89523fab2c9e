import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { rawRequest } from './rest';
import { describeWithKube, portIsClosed } from './testing';

const BIN = path.resolve(__dirname, '../bin/cellplane-kube-testenv');

describeWithKube('npm run kube:up and kube:down', () => {
  let stateDir: string;
  const run = (command: string) =>
    promisify(execFile)(process.execPath, [BIN, command], {
      env: { ...process.env, CELLPLANE_KUBE_TESTENV_STATE_DIR: stateDir },
    });
  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-kube-state-'));
  });
  afterEach(async () => {
    await run('down'); // never leave a server behind when an assertion failed
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('up prints a kubeconfig of a server that outlives the command, down stops it and deletes its data', async () => {
    const up = await run('up');
    const kubeconfigPath = up.stdout.trim();
    expect(kubeconfigPath).toMatch(/\/kubeconfig$/);
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(kubeconfigPath);
    // The `up` process has exited; the servers it started still answer, CRDs installed.
    expect((await rawRequest(kubeconfig, 'GET', '/readyz')).status).toBe(200);
    expect((await rawRequest(kubeconfig, 'GET', '/apis/security.istio.io/v1')).status).toBe(200);

    const again = await run('up');
    expect(again.stdout.trim()).toBe(kubeconfigPath);
    expect(again.stderr).toContain('already running');

    const down = await run('down');
    expect(down.stderr).toMatch(/stopped https:\/\/127\.0\.0\.1:\d+ and removed/);
    expect(fs.existsSync(kubeconfigPath)).toBe(false);
    expect(await portIsClosed(kubeconfig.getCurrentCluster()!.server)).toBe(true);
    expect((await run('down')).stderr).toContain('nothing to stop');
  });
});
