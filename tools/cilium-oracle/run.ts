/*
 * The CiliumNetworkPolicy differential test of `npm run test:diff`: random
 * clusters (plugins/cells-common/src/testing/cilium) judged by Cilium's own
 * policy repository and flow lookup (cilium-oracle, built once and cached)
 * and by the analyzer, every ordered pair of endpoints on every probed port.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CILIUM_KNOWN_DIFFERENCE_RULES,
  CILIUM_SELF_CHECK,
  CiliumTally,
  CiliumVerdicts,
  compareCiliumCluster,
  emptyCiliumTally,
  formatCiliumTally,
} from '../../plugins/cells-common/src/testing/cilium/compare';
import { CiliumCluster, generateCiliumCluster } from '../../plugins/cells-common/src/testing/cilium/generator';
import { cacheDir, ensureGoOracle, reportDisagreements, seconds, streamJsonLines } from '../oracles';

const HERE = __dirname;
const TEST = 'CiliumNetworkPolicy differential test';

/** What cilium-oracle prints for a cluster. */
interface OracleLine extends Omit<CiliumVerdicts, 'rejected'> {
  rejected?: { policy: string; error: string }[];
}

export function ciliumOracle(): Promise<string | undefined> {
  return ensureGoOracle({
    source: HERE,
    binary: 'cilium-oracle',
    test: TEST,
    what: "Cilium's policy engine (once; about 6 min and 1.4 GB cold on 2 cores)",
    cache: cacheDir('cilium-oracle', process.env.CELLPLANE_CILIUM_ORACLE_CACHE),
  });
}

/** Cilium's verdicts for the clusters, in order. */
export async function askCilium(binary: string, clusters: CiliumCluster[], onAnswer: (c: CiliumCluster, v: CiliumVerdicts) => void): Promise<void> {
  let next = 0;
  const inputs = clusters.map(({ id, namespaces, pods, externals, policies, probes }) => ({ id, namespaces, pods, externals, policies, probes }));
  await streamJsonLines<OracleLine>(binary, [], inputs, line => {
    const c = clusters[next++];
    if (!c || c.id !== line.id) throw new Error(`cilium-oracle answered ${line.id} out of order (expected ${c?.id})`);
    onAnswer(c, { ...line, rejected: (line.rejected ?? []).map(r => r.policy) });
  });
}

export function printCiliumFailures(tally: CiliumTally, reproduce: (seed: number) => string, dump: (seed: number) => unknown): void {
  reportDisagreements(
    'cilium',
    tally.errors,
    tally.unexplained,
    d =>
      d.policy
        ? `policy ${d.policy} is refused by ${d.refusedBy === 'cilium' ? 'Cilium but not the analyzer' : 'the analyzer but accepted by Cilium'}`
        : `${d.from} -> ${d.to} on ${d.port}/${d.protocol}: analyzer ${d.ours ? 'allows' : 'denies'}, Cilium ${d.oracle ? 'allows' : 'denies'}`,
    reproduce,
    dump,
  );
}

/** Runs the random Cilium differential; false when it fails, undefined when skipped. */
export async function runCiliumDiff({ clusters, seed }: { clusters: number; seed: number }): Promise<boolean | undefined> {
  // Each entry (id, rule, reason, which side Cilium's documentation takes, evidence) needs its rewrite rule, and each rule its entry.
  const known = JSON.parse(fs.readFileSync(path.join(HERE, 'known-differences.json'), 'utf8')) as { id: string }[];
  const ids = known.map(k => k.id).sort();
  if (JSON.stringify(ids) !== JSON.stringify(Object.keys(CILIUM_KNOWN_DIFFERENCE_RULES).sort())) {
    throw new Error(
      `tools/cilium-oracle/known-differences.json lists ${JSON.stringify(ids)} but the rules are ${JSON.stringify(Object.keys(CILIUM_KNOWN_DIFFERENCE_RULES))}`,
    );
  }
  const started = Date.now();
  const binary = await ciliumOracle();
  if (!binary) return undefined;
  // The oracle must give the hand-worked verdicts before its other answers count.
  let selfCheck: CiliumVerdicts | undefined;
  await askCilium(binary, [CILIUM_SELF_CHECK.cluster], (_, answer) => (selfCheck = answer));
  if (JSON.stringify(selfCheck?.verdicts) !== JSON.stringify(CILIUM_SELF_CHECK.expected) || selfCheck?.rejected.length) {
    throw new Error(`the Cilium oracle fails its self-check: expected ${JSON.stringify(CILIUM_SELF_CHECK.expected)}, got ${JSON.stringify(selfCheck)}`);
  }
  const ready = Date.now();
  const tally = emptyCiliumTally();
  const generated = Array.from({ length: clusters }, (_, i) => generateCiliumCluster(seed + i));
  await askCilium(binary, generated, (c, answer) => compareCiliumCluster(c, answer, tally));
  process.stdout.write(
    `CiliumNetworkPolicy differential test: Cellplane's analyzer vs Cilium v1.20.2's policy repository (tools/cilium-oracle)\n` +
      `seeds ${seed}..${seed + clusters - 1}; oracle ready in ${seconds(ready - started)}; compared in ${seconds(Date.now() - ready)}\n${formatCiliumTally(
        tally,
      )}\n`,
  );
  if (tally.unexplained.length === 0 && tally.errors.length === 0) return true;
  printCiliumFailures(
    tally,
    s => `npm run test:diff -- --only cilium --cilium-clusters 1 --seed ${s}`,
    s => generateCiliumCluster(s),
  );
  process.stdout.write('FAIL: every disagreement must be fixed, or explained by a rule in tools/cilium-oracle/known-differences.json\n');
  return false;
}
