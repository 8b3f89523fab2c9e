import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import {
  configuredPostgresIds,
  connectionStringEnv,
  POSTGRES_BINDIR_ENV,
  POSTGRES_UNAVAILABLE_ENV,
  postgresGlobalSetup,
  quietKnexLog,
  startTestPostgres,
  stopTestPostgres,
  storageTestDatabaseIds,
} from './testPostgres';

jest.setTimeout(60_000);

describe('the test PostgreSQL', () => {
  it('is named to TestDatabases under the variable it reads for that version', () => {
    expect(connectionStringEnv('POSTGRES_15')).toBe('BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
  });

  // Skipped only when the global setup found no PostgreSQL outside CI and
  // said so in a banner; under CI=true that run fails in the setup instead.
  const describeWithPostgres = process.env[POSTGRES_UNAVAILABLE_ENV] ? describe.skip : describe;

  describeWithPostgres('a started server', () => {
    it('starts on loopback with a password-protected superuser, and leaves nothing behind when stopped', async () => {
      const server = await startTestPostgres();
      const url = new URL(server.connectionString);
      expect(url.hostname).toBe('127.0.0.1');
      const connect = (connectionString: string) =>
        knexFactory({
          client: 'pg',
          connection: connectionString,
          pool: { min: 0, max: 1 },
          acquireConnectionTimeout: 2000,
          log: quietKnexLog,
        });

      const db = connect(server.connectionString);
      const { rows } = await db.raw('select rolsuper, rolcreatedb from pg_roles where rolname = current_user');
      await db.destroy();
      expect(rows).toEqual([{ rolsuper: true, rolcreatedb: true }]);

      const wrongPassword = connect(server.connectionString.replace(`:${url.password}@`, ':wrong@'));
      await expect(wrongPassword.raw('select 1')).rejects.toThrow(/password authentication failed/);
      await wrongPassword.destroy();

      await stopTestPostgres(server);
      expect(fs.existsSync(server.workDir)).toBe(false);
      expect(server.process.exitCode ?? server.process.signalCode).not.toBeNull();
      const late = connect(server.connectionString);
      await expect(late.raw('select 1')).rejects.toThrow();
      await late.destroy();
    });
  });

  describe('global setup', () => {
    const saved = { ...process.env };
    let empty: string;
    beforeEach(() => {
      empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-no-postgres-'));
      process.env[POSTGRES_BINDIR_ENV] = empty;
      for (const id of configuredPostgresIds()) delete process.env[connectionStringEnv(id)];
      delete process.env[POSTGRES_UNAVAILABLE_ENV];
      jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    });
    afterEach(() => {
      process.env = { ...saved };
      fs.rmSync(empty, { recursive: true, force: true });
      jest.restoreAllMocks();
    });

    it('skips the PostgreSQL tests loudly outside CI when there is no PostgreSQL', async () => {
      delete process.env.CI;
      await postgresGlobalSetup();
      expect(process.env[POSTGRES_UNAVAILABLE_ENV]).toMatch(/no PostgreSQL server binaries .* run tools\/install.sh/);
      expect(storageTestDatabaseIds()).toEqual(['SQLITE_3']);
      expect(jest.mocked(process.stderr.write).mock.calls.join('')).toContain('SKIPPING the PostgreSQL storage tests');
    });

    it('fails under CI=true instead of skipping', async () => {
      process.env.CI = 'true';
      await expect(postgresGlobalSetup()).rejects.toThrow(
        /cannot start the test PostgreSQL \(under CI=true this fails the run\): no PostgreSQL server binaries/,
      );
      expect(process.env[POSTGRES_UNAVAILABLE_ENV]).toBeUndefined();
    });

    it('uses a server the environment already names and starts none', async () => {
      process.env.CI = 'true';
      process.env[connectionStringEnv('POSTGRES_17')] = 'postgresql://someone@db.example:5432/postgres';
      // Jest may run this file in the process that ran the real global setup
      // (--runInBand), where this global holds the run's own server: it must
      // stay as it is, so the teardown is not called here.
      const before = globalThis.cellplaneTestPostgres;
      await postgresGlobalSetup();
      expect(globalThis.cellplaneTestPostgres).toBe(before);
      expect(storageTestDatabaseIds()).toEqual(['POSTGRES_17', 'SQLITE_3']);
      expect(process.env[connectionStringEnv('POSTGRES_17')]).toBe('postgresql://someone@db.example:5432/postgres');
    });
  });
});
