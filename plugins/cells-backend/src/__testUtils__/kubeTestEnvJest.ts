import path from 'node:path';

/**
 * kube-testenv's jest hooks (one API server for the run, shared with other
 * packages through CELLPLANE_KUBECONFIG). Its package.json lists only bin and
 * dist in `files`, so a static import of the src/jest subpath is refused by
 * lint; the file is found next to its package.json instead. It is required
 * while this module loads, when jest's TypeScript transform is in place.
 * Once kube-testenv exports `./src/jest/*`, import it directly.
 */
const dir = path.join(path.dirname(require.resolve('@cellplane/kube-testenv/package.json')), 'src', 'jest');
const hooks = {
  globalSetup: require(path.join(dir, 'globalSetup')).default as () => Promise<void>,
  globalTeardown: require(path.join(dir, 'globalTeardown')).default as () => Promise<void>,
};

export async function kubeTestEnvJestHook(name: keyof typeof hooks): Promise<() => Promise<void>> {
  return hooks[name];
}
