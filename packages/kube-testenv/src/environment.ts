import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { cacheDir, ensureBinaries, Log } from './binaries';
import { installCrds } from './crds';
import { KubeTestEnvState, startKubeTestEnv, stopKubeTestEnv } from './server';

/**
 * Builds the binaries when missing, starts etcd and kube-apiserver, and
 * installs the Istio, Gateway API and Cilium CRDs: a cluster's control plane
 * as Cellplane's manifests meet it, without nodes.
 */
export async function startTestEnvironment(options: { detached?: boolean; log?: Log } = {}): Promise<KubeTestEnvState> {
  const { log = () => {} } = options;
  const binaries = await ensureBinaries(log);
  const state = await startKubeTestEnv({ binaries, detached: options.detached, log });
  try {
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(state.kubeconfigPath);
    await installCrds(kubeconfig, binaries.crdsDir, log);
  } catch (error) {
    await stopKubeTestEnv(state);
    throw error;
  }
  return state;
}

/**
 * State file of the API server `npm run kube:up` started for manual use: in
 * $CELLPLANE_KUBE_TESTENV_STATE_DIR, else beside the cached binaries.
 */
export function manualStateFile(): string {
  return path.join(process.env.CELLPLANE_KUBE_TESTENV_STATE_DIR || cacheDir(), 'manual-testenv.json');
}

export function readManualState(): KubeTestEnvState | undefined {
  try {
    return JSON.parse(fs.readFileSync(manualStateFile(), 'utf8'));
  } catch {
    return undefined;
  }
}
