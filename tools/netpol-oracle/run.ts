/*
 * The NetworkPolicy differential test of `npm run test:diff` (tools/test-diff.ts):
 * generates N random clusters (cluster i from seed S + i), asks cyclonus (the
 * Go oracle in this folder, built once and cached) and Cellplane's analyzer
 * about every ordered pod pair on every probed port and protocol, and fails
 * on any disagreement that no known difference explains.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
import { cacheDir, ensureGoOracle, streamJsonLines } from '../oracles';

const HERE = __dirname;
const TEST = 'NetworkPolicy differential test';

/** Streams the clusters through the oracle; calls `onAnswer` with each answer, in order. */
function askOracle(binary: string, clusters: Iterable<RandomCluster>, onAnswer: (answer: ClusterVerdicts) => void): Promise<void> {
  function* inputs() {
    for (const { id, namespaces, pods, networkPolicies, probes } of clusters) yield { id, namespaces, pods, networkPolicies, probes };
  }
  return streamJsonLines<ClusterVerdicts>(binary, [], inputs(), onAnswer);
}

/** Runs the NetworkPolicy differential; false when it fails, undefined when skipped. */
export async function runNetpolDiff({ clusters, seed }: { clusters: number; seed: number }): Promise<boolean | undefined> {
  const known = JSON.parse(fs.readFileSync(path.join(HERE, 'known-differences.json'), 'utf8')) as KnownDifference[];
  const fileProblems = checkKnownDifferences(known);
  if (fileProblems.length > 0) throw new Error(`tools/netpol-oracle/known-differences.json:\n  ${fileProblems.join('\n  ')}`);

  const buildStarted = Date.now();
  const binary = await ensureGoOracle({
    source: HERE,
    binary: 'netpol-oracle',
    test: TEST,
    what: "cyclonus's engine (once; about 1.5 min cold)",
    cache: cacheDir('netpol-oracle', process.env.CELLPLANE_NETPOL_ORACLE_CACHE),
  });
  if (!binary) return undefined;
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
  if (tally.unexplained.length === 0 && tally.errors.length === 0) return true;

  for (const e of tally.errors.slice(0, 20)) process.stdout.write(`ERROR ${e}\n`);
  for (const d of tally.unexplained.slice(0, 20)) {
    process.stdout.write(
      `DISAGREE ${d.cluster}: ${d.from} -> ${d.to} on ${d.port}/${d.protocol}: analyzer ${d.ours ? 'allows' : 'denies'}, cyclonus ${
        d.oracle ? 'allows' : 'denies'
      }` + ` (reproduce: npm run test:diff -- --only netpol --clusters 1 --seed ${d.seed})\n`,
    );
  }
  const seeds = [...new Set(tally.unexplained.map(d => d.seed))].slice(0, 20);
  if (seeds.length > 0) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-diff-'));
    for (const s of seeds) fs.writeFileSync(path.join(dir, `seed-${s}.json`), `${JSON.stringify(generateCluster(s), null, 2)}\n`);
    process.stdout.write(`the clusters of the first ${seeds.length} disagreeing seeds: ${dir}\n`);
  }
  process.stdout.write('FAIL: every disagreement must be fixed, or explained by a rule in tools/netpol-oracle/known-differences.json\n');
  return false;
}
