import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';

/*
 * A throwaway PostgreSQL server for the storage tests: Debian's packaged
 * binaries (tools/install.sh installs them), a fresh data directory, a free
 * loopback port, no Docker. The jest global setup starts one per test run and
 * hands it to Backstage's TestDatabases through its connection-string
 * variable, so each test still gets a database of its own.
 */

/** Set by the global setup when it skipped the PostgreSQL tests (outside CI only): why. */
export const POSTGRES_UNAVAILABLE_ENV = 'CELLPLANE_TEST_POSTGRES_UNAVAILABLE';
/** Overrides where initdb and postgres are looked for. */
export const POSTGRES_BINDIR_ENV = 'CELLPLANE_POSTGRES_BINDIR';

/** The PostgreSQL ids TestDatabases knows, newest first, and the variable naming a running server for each. */
const POSTGRES_IDS = [
  'POSTGRES_18',
  'POSTGRES_17',
  'POSTGRES_16',
  'POSTGRES_15',
  'POSTGRES_14',
  'POSTGRES_13',
  'POSTGRES_12',
  'POSTGRES_11',
  'POSTGRES_9',
] as const;
export type PostgresTestDatabaseId = (typeof POSTGRES_IDS)[number];

export function connectionStringEnv(id: PostgresTestDatabaseId): string {
  return `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`;
}

/** The PostgreSQL ids whose server is named in the environment (by the global setup, or by you). */
export function configuredPostgresIds(): PostgresTestDatabaseId[] {
  return POSTGRES_IDS.filter(id => !!process.env[connectionStringEnv(id)]);
}

/**
 * The ids to hand to `TestDatabases.create`: SQLite and every PostgreSQL
 * named in the environment. Only those: under CI, an id without a connection
 * string would make TestDatabases reach for Docker.
 */
export function storageTestDatabaseIds(): Array<PostgresTestDatabaseId | 'SQLITE_3'> {
  return [...configuredPostgresIds(), 'SQLITE_3'];
}

/** No usable PostgreSQL binaries or system user: a skip outside CI, a failure under CI. */
export class PostgresUnavailableError extends Error {}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** Major version, e.g. 15. */
  major: number;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * initdb and postgres from $CELLPLANE_POSTGRES_BINDIR, else the newest
 * /usr/lib/postgresql/<major>/bin (Debian's layout: these are not on PATH),
 * else PATH.
 */
export function findPostgresBinaries(): PostgresBinaries {
  const candidates: string[] = [];
  if (process.env[POSTGRES_BINDIR_ENV]) candidates.push(process.env[POSTGRES_BINDIR_ENV]!);
  else {
    const debianRoot = '/usr/lib/postgresql';
    const majors = fs.existsSync(debianRoot)
      ? fs
          .readdirSync(debianRoot)
          .filter(name => /^\d+$/.test(name))
          .sort((a, b) => Number(b) - Number(a))
      : [];
    candidates.push(...majors.map(major => path.join(debianRoot, major, 'bin')));
    candidates.push(...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean));
  }
  const bindir = candidates.find(dir => isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'postgres')));
  if (!bindir) {
    throw new PostgresUnavailableError(
      `no PostgreSQL server binaries (initdb, postgres) in ${candidates.length ? candidates.join(', ') : '(nothing)'}; ` +
        `run tools/install.sh (it installs Debian's postgresql package) or set ${POSTGRES_BINDIR_ENV}`,
    );
  }
  const postgres = path.join(bindir, 'postgres');
  const version = execFileSync(postgres, ['--version'], { encoding: 'utf8' });
  const major = Number(version.match(/\(PostgreSQL\)\s+(\d+)/)?.[1]);
  if (!major) throw new PostgresUnavailableError(`cannot read the version of ${postgres}: ${version.trim()}`);
  return { initdb: path.join(bindir, 'initdb'), postgres, major };
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` system user the package created. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new PostgresUnavailableError(
      'running as root and there is no `postgres` system user to run PostgreSQL as (PostgreSQL refuses root); ' +
        "run tools/install.sh (Debian's postgresql package creates it)",
    );
  }
}

export interface TestPostgres {
  id: PostgresTestDatabaseId;
  connectionString: string;
  workDir: string;
  process: ChildProcess;
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The environment for initdb and postgres: ours without PG* variables that would redirect them. */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C', LANG: 'C' };
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG') && !key.startsWith('LC_') && key !== 'LANG') env[key] = value;
  }
  return env;
}

/** A free TCP port on 127.0.0.1, as the kernel hands one out. */
async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export const quietKnexLog = {
  warn() {},
  error() {},
  deprecate() {},
  debug() {},
};

/** Polls until the server answers a query; fails at once, with the log's tail, if it exits first. */
async function waitUntilAccepting(server: ChildProcess, connection: Knex.PgConnectionConfig, options: { logFile: string; timeoutMs: number }): Promise<void> {
  const { logFile, timeoutMs } = options;
  const deadline = Date.now() + timeoutMs;
  const db = knexFactory({
    client: 'pg',
    connection,
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: 2000,
    // Refused connections are expected until it is up: not worth a log line each.
    log: quietKnexLog,
  });
  try {
    for (;;) {
      if (server.exitCode !== null || server.signalCode !== null) {
        const how = server.exitCode ?? server.signalCode;
        throw new Error(`postgres exited (${how}) before it was ready; ${logFile}:\n${tail(logFile)}`);
      }
      if (
        await db.raw('select 1').then(
          () => true,
          () => false,
        )
      )
        return;
      if (Date.now() > deadline) {
        throw new Error(`postgres was not ready after ${timeoutMs / 1000} s; ${logFile}:\n${tail(logFile)}`);
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  } finally {
    await db.destroy();
  }
}

/** Kills servers this process started if it exits without stopping them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * initdb into a fresh temp dir, then postgres on a free loopback port (TCP
 * only, no fsync: the data is thrown away), with a password-protected
 * superuser `cellplane_test` (TestDatabases creates a database per test).
 * Resolves once it accepts connections; on failure nothing is left behind.
 */
export async function startTestPostgres(options: { log?: (message: string) => void; readyTimeoutMs?: number } = {}): Promise<TestPostgres> {
  const { log = () => {}, readyTimeoutMs = 60_000 } = options;
  const binaries = findPostgresBinaries();
  const id = `POSTGRES_${binaries.major}` as PostgresTestDatabaseId;
  if (!POSTGRES_IDS.includes(id)) {
    throw new PostgresUnavailableError(`PostgreSQL ${binaries.major} (${binaries.postgres}) is not a version TestDatabases knows (${POSTGRES_IDS.join(', ')})`);
  }
  const owner = serverUser();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-postgres-'));
  let child: ChildProcess | undefined;
  try {
    const dataDir = path.join(workDir, 'data');
    const passwordFile = path.join(workDir, 'password');
    const logFile = path.join(workDir, 'postgres.log');
    const password = randomBytes(18).toString('hex');
    fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    fs.writeFileSync(logFile, '');
    if (owner) for (const file of [workDir, passwordFile, logFile]) fs.chownSync(file, owner.uid, owner.gid);
    const asOwner = { cwd: workDir, env: serverEnv(), ...(owner ?? {}) };

    const user = 'cellplane_test';
    const started = Date.now();
    try {
      execFileSync(
        binaries.initdb,
        [`--pgdata=${dataDir}`, `--username=${user}`, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync'],
        { ...asOwner, stdio: ['ignore', 'pipe', 'pipe'] },
      );
    } catch (error: any) {
      throw new Error(`initdb failed: ${error.stderr?.toString() || error.message}`);
    }
    log(`initdb ${dataDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const port = await freeLoopbackPort();
    const out = fs.openSync(logFile, 'a');
    child = spawn(
      binaries.postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        // Throwaway data: durability costs time and buys nothing here.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'shared_buffers=32MB',
        // TestDatabases gives every test database a pool of its own.
        '-c',
        'max_connections=300',
      ],
      { ...asOwner, stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
    const server = child;
    running.add(server);
    server.once('exit', () => running.delete(server));
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => running.forEach(c => c.kill('SIGKILL')));
    }

    const connection = {
      host: '127.0.0.1',
      port,
      user,
      password,
      database: 'postgres',
    };
    await waitUntilAccepting(server, connection, {
      logFile,
      timeoutMs: readyTimeoutMs,
    });
    log(`PostgreSQL ${binaries.major} ready on 127.0.0.1:${port} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return {
      id,
      connectionString: `postgresql://${user}:${password}@127.0.0.1:${port}/postgres`,
      workDir,
      process: server,
    };
  } catch (error) {
    if (child) await stopServer(child);
    fs.rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}

/** Fast shutdown (SIGINT: disconnects clients, no waiting for them), SIGKILL after a grace period. */
async function stopServer(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(resolve => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops the server and deletes its data directory. */
export async function stopTestPostgres(server: TestPostgres): Promise<void> {
  await stopServer(server.process);
  fs.rmSync(server.workDir, { recursive: true, force: true });
}

function isCi(): boolean {
  return !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
}

declare global {
  // eslint-disable-next-line no-var
  var cellplaneTestPostgres: TestPostgres | undefined;
}

/**
 * Jest global setup: one PostgreSQL server for the whole test run, named to
 * TestDatabases (and the test workers, which inherit the environment) by its
 * connection-string variable. A server already named there is used as it is.
 * Under CI a server that cannot start fails the run; elsewhere the PostgreSQL
 * tests are skipped, loudly, and SQLite still runs.
 */
export async function postgresGlobalSetup(): Promise<void> {
  if (configuredPostgresIds().length > 0 || process.env[POSTGRES_UNAVAILABLE_ENV]) return;
  const log = (message: string) => process.stderr.write(`[test-postgres] ${message}\n`);
  try {
    const server = await startTestPostgres({ log });
    globalThis.cellplaneTestPostgres = server;
    process.env[connectionStringEnv(server.id)] = server.connectionString;
  } catch (error) {
    if (isCi()) {
      throw new Error(`cannot start the test PostgreSQL (under CI=true this fails the run): ${(error as Error).message}`);
    }
    const reason = (error as Error).message;
    process.env[POSTGRES_UNAVAILABLE_ENV] = reason;
    const banner = '!'.repeat(78);
    process.stderr.write(
      `\n${banner}\n! SKIPPING the PostgreSQL storage tests (SQLite still runs): ${reason}\n` +
        `! Run tools/install.sh to install PostgreSQL. Under CI=true this is a failure.\n${banner}\n\n`,
    );
  }
}

/** Stops the server this run's global setup started (never one it was handed). */
export async function postgresGlobalTeardown(): Promise<void> {
  const server = globalThis.cellplaneTestPostgres;
  if (!server) return;
  globalThis.cellplaneTestPostgres = undefined;
  delete process.env[connectionStringEnv(server.id)];
  await stopTestPostgres(server);
}
