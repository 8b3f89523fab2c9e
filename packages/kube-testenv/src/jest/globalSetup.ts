import { GoUnavailableError } from '../binaries';
import { startTestEnvironment } from '../environment';
import { KubeTestEnvState } from '../server';
import { KUBECONFIG_ENV, UNAVAILABLE_ENV } from '../testing';

declare global {
  // eslint-disable-next-line no-var
  var cellplaneKubeTestEnv: KubeTestEnvState | undefined;
}

function isCi(): boolean {
  return !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
}

/**
 * Jest global setup: one API server for the whole run. Every package whose
 * jest config names this file shares it; the first one starts it and the env
 * variable tells the rest (and the test workers) where it is. A server already
 * named by CELLPLANE_KUBECONFIG (npm run kube:up) is used as it is.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env[KUBECONFIG_ENV] || process.env[UNAVAILABLE_ENV]) return;
  const started = Date.now();
  try {
    const state = await startTestEnvironment({ log: message => process.stderr.write(`[kube-testenv] ${message}\n`) });
    globalThis.cellplaneKubeTestEnv = state;
    process.env[KUBECONFIG_ENV] = state.kubeconfigPath;
    process.stderr.write(`[kube-testenv] API server ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${state.server}\n`);
  } catch (error) {
    if (error instanceof GoUnavailableError && !isCi()) {
      process.env[UNAVAILABLE_ENV] = error.reason;
      const banner = '!'.repeat(78);
      process.stderr.write(
        `\n${banner}\n! SKIPPING the Kubernetes integration tests: ${error.message}\n` +
          `! Install Go (see go.mod of tools/kube-testenv) to run them. Under CI=true this is a failure.\n${banner}\n\n`,
      );
      return;
    }
    throw error;
  }
}
