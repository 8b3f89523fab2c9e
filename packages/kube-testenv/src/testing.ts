import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

/** Set by the global setup (or by you, after `npm run kube:up`): kubeconfig of the test API server. */
export const KUBECONFIG_ENV = 'CELLPLANE_KUBECONFIG';
/** Set by the global setup when it skipped the Kubernetes tests: why. */
export const UNAVAILABLE_ENV = 'CELLPLANE_KUBE_TESTENV_UNAVAILABLE';

/** Whether this run skips the Kubernetes integration tests (no Go, outside CI). */
export function kubeTestsSkipped(): boolean {
  return !process.env[KUBECONFIG_ENV] && !!process.env[UNAVAILABLE_ENV];
}

/**
 * The admin KubeConfig of the test API server. Throws when there is none and
 * the run did not decide to skip, so a missing global setup never passes quietly.
 */
export function testKubeConfig(): KubeConfig {
  const file = process.env[KUBECONFIG_ENV];
  if (!file) {
    throw new Error(
      `No test API server: ${KUBECONFIG_ENV} is not set. Name @cellplane/kube-testenv's ` +
        `src/jest/globalSetup.ts and globalTeardown.ts in this package's jest config, or run npm run kube:up.`,
    );
  }
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(file);
  return kubeconfig;
}

/**
 * `describe`, or `describe.skip` when the global setup skipped the Kubernetes
 * tests. Its tests get a minute each: a real API server on two busy cores can
 * take seconds where a unit test takes milliseconds.
 */
export function describeWithKube(name: string, fn: () => void): void {
  jest.setTimeout(60_000);
  (kubeTestsSkipped() ? describe.skip : describe)(name, fn);
}

/** A unique name for a test's own namespaces: `<prefix>-<6 hex>`, a valid DNS label. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * Creates a namespace of the test's own. No namespace controller runs here, so
 * deleted namespaces would stay Terminating; the API server is thrown away at
 * the end of the run instead.
 */
export async function createTestNamespace(kubeconfig: KubeConfig, prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  await kubeconfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

/** Whether nothing accepts connections on the URL's host and port any more. */
export function portIsClosed(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise(resolve => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}
