import { Command } from 'commander';
import { cellEnforcement, classifyTraffic, createSimulation, enforcedEverywhere, TRAFFIC_CLASSES, wouldBreak } from '@cellplane/cells-common';
import { loadCatalog } from '../lib/catalog';
import { Output } from '../lib/output';
import { environmentsToCheck } from '../lib/results';
import { describeBreak, describeEdge, describeRead, describeUnjudged, readTrafficArg, trafficWindow, TrafficWindowOptions } from '../lib/traffic';

interface TrafficOptions extends TrafficWindowOptions {
  source: string;
  env?: string;
  config?: string[];
  json?: boolean;
}

const CLASS_TITLES: Record<(typeof TRAFFIC_CLASSES)[number], string> = {
  'declared-seen': 'declared and seen',
  'declared-unused': 'declared, not seen (tightening candidates)',
  'undeclared-allowed': 'seen, allowed, not declared (the policies are wider than the catalog, or drift)',
  denied: 'denied',
};

export function registerTraffic(program: Command, output: Output): void {
  program
    .command('traffic')
    .description('classify observed calls against the catalog, and list those its compiled enforce-mode policies would deny (also for cells in audit)')
    .argument('<paths...>', 'catalog YAML files or directories')
    .requiredOption('--source <source>', 'a `hubble observe -o jsonpb` export, or a Prometheus URL with Istio metrics')
    .option('--since <duration>', 'the window: this long before --until (e.g. 1h, 24h, 7d)', '7d')
    .option('--until <time>', 'the end of the window, an ISO time (default: now)')
    .option('--resolution <duration>', 'Prometheus: the finest query step, at least twice the scrape interval (default 1m)')
    .option('--env <name>', 'environment (default: the first configured)')
    .option('--config <file>', 'app-config file with a `cells:` section (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--json', 'print JSON (times in epoch milliseconds)')
    .action(async (paths: string[], options: TrafficOptions) => {
      const { model, settings } = loadCatalog(paths, options.config);
      const [environment] = environmentsToCheck(settings, options.env);
      const window = trafficWindow(options);
      const read = await readTrafficArg(options.source, model, settings, window, options);
      const classified = classifyTraffic(model, settings, { environment, window, edges: read.edges, before: read.before });
      // Judged against the enforce-mode manifests: a cell in audit applies nothing that denies, so this is what enforcing it would break.
      const enforced = enforcedEverywhere(model, settings);
      const breaks = wouldBreak(createSimulation(enforced.model, enforced.settings, environment), read.edges);
      const auditing = model.cells.filter(c => c.environments.includes(environment) && cellEnforcement(c, settings, environment) === 'audit').map(c => c.name);
      if (options.json) {
        const strip = <T extends { edge: object }>(x: T) => ({ ...x, edge: { ...x.edge, source: undefined, destination: undefined } });
        output.stdout(
          `${JSON.stringify(
            {
              source: read.source,
              skipped: read.skipped,
              ...classified,
              audit: auditing,
              wouldBreak: breaks.wouldBreak.map(strip),
              unjudged: breaks.unjudged.map(strip),
            },
            null,
            2,
          )}\n`,
        );
        return;
      }
      const lines = [`${environment}: ${describeRead(read)}`];
      for (const cls of TRAFFIC_CLASSES) {
        const edges = classified.edges.filter(e => e.class === cls);
        lines.push(`${edges.length} ${CLASS_TITLES[cls]}:`);
        for (const e of edges) {
          const seen =
            e.count > 0
              ? `${e.count} calls, last ${new Date(e.lastSeen!).toISOString()}`
              : `last seen ${e.lastSeen === undefined ? 'never' : new Date(e.lastSeen).toISOString()}`;
          const flags = [e.suspicious ? 'SUSPICIOUS' : '', e.cellLevel ? 'cell level (HBONE)' : '', e.class === 'denied' && e.declared ? 'declared' : '']
            .filter(Boolean)
            .join(', ');
          lines.push(`  ${describeEdge(model, e)}: ${seen}${flags ? ` [${flags}]` : ''}${e.reasons.length ? ` (${e.reasons.join('; ')})` : ''}`);
        }
      }
      const inAudit = auditing.length ? ` (in audit: ${auditing.join(', ')})` : '';
      lines.push(`${breaks.wouldBreak.length} observed calls would break under the compiled enforce-mode policies${inAudit}:`);
      breaks.wouldBreak.forEach(w => lines.push(`  ! ${describeBreak(model, w)}`));
      if (breaks.unjudged.length) {
        lines.push(`${breaks.unjudged.length} observed calls could not be judged:`);
        breaks.unjudged.forEach(u => lines.push(`  ? ${describeUnjudged(model, u)}`));
      }
      output.stdout(`${lines.join('\n')}\n`);
    });
}
