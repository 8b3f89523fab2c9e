import { postgresGlobalTeardown } from '../storage/__testUtils__/testPostgres';

/** Stops what jestGlobalSetup.ts started, in reverse order. */
export default async function globalTeardown(): Promise<void> {
  await postgresGlobalTeardown();
}
