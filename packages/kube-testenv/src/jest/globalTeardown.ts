import { stopKubeTestEnv } from '../server';
import { KUBECONFIG_ENV } from '../testing';

/** Stops the API server this run's global setup started (never one it was handed). */
export default async function globalTeardown(): Promise<void> {
  const state = globalThis.cellplaneKubeTestEnv;
  if (!state) return;
  globalThis.cellplaneKubeTestEnv = undefined;
  delete process.env[KUBECONFIG_ENV];
  await stopKubeTestEnv(state);
}
