import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import {
  buildEvidenceBundle,
  buildEvidencePack,
  bundleMarkdown,
  EnvironmentEvidence,
  EvidenceBundle,
  EvidenceInputError,
  evidenceJson,
  evidenceMarkdown,
  EvidencePack,
  KubeObject,
  MarkdownOptions,
} from '@cellplane/cells-common';
import { evidencePdf } from '@cellplane/cells-report';
import { loadCatalog } from '../lib/catalog';
import { InputError, readDocuments } from '../lib/readDocuments';
import { Output } from '../lib/output';
import { environmentsToCheck } from '../lib/results';

const FORMATS = ['json', 'md', 'pdf'] as const;
type Format = (typeof FORMATS)[number];

interface ReportOptions {
  cell?: string;
  owner?: string;
  all?: boolean;
  format: string;
  out?: string;
  env?: string;
  config?: string[];
  manifests?: string[];
}

/**
 * The pack's time: now, or SOURCE_DATE_EPOCH (seconds) when set, the
 * reproducible-builds convention, so the same catalog gives the same bytes.
 */
export function reportTime(env: NodeJS.ProcessEnv = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined) return new Date().toISOString();
  if (!/^\d+$/.test(epoch)) throw new InputError(`SOURCE_DATE_EPOCH=${epoch}: not a number of seconds`);
  return new Date(Number(epoch) * 1000).toISOString();
}

/** What the report is about, from --cell, --owner or --all (exactly one). */
function scopeOf(options: ReportOptions): { cell: string } | { owner: string } | { all: true } {
  const given = [options.cell !== undefined, options.owner !== undefined, options.all === true].filter(Boolean).length;
  if (given !== 1) throw new InputError('name what to report on with exactly one of --cell <name>, --owner <group> or --all');
  if (options.cell !== undefined) return { cell: options.cell };
  if (options.owner !== undefined) return { owner: options.owner };
  return { all: true };
}

/** The file a PDF goes to without --out: `<cell>.evidence.pdf`, `<owner>.evidence.pdf` or `cells.evidence.pdf`. */
function defaultPdfName(value: EvidencePack | EvidenceBundle): string {
  if (value.kind === 'cellplane.io/evidence-pack') return `${value.cell.name}.evidence.pdf`;
  const name = 'owner' in value.scope ? value.scope.owner.split('/').pop()! : 'cells';
  return `${name}.evidence.pdf`;
}

/** Markdown written to a file gets each diagram as an .svg file beside it, linked by its relative name. */
function writeMarkdown(value: EvidencePack | EvidenceBundle, out: string): string[] {
  const base = out.replace(/\.md$/i, '');
  const written: string[] = [];
  const options: MarkdownOptions = {
    diagramLink: (pack: EvidencePack, env: EnvironmentEvidence) => {
      const file = `${base}.${pack.cell.name}.${env.environment}.svg`;
      fs.writeFileSync(file, env.diagram.svg);
      written.push(file);
      return encodeURI(path.basename(file));
    },
  };
  const text = value.kind === 'cellplane.io/evidence-pack' ? evidenceMarkdown(value, options) : bundleMarkdown(value, options);
  fs.writeFileSync(out, text);
  return [out, ...written];
}

export function registerReport(program: Command, output: Output): void {
  program
    .command('report')
    .description("write a cell's evidence pack: register of allowed flows, data-flow diagram, matrices, verification (docs/evidence.md)")
    .argument('<paths...>', 'catalog YAML files or directories')
    .option('--cell <name>', 'the cell (its name, or system:<namespace>/<name>)')
    .option('--owner <group>', 'every cell this group owns (e.g. group:default/houston-flight-ops)')
    .option('--all', 'every cell')
    .option('--format <format>', `${FORMATS.join(', ')}`, 'md')
    .option('--out <file>', 'write here (default: JSON and Markdown to stdout, PDF to <cell>.evidence.pdf)')
    .option('--env <name>', 'only this environment (default: every environment of the cell)')
    .option('--config <file>', 'app-config file with a `cells:` section (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--manifests <paths...>', 'judge these manifests (e.g. a rendered GitOps folder) instead of compiling afresh; one environment (--env or the first)')
    .action(async (paths: string[], options: ReportOptions) => {
      if (!(FORMATS as readonly string[]).includes(options.format)) {
        throw new InputError(`--format ${options.format}: use one of ${FORMATS.join(', ')}`);
      }
      const format = options.format as Format;
      const scope = scopeOf(options);
      const { model, settings, titles } = loadCatalog(paths, options.config);
      let environments = options.env === undefined ? undefined : environmentsToCheck(settings, options.env);
      let objects: Record<string, KubeObject[]> | undefined;
      if (options.manifests) {
        // Given manifests are one environment's: judged as they are, an edit that widens a cell shows up here.
        environments = environments ?? environmentsToCheck(settings, undefined);
        objects = { [environments[0]]: readDocuments(options.manifests).map(d => d.value) as KubeObject[] };
      }
      const common = { generatedAt: reportTime(), version: program.version() ?? 'unknown', titles, objects, environments, trigger: 'cli' };
      let value: EvidencePack | EvidenceBundle;
      try {
        value = 'cell' in scope ? buildEvidencePack(model, settings, scope.cell, common) : buildEvidenceBundle(model, settings, scope, common);
      } catch (e) {
        if (e instanceof EvidenceInputError) throw new InputError(e.message);
        throw e;
      }
      const packs = value.kind === 'cellplane.io/evidence-pack' ? [value] : value.packs;
      const summary = packs
        .map(p => `${p.cell.name}: ${p.summary.result.toUpperCase()}, ${p.summary.flows} flows, ${p.summary.differences} differences`)
        .join('\n');

      if (format === 'pdf') {
        const file = options.out ?? defaultPdfName(value);
        fs.writeFileSync(file, await evidencePdf(value));
        output.stderr(`${summary}\nwrote ${file}\n`);
      } else if (options.out && format === 'json') {
        fs.writeFileSync(options.out, evidenceJson(value));
        output.stderr(`${summary}\nwrote ${options.out}\n`);
      } else if (options.out) {
        output.stderr(`${summary}\nwrote ${writeMarkdown(value, options.out).join(', ')}\n`);
      } else if (format === 'json') {
        output.stdout(evidenceJson(value));
      } else {
        output.stdout(value.kind === 'cellplane.io/evidence-pack' ? evidenceMarkdown(value) : bundleMarkdown(value));
      }
    });
}
