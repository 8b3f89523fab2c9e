import { postgresGlobalTeardown } from '../storage/__testUtils__/testPostgres';
import { kubeTestEnvJestHook } from './kubeTestEnvJest';

/** Stops what jestGlobalSetup.ts started, in reverse order. */
export default async function globalTeardown(): Promise<void> {
  await (
    await kubeTestEnvJestHook('globalTeardown')
  )();
  await postgresGlobalTeardown();
}
