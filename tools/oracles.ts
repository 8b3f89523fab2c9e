/*
 * What the three differential tests of `npm run test:diff` share: CI
 * detection, the skip banner (a missing toolchain skips a developer's run and
 * fails under CI=true), and the Go oracles' build, once per source version,
 * into ~/.cache/cellplane/<name>/<key>/ (like tools/kube-testenv).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);

export function isCi(): boolean {
  return !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
}

/** $XDG_CACHE_HOME or ~/.cache, /cellplane/<name>; `override` (an environment variable's value) wins. */
export function cacheDir(name: string, override?: string): string {
  if (override) return override;
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cellplane', name);
}

/** A test that cannot run: under CI a failure, else a loud skip (returns undefined). */
export function cannotRun(test: string, reason: string, fix: string): undefined {
  if (isCi()) throw new Error(`cannot run the ${test}: ${reason}. ${fix}`);
  const banner = '!'.repeat(78);
  process.stderr.write(`\n${banner}\n! SKIPPING the ${test}: ${reason}\n! ${fix} Under CI=true this is a failure.\n${banner}\n\n`);
  return undefined;
}

/** Changes exactly when what gets built changes: go.mod, go.sum and the Go sources of `dir`. */
export function goBuildKey(dir: string): string {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(dir).sort()) {
    if (file === 'go.mod' || file === 'go.sum' || file.endsWith('.go'))
      hash
        .update(`${file}\0`)
        .update(fs.readFileSync(path.join(dir, file)))
        .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function goEnv(): NodeJS.ProcessEnv {
  // No toolchain download, no go.mod edits: the pins in git are what gets built.
  return { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false', CGO_ENABLED: '0' };
}

export interface GoOracle {
  /** Folder with main.go, go.mod, go.sum. */
  source: string;
  binary: string;
  /** For messages: "the NetworkPolicy differential test". */
  test: string;
  /** For messages: "cyclonus's engine (about 1.5 min cold)". */
  what: string;
  cache: string;
}

/** Builds are serialised across the oracles of one run: two cold Go builds at once would need twice the memory. */
let building: Promise<unknown> = Promise.resolve();

/** The oracle binary for these sources: from the cache, else built into it (undefined: no Go here, and not CI). */
export async function ensureGoOracle(o: GoOracle): Promise<string | undefined> {
  const dir = path.join(o.cache, goBuildKey(o.source));
  const binary = path.join(dir, o.binary);
  if (fs.existsSync(binary)) return binary;
  try {
    await execFileAsync('go', ['version'], { env: goEnv() });
  } catch (error) {
    return cannotRun(
      o.test,
      `the go command failed to start (${(error as Error).message.split('\n')[0]})`,
      `Install Go (see ${path.relative(process.cwd(), o.source)}/go.mod).`,
    );
  }
  const previous = building;
  let done!: () => void;
  building = new Promise<void>(resolve => (done = resolve));
  await previous;
  try {
    if (fs.existsSync(binary)) return binary;
    // Built aside and renamed into place: a stopped build leaves nothing half-done.
    const work = `${dir}.building-${process.pid}`;
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    const started = Date.now();
    process.stderr.write(`[${o.binary}] building ${o.what} into ${dir}\n`);
    try {
      await execFileAsync('nice', ['go', 'build', '-trimpath', '-ldflags=-s -w', '-o', path.join(work, o.binary), '.'], {
        cwd: o.source,
        env: goEnv(),
        maxBuffer: 64 * 1024 * 1024,
      }).catch(error => {
        throw new Error(`go build failed in ${o.source}:\n${error.stderr || error.message}`);
      });
      try {
        fs.renameSync(work, dir);
      } catch (error) {
        // Another run finished the same build first; use its copy.
        if (!fs.existsSync(binary)) throw error;
        fs.rmSync(work, { recursive: true, force: true });
      }
    } catch (error) {
      fs.rmSync(work, { recursive: true, force: true });
      throw error;
    }
    process.stderr.write(`[${o.binary}] built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return binary;
  } finally {
    done();
  }
}

/** Runs a line-per-case JSON oracle over `cases`; `onAnswer` gets each parsed answer, in order. */
export async function streamJsonLines<T>(binary: string, args: string[], cases: Iterable<unknown>, onAnswer: (answer: T) => void): Promise<void> {
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
  const reading = (async () => {
    for await (const line of lines) if (line) onAnswer(JSON.parse(line) as T);
  })();
  for (const c of cases) {
    if (!child.stdin.write(`${JSON.stringify(c)}\n`)) {
      await new Promise(resolve => child.stdin.once('drain', resolve));
    }
  }
  child.stdin.end();
  await reading;
  const code = await exited;
  if (code !== 0) throw new Error(`${path.basename(binary)} exited with code ${code}`);
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Prints each disagreement (the first 20) with how to reproduce it, and writes
 * the inputs of the first 20 disagreeing seeds to a temporary folder.
 */
export function reportDisagreements<D extends { id: string; seed: number }>(
  what: string,
  errors: string[],
  disagreements: D[],
  describe: (d: D) => string,
  reproduce: (seed: number) => string,
  dump: (seed: number) => unknown,
): void {
  for (const e of errors.slice(0, 20)) process.stdout.write(`ERROR ${e}\n`);
  for (const d of disagreements.slice(0, 20)) process.stdout.write(`DISAGREE ${d.id}: ${describe(d)} (reproduce: ${reproduce(d.seed)})\n`);
  const seeds = [...new Set(disagreements.map(d => d.seed))].slice(0, 20);
  if (seeds.length === 0) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${what}-diff-`));
  for (const s of seeds) fs.writeFileSync(path.join(dir, `seed-${s}.json`), `${JSON.stringify(dump(s), null, 2)}\n`);
  process.stdout.write(`the inputs of the first ${seeds.length} disagreeing seeds: ${dir}\n`);
}
