/*
 * `npm run test:diff [-- --clusters N --seed S]`: the NetworkPolicy
 * differential test. Generates N random clusters (cluster i from seed S + i),
 * asks cyclonus (the Go oracle in this folder, built once and cached) and
 * Cellplane's analyzer about every ordered pod pair on every probed port and
 * protocol, and fails on any disagreement that no known difference explains.
 * Run with node -r @backstage/cli/config/nodeTransform.cjs (as the root script does).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import {
  analyzerVerdicts,
  checkKnownDifferences,
  ClusterVerdicts,
  compareCluster,
  emptyTally,
  formatTally,
  KnownDifference,
  SELF_CHECK,
} from '../../plugins/cells-common/src/testing/netpol/compare';
import { generateCluster, RandomCluster } from '../../plugins/cells-common/src/testing/netpol/generator';

const execFileAsync = promisify(execFile);
const HERE = __dirname;
const BINARY = 'netpol-oracle';

function isCi(): boolean {
  return !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
}

function parseArgs(argv: string[]): { clusters: number; seed: number } {
  const options = { clusters: 300, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if ((flag === '--clusters' || flag === '--seed') && Number.isInteger(value) && value >= (flag === '--clusters' ? 1 : 0)) {
      options[flag === '--clusters' ? 'clusters' : 'seed'] = value;
      i++;
    } else {
      throw new Error(`unknown or invalid argument ${JSON.stringify(flag)}; usage: --clusters N (>= 1, default 300) --seed S (>= 0, default 1)`);
    }
  }
  return options;
}

/** $CELLPLANE_NETPOL_ORACLE_CACHE, else $XDG_CACHE_HOME or ~/.cache, /cellplane/netpol-oracle. */
function cacheDir(): string {
  if (process.env.CELLPLANE_NETPOL_ORACLE_CACHE) return process.env.CELLPLANE_NETPOL_ORACLE_CACHE;
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cellplane', 'netpol-oracle');
}

/** Changes exactly when what gets built changes: go.mod, go.sum and the Go sources. */
function buildKey(): string {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(HERE).sort()) {
    if (file === 'go.mod' || file === 'go.sum' || file.endsWith('.go')) hash.update(`${file}\0`).update(fs.readFileSync(path.join(HERE, file))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function goEnv(): NodeJS.ProcessEnv {
  // No toolchain download, no go.mod edits: the pins in git are what gets built.
  return { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false', CGO_ENABLED: '0' };
}

/** The oracle binary for these sources: from the cache, else built into it (undefined: no Go here, and not CI). */
async function ensureOracle(): Promise<string | undefined> {
  const dir = path.join(cacheDir(), buildKey());
  const binary = path.join(dir, BINARY);
  if (fs.existsSync(binary)) return binary;
  try {
    await execFileAsync('go', ['version'], { env: goEnv() });
  } catch (error) {
    const reason = `the go command failed to start (${(error as Error).message.split('\n')[0]})`;
    if (isCi()) throw new Error(`cannot build the NetworkPolicy oracle: ${reason}. Install Go (see tools/netpol-oracle/go.mod).`);
    const banner = '!'.repeat(78);
    process.stderr.write(`\n${banner}\n! SKIPPING the NetworkPolicy differential test: ${reason}\n! Install Go to run it. Under CI=true this is a failure.\n${banner}\n\n`);
    return undefined;
  }
  // Built aside and renamed into place: a stopped build leaves nothing half-done.
  const work = `${dir}.building-${process.pid}`;
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const started = Date.now();
  process.stderr.write(`[netpol-oracle] building cyclonus's engine (once; about 1.5 min cold) into ${dir}\n`);
  try {
    await execFileAsync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', path.join(work, BINARY), '.'], { cwd: HERE, env: goEnv(), maxBuffer: 64 * 1024 * 1024 }).catch(error => {
      throw new Error(`go build failed in ${HERE}:\n${error.stderr || error.message}`);
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
  process.stderr.write(`[netpol-oracle] built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return binary;
}

/** Streams the clusters through the oracle; calls `onAnswer` with each answer, in order. */
async function askOracle(binary: string, clusters: Iterable<RandomCluster>, onAnswer: (answer: ClusterVerdicts) => void): Promise<void> {
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
  const reading = (async () => {
    for await (const line of lines) if (line) onAnswer(JSON.parse(line));
  })();
  for (const c of clusters) {
    const { id, namespaces, pods, networkPolicies, probes } = c;
    if (!child.stdin.write(`${JSON.stringify({ id, namespaces, pods, networkPolicies, probes })}\n`)) {
      await new Promise(resolve => child.stdin.once('drain', resolve));
    }
  }
  child.stdin.end();
  await reading;
  const code = await exited;
  if (code !== 0) throw new Error(`the oracle exited with code ${code}`);
}

async function main(): Promise<number> {
  const { clusters, seed } = parseArgs(process.argv.slice(2));
  const known = JSON.parse(fs.readFileSync(path.join(HERE, 'known-differences.json'), 'utf8')) as KnownDifference[];
  const fileProblems = checkKnownDifferences(known);
  if (fileProblems.length > 0) throw new Error(`tools/netpol-oracle/known-differences.json:\n  ${fileProblems.join('\n  ')}`);

  const buildStarted = Date.now();
  const binary = await ensureOracle();
  if (!binary) return 0;
  const oracleReady = Date.now();

  // The oracle must give the hand-worked verdicts before its other answers count.
  let selfCheck: ClusterVerdicts | undefined;
  await askOracle(binary, [SELF_CHECK.cluster], answer => (selfCheck = answer));
  if (JSON.stringify(selfCheck?.verdicts) !== JSON.stringify(SELF_CHECK.expected)) {
    throw new Error(`the oracle fails its self-check: expected ${JSON.stringify(SELF_CHECK.expected)}, got ${JSON.stringify(selfCheck)}`);
  }

  const tally = emptyTally();
  const pending: RandomCluster[] = [];
  let analyzerMs = 0;
  function* generated() {
    for (let i = 0; i < clusters; i++) {
      const c = generateCluster(seed + i);
      pending.push(c);
      yield c;
    }
  }
  await askOracle(binary, generated(), answer => {
    const cluster = pending.shift();
    if (!cluster || cluster.id !== answer.id) throw new Error(`the oracle answered ${answer.id} out of order (expected ${cluster?.id})`);
    const started = Date.now();
    const ours = analyzerVerdicts(cluster);
    analyzerMs += Date.now() - started;
    compareCluster(cluster, ours, answer, tally);
  });
  const done = Date.now();

  process.stdout.write(
    `NetworkPolicy differential test: Cellplane's analyzer vs cyclonus v0.5.6 (tools/netpol-oracle)\n` +
      `seeds ${seed}..${seed + clusters - 1}; oracle ready in ${((oracleReady - buildStarted) / 1000).toFixed(1)} s; ` +
      `compared in ${((done - oracleReady) / 1000).toFixed(1)} s (analyzer ${(analyzerMs / 1000).toFixed(1)} s)\n` +
      `${formatTally(tally, known)}\n`,
  );
  if (tally.unexplained.length === 0 && tally.errors.length === 0) return 0;

  for (const e of tally.errors.slice(0, 20)) process.stdout.write(`ERROR ${e}\n`);
  for (const d of tally.unexplained.slice(0, 20)) {
    process.stdout.write(
      `DISAGREE ${d.cluster}: ${d.from} -> ${d.to} on ${d.port}/${d.protocol}: analyzer ${d.ours ? 'allows' : 'denies'}, cyclonus ${d.oracle ? 'allows' : 'denies'}` +
        ` (reproduce: npm run test:diff -- --clusters 1 --seed ${d.seed})\n`,
    );
  }
  const seeds = [...new Set(tally.unexplained.map(d => d.seed))].slice(0, 20);
  if (seeds.length > 0) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-diff-'));
    for (const s of seeds) fs.writeFileSync(path.join(dir, `seed-${s}.json`), `${JSON.stringify(generateCluster(s), null, 2)}\n`);
    process.stdout.write(`the clusters of the first ${seeds.length} disagreeing seeds: ${dir}\n`);
  }
  process.stdout.write('FAIL: every disagreement must be fixed, or explained by a rule in tools/netpol-oracle/known-differences.json\n');
  return 1;
}

main().then(
  code => process.exit(code),
  error => {
    process.stderr.write(`test:diff: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
