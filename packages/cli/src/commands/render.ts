import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { cellFileName, toYaml } from '@cellplane/cells-common';
import { compileCatalog, EGRESS_FILE_NAME, loadCatalog } from '../lib/catalog';
import { InputError } from '../lib/readDocuments';
import { Output } from '../lib/output';

export interface RenderOptions {
  env?: string;
  out?: string;
  config?: string[];
}

/** Compiles and returns the files to write (path -> YAML), or throws InputError. */
export function renderCatalog(paths: string[], options: RenderOptions, warn: (message: string) => void = () => {}): Map<string, string> {
  const catalog = loadCatalog(paths, options.config);
  const { settings } = catalog;
  if (options.env && !settings.environments.some(e => e.name === options.env)) {
    throw new InputError(`--env ${options.env}: no such environment; configured: ${settings.environments.map(e => e.name).join(', ')}`);
  }
  const files = new Map<string, string>();
  const compiled = compileCatalog(catalog, options.env);
  for (const cell of compiled.cells) {
    // <cell>.yaml for the default catalog namespace, <namespace>.<cell>.yaml otherwise: never one file for two cells.
    files.set(path.join(cell.environment, cellFileName(cell.cell)), toYaml(cell.objects));
  }
  for (const egress of compiled.egress) {
    files.set(path.join(egress.environment, EGRESS_FILE_NAME), toYaml(egress.objects));
    egress.warnings.forEach(w => warn(`warning: ${egress.environment}: ${w}\n`));
  }
  return files;
}

export function registerRender(program: Command, output: Output): void {
  program
    .command('render')
    .description('compile catalog entities into cell manifests (multi-document YAML)')
    .argument('<paths...>', 'catalog YAML files or directories')
    .option('--env <name>', 'only this environment')
    .option(
      '--out <dir>',
      'write <dir>/<environment>/<cell>.yaml (<namespace>.<cell>.yaml outside the default catalog namespace, _egress.yaml for the platform egress namespace) instead of printing',
    )
    .option('--config <file>', 'app-config file with a `cells:` section (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .action((paths: string[], options: RenderOptions) => {
      // Everything is compiled before anything is written: bad input writes nothing.
      const files = renderCatalog(paths, options, message => output.stderr(message));
      if (!options.out) {
        output.stdout([...files.values()].join('---\n'));
        return;
      }
      for (const [file, yaml] of files) {
        const target = path.join(options.out, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, yaml);
      }
      output.stderr(`wrote ${files.size} files under ${options.out}\n`);
    });
}
