/*
 * `npm run test:diff`: the analyzer against each layer's own engine.
 *   NetworkPolicy        cyclonus's matcher          tools/netpol-oracle
 *   AuthorizationPolicy  Istio's builder in Envoy    tools/authz-oracle (random sets, then the compiled Artemis)
 *   CiliumNetworkPolicy  Cilium's policy repository  tools/cilium-oracle (random clusters, then the compiled Artemis)
 * Options: --only netpol|l7|cilium (repeatable), --clusters N (NetworkPolicy,
 * default 300), --cases N (L7, default 1000), --cilium-clusters N (default 1000),
 * --seed S (default 1). Run with node -r @backstage/cli/config/nodeTransform.cjs.
 */
import { runArtemisL7 } from './authz-oracle/artemis';
import { runL7Diff } from './authz-oracle/run';
import { runArtemisCilium } from './cilium-oracle/artemis';
import { runCiliumDiff } from './cilium-oracle/run';
import { runNetpolDiff } from './netpol-oracle/run';
import { seconds } from './oracles';

const ORACLES = ['netpol', 'l7', 'cilium'] as const;
type OracleName = (typeof ORACLES)[number];

interface Options {
  only: Set<OracleName>;
  clusters: number;
  cases: number;
  ciliumClusters: number;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { only: new Set(), clusters: 300, cases: 1000, ciliumClusters: 1000, seed: 1 };
  const counts: Record<string, 'clusters' | 'cases' | 'ciliumClusters' | 'seed'> = {
    '--clusters': 'clusters',
    '--cases': 'cases',
    '--cilium-clusters': 'ciliumClusters',
    '--seed': 'seed',
  };
  const usage = 'usage: --only netpol|l7|cilium --clusters N --cases N --cilium-clusters N --seed S';
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--only' && (ORACLES as readonly string[]).includes(value)) {
      options.only.add(value as OracleName);
    } else if (flag in counts && Number.isInteger(Number(value)) && Number(value) >= (flag === '--seed' ? 0 : 1)) {
      options[counts[flag]] = Number(value);
    } else {
      throw new Error(`unknown or invalid argument ${JSON.stringify(flag)} ${JSON.stringify(value ?? '')}; ${usage}`);
    }
    i++;
  }
  if (options.only.size === 0) ORACLES.forEach(o => options.only.add(o));
  return options;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const steps: [OracleName, string, () => Promise<boolean | undefined>][] = [
    ['netpol', 'NetworkPolicy vs cyclonus', () => runNetpolDiff({ clusters: options.clusters, seed: options.seed })],
    ['l7', 'AuthorizationPolicy vs Istio in Envoy', () => runL7Diff({ cases: options.cases, seed: options.seed })],
    ['l7', 'compiled Artemis AuthorizationPolicies vs Istio in Envoy', runArtemisL7],
    ['cilium', 'CiliumNetworkPolicy vs Cilium', () => runCiliumDiff({ clusters: options.ciliumClusters, seed: options.seed })],
    ['cilium', 'compiled Artemis CiliumNetworkPolicies vs Cilium', runArtemisCilium],
  ];
  const summary: string[] = [];
  let failed = false;
  for (const [oracle, name, run] of steps) {
    if (!options.only.has(oracle)) continue;
    const started = Date.now();
    const passed = await run();
    process.stdout.write('\n');
    failed ||= passed === false;
    summary.push(`  ${passed === undefined ? 'SKIPPED' : passed ? 'ok     ' : 'FAILED '} ${name} (${seconds(Date.now() - started)})`);
  }
  process.stdout.write(`test:diff summary:\n${summary.join('\n')}\n`);
  return failed ? 1 : 0;
}

main().then(
  code => process.exit(code),
  error => {
    process.stderr.write(`test:diff: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
