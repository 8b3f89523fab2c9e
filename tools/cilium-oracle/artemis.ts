/*
 * The compiled Artemis example in Cilium mode through Cilium's own policy
 * engine: every ordered pair of pods on every port a component serves (and
 * 15008), Cilium's L3/L4 verdict against the analyzer's. No known difference
 * applies: the compiler's policies must mean what the analyzer says.
 */
import { artemisCiliumClusters } from '../../plugins/cells-common/src/testing/cilium/artemis';
import { compareCiliumCluster, emptyCiliumTally, formatCiliumTally } from '../../plugins/cells-common/src/testing/cilium/compare';
import { seconds } from '../oracles';
import { askCilium, ciliumOracle, printCiliumFailures } from './run';

export async function runArtemisCilium(): Promise<boolean | undefined> {
  const binary = await ciliumOracle();
  if (!binary) return undefined;
  const started = Date.now();
  const clusters = artemisCiliumClusters();
  const tally = emptyCiliumTally([]);
  await askCilium(binary, clusters, (c, answer) => compareCiliumCluster(c, answer, tally, {}));
  process.stdout.write(
    `Compiled Artemis CiliumNetworkPolicies: the analyzer vs Cilium's policy repository, every pod pair on every served port\n` +
      `${clusters.length} environment(s), ${clusters.reduce((n, c) => n + c.policies.length, 0)} policies; compared in ${seconds(
        Date.now() - started,
      )}\n${formatCiliumTally(tally)}\n`,
  );
  if (tally.unexplained.length === 0 && tally.errors.length === 0 && tally.total > 0) return true;
  printCiliumFailures(
    tally,
    () => 'npm run test:diff -- --only cilium',
    () => clusters,
  );
  process.stdout.write('FAIL: the compiled Cilium policies must mean in Cilium exactly what the analyzer says\n');
  return false;
}
