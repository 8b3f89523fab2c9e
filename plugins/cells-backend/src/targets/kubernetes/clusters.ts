import fs from 'node:fs';
import path from 'node:path';
import { Config } from '@backstage/config';
import { KubeConfig } from '@kubernetes/client-node';
import { CellsConfigError } from '../../config';

/** A config read as a typed value, failing with the key named. */
function read<T>(key: string, get: () => T): T {
  try {
    return get();
  } catch (e) {
    throw new CellsConfigError(key, e instanceof Error ? e.message : String(e));
  }
}

function fromServiceAccount(config: Config, key: string): [string, KubeConfig] {
  const name = read(`${key}.name`, () => config.getString('name'));
  const url = read(`${key}.url`, () => config.getString('url'));
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error();
  } catch {
    throw new CellsConfigError(`${key}.url`, `must be the API server's https:// URL, not ${JSON.stringify(url)}`);
  }
  const authProvider = read(`${key}.authProvider`, () => config.getOptionalString('authProvider')) ?? 'serviceAccount';
  if (authProvider !== 'serviceAccount') {
    throw new CellsConfigError(
      `${key}.authProvider`,
      `Cellplane applies with its own service account, so only serviceAccount is supported, not ${JSON.stringify(
        authProvider,
      )}. Fix: set authProvider: serviceAccount and serviceAccountToken, or use cells.clusters[].kubeconfigPath`,
    );
  }
  const token = read(`${key}.serviceAccountToken`, () => config.getOptionalString('serviceAccountToken'));
  if (!token) {
    throw new CellsConfigError(`${key}.serviceAccountToken`, 'is required: the token of the service account bound by deploy/cells-backend-rbac.yaml');
  }
  const caData = read(`${key}.caData`, () => config.getOptionalString('caData'));
  const caFile = read(`${key}.caFile`, () => config.getOptionalString('caFile'));
  const skipTLSVerify = read(`${key}.skipTLSVerify`, () => config.getOptionalBoolean('skipTLSVerify')) ?? false;
  if (url.startsWith('https:') && !caData && !caFile && !skipTLSVerify) {
    throw new CellsConfigError(
      `${key}.caData`,
      'is required for an https URL (base64 PEM of the cluster CA); or set caFile, or skipTLSVerify: true for a throwaway cluster',
    );
  }
  if (caFile && !fs.existsSync(caFile)) throw new CellsConfigError(`${key}.caFile`, `${caFile} does not exist`);
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromOptions({
    clusters: [{ name, server: url, caData, caFile, skipTLSVerify }],
    users: [{ name: `${name}-cellplane`, token }],
    contexts: [{ name, cluster: name, user: `${name}-cellplane` }],
    currentContext: name,
  });
  return [name, kubeconfig];
}

function fromKubeconfigFile(config: Config, key: string): [string, KubeConfig] {
  const name = read(`${key}.name`, () => config.getString('name'));
  const file = read(`${key}.kubeconfigPath`, () => config.getString('kubeconfigPath'));
  const context = read(`${key}.context`, () => config.getOptionalString('context'));
  const kubeconfig = new KubeConfig();
  try {
    kubeconfig.loadFromFile(path.resolve(file));
  } catch (e) {
    throw new CellsConfigError(`${key}.kubeconfigPath`, `cannot read ${file}: ${e instanceof Error ? e.message : e}`);
  }
  if (context) {
    if (!kubeconfig.getContexts().some(c => c.name === context)) {
      throw new CellsConfigError(`${key}.context`, `${file} has no context ${JSON.stringify(context)}`);
    }
    kubeconfig.setCurrentContext(context);
  }
  if (!kubeconfig.getCurrentCluster()) {
    throw new CellsConfigError(
      `${key}.kubeconfigPath`,
      `${file} has no current context with a cluster. Fix: set current-context, or name one with ${key}.context`,
    );
  }
  return [name, kubeconfig];
}

/**
 * The clusters a kubernetes target may name: those of Backstage's Kubernetes
 * plugin (`kubernetes.clusterLocatorMethods[]` of `type: config`), so a portal
 * names a cluster once, and `cells.clusters[]` entries that point at a
 * kubeconfig file for local use. A bad entry fails with its key named.
 */
export function readClusters(config: Config): Map<string, () => KubeConfig> {
  const clusters = new Map<string, () => KubeConfig>();
  const add = (key: string, name: string, load: () => KubeConfig) => {
    if (clusters.has(name)) throw new CellsConfigError(`${key}.name`, `the cluster name ${name} is used twice`);
    clusters.set(name, load);
  };
  const methods = read('kubernetes.clusterLocatorMethods', () => config.getOptionalConfigArray('kubernetes.clusterLocatorMethods')) ?? [];
  methods.forEach((method, i) => {
    const key = `kubernetes.clusterLocatorMethods[${i}]`;
    // Other locators (catalog, gke, ...) serve the Kubernetes plugin; Cellplane needs a token it owns.
    if (read(`${key}.type`, () => method.getString('type')) !== 'config') return;
    const entries = read(`${key}.clusters`, () => method.getOptionalConfigArray('clusters')) ?? [];
    // Read when a target names the cluster: the Kubernetes plugin's clusters
    // may use auth providers Cellplane cannot, and must not stop it.
    entries.forEach((entry, j) => {
      const at = `${key}.clusters[${j}]`;
      const name = read(`${at}.name`, () => entry.getString('name'));
      add(at, name, () => fromServiceAccount(entry, at)[1]);
    });
  });
  const local = read('cells.clusters', () => config.getOptionalConfigArray('cells.clusters')) ?? [];
  local.forEach((entry, i) => {
    const [name, kubeconfig] = fromKubeconfigFile(entry, `cells.clusters[${i}]`);
    add(`cells.clusters[${i}]`, name, () => kubeconfig);
  });
  return clusters;
}
