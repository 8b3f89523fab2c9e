import { postgresGlobalSetup } from '../storage/__testUtils__/testPostgres';
import { kubeTestEnvJestHook } from './kubeTestEnvJest';

/**
 * The package's jest global setup: a throwaway PostgreSQL for the storage
 * tests. Other servers join here, one awaited call each, so one file serves
 * the package. For the Kubernetes target's tests, call the default export of
 * `@cellplane/kube-testenv/src/jest/globalSetup` here and its
 * globalTeardown in jestGlobalTeardown.ts; kube-testenv must then make that
 * subpath importable (list `src/jest` in its package.json `files` or
 * `exports`), or lint's @backstage/no-forbidden-package-imports rejects it.
 */
export default async function globalSetup(): Promise<void> {
  await postgresGlobalSetup();
  await (
    await kubeTestEnvJestHook('globalSetup')
  )();
}
