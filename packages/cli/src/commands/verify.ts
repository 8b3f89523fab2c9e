import { Command } from 'commander';
import { createSimulation, formatViolation, KubeObject, verifySimulation, VerifyReport } from '@cellplane/cells-common';
import { compileCatalog, loadCatalog } from '../lib/catalog';
import { Output } from '../lib/output';
import { readDocuments } from '../lib/readDocuments';
import { environmentsToCheck } from '../lib/results';

interface VerifyOptions {
  env?: string;
  manifests?: string[];
  config?: string[];
  json?: boolean;
}

export function registerVerify(program: Command, output: Output): void {
  program
    .command('verify')
    .description('compile the catalog and check that the manifests allow exactly what it declares')
    .argument('<paths...>', 'catalog YAML files or directories')
    .option('--env <name>', 'only this environment (default: every configured one)')
    .option('--config <file>', 'app-config file with a `cells:` section (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--manifests <paths...>', 'check these manifests (e.g. a rendered GitOps folder) instead of compiling afresh')
    .option('--json', 'print JSON')
    .action((paths: string[], options: VerifyOptions) => {
      const catalog = loadCatalog(paths, options.config);
      const { model, settings } = catalog;
      // Given manifests are judged as they are: an edit there that widens a cell shows up here.
      const given = options.manifests ? (readDocuments(options.manifests).map(d => d.value) as KubeObject[]) : undefined;
      const reports: VerifyReport[] = environmentsToCheck(settings, options.env, !given).map(env => {
        // A catalog the compiler refuses (a contested namespace or route) fails like any bad input.
        const result = compileCatalog(catalog, env);
        const compiled = [...result.cells.flatMap(c => c.objects), ...result.egress.flatMap(e => e.objects)];
        return verifySimulation(createSimulation(model, settings, env, given ?? compiled));
      });
      const ok = reports.every(r => r.violations.length === 0);
      if (options.json) {
        output.stdout(`${JSON.stringify({ ok, environments: reports }, null, 2)}\n`);
      } else {
        for (const r of reports) {
          output.stdout(`${r.environment}: ${r.checks} requests checked, ${r.violations.length} violations\n`);
          r.violations.forEach(v => output.stdout(`  ${formatViolation(v)}\n`));
          r.notes.forEach(n => output.stdout(`  note: ${n}\n`));
        }
        output.stdout(ok ? 'OK: the manifests allow exactly what the catalog declares.\n' : 'FAILED: the manifests and the catalog disagree (see above).\n');
      }
      if (!ok) process.exitCode = 1;
    });
}
