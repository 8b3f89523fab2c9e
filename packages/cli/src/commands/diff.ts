import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import {
  AccessChange,
  accessDiffMarkdown,
  AccessDiffView,
  AccessInput,
  brokenByChange,
  createSimulation,
  diffAccess,
  KubeObject,
} from '@cellplane/cells-common';
import { loadCatalog } from '../lib/catalog';
import { InputError, readDocuments } from '../lib/readDocuments';
import { Output } from '../lib/output';
import { environmentsToCheck } from '../lib/results';
import { describeBreak, describeRead, describeUnjudged, readTrafficArg, trafficWindow, TrafficWindowOptions } from '../lib/traffic';

interface DiffOptions extends TrafficWindowOptions {
  traffic?: string;
  failOnBreak?: boolean;
  env?: string;
  config?: string[];
  catalog?: string[];
  git?: string;
  json?: boolean;
  markdown?: boolean;
  failOnWiden?: boolean;
}

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  } catch (e: any) {
    throw new InputError(
      `git ${args.join(' ')} (in ${cwd}): ${
        String(e.stderr ?? e.message)
          .trim()
          .split('\n')[0]
      }`,
    );
  }
}

/** Copies the YAML files of `folder` as of `rev` into a temporary directory (the working tree is not touched). */
function checkoutFolder(folder: string, rev: string, into: string): string {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) throw new InputError(`--git: ${folder} is not a folder`);
  const top = git(folder, ['rev-parse', '--show-toplevel']).trim();
  const prefix = path.relative(top, path.resolve(folder));
  const files = git(top, ['ls-tree', '-r', '-z', '--name-only', rev, '--', prefix || '.'])
    .split('\0')
    .filter(f => /\.ya?ml$/i.test(f));
  const root = path.join(into, rev.replace(/[^A-Za-z0-9._-]/g, '_'));
  fs.mkdirSync(root, { recursive: true });
  for (const file of files) {
    const target = path.join(root, path.relative(prefix, file));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, git(top, ['show', `${rev}:${file}`]));
  }
  return root;
}

function readManifests(target: string): KubeObject[] {
  return readDocuments([target]).map(d => {
    const o = d.value as KubeObject;
    if (typeof o !== 'object' || o === null || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
      throw new InputError(`${d.file}: document ${d.index + 1} is not a Kubernetes object (it needs kind and metadata.name)`);
    }
    return o;
  });
}

function requests(n: number): string {
  return n === 1 ? '1 request' : `${n} requests`;
}

function text(diff: AccessDiffView, environment: string): string {
  const lines = [`${environment}: ${requests(diff.added.length)} newly allowed, ${diff.removed.length} no longer allowed`];
  const detail = (c: AccessChange) => (c.layer ? ` [${c.layer}${c.policies?.length ? `: ${c.policies.join(', ')}` : ''}]` : '');
  diff.added.forEach(c => lines.push(`  + ${c.text}${detail(c)}`));
  diff.removed.forEach(c => lines.push(`  - ${c.text}${detail(c)}`));
  return `${lines.join('\n')}\n`;
}

/** The observed calls the change breaks: allowed by the manifests before it, denied by those after (cells-common's brokenByChange). */
async function observedBreaks(source: string, sides: [AccessInput, AccessInput], environment: string, options: TrafficWindowOptions) {
  const [was, now] = sides;
  // The traffic was observed on what runs now: attributed by the catalog before the change.
  const read = await readTrafficArg(source, was.model, was.settings, trafficWindow(options), options);
  const report = brokenByChange(
    createSimulation(was.model, was.settings, environment, was.objects),
    createSimulation(now.model, now.settings, environment, now.objects),
    read.edges,
  );
  const lines = [
    `observed traffic: ${describeRead(read)}`,
    `${report.wouldBreak.length} observed calls would break, ${report.alreadyDenied} already denied before the change`,
  ];
  report.wouldBreak.forEach(w => lines.push(`  ! ${describeBreak(now.model, w)}`));
  report.unjudged.forEach(u => lines.push(`  ? ${describeUnjudged(now.model, u)}`));
  // A table cell: Markdown's specials and `|`, which would end the cell, escaped.
  const cell = (v: string) => v.replace(/[\\`*_[\]<>|~]/g, c => `\\${c}`);
  const rows = report.wouldBreak.map(w => `| ${cell(describeBreak(now.model, w))} |`);
  const strip = <T extends { edge: object }>(x: T) => ({ ...x, edge: { ...x.edge, source: undefined, destination: undefined } });
  return {
    text: `${lines.join('\n')}\n`,
    markdown: `\n### Observed calls this change would break: ${report.wouldBreak.length}\n\n${
      rows.length ? `| Call |\n|---|\n${rows.join('\n')}\n` : 'None of the observed calls.\n'
    }`,
    json: {
      source: read.source,
      window: read.window,
      wouldBreak: report.wouldBreak.map(strip),
      unjudged: report.unjudged.map(strip),
      alreadyDenied: report.alreadyDenied,
    },
  };
}

export function registerDiff(program: Command, output: Output): void {
  program
    .command('diff')
    .description('every request newly allowed or no longer allowed between two catalogs, manifest sets or git revisions')
    .argument('<paths...>', '<before> <after>: catalog YAML files or folders (or manifest folders with --catalog); with --git, one folder')
    .option('--catalog <paths...>', 'compare two folders of manifests (e.g. rendered GitOps folders) for the components of this catalog')
    .option('--git <rev1..rev2>', 'compare one folder at two git revisions')
    .option('--env <name>', 'environment (default: the first configured)')
    .option('--config <file>', 'app-config file with a `cells:` section (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--json', 'print {"added": [...], "removed": [...]}')
    .option('--markdown', 'print a Markdown table (for a pull-request comment)')
    .option('--fail-on-widen', 'exit 1 when any request is newly allowed')
    .option('--traffic <source>', 'also list the observed calls the change would break: a `hubble observe -o jsonpb` export or a Prometheus URL')
    .option('--since <duration>', 'with --traffic: the window, this long before --until (e.g. 24h, 7d)', '7d')
    .option('--until <time>', 'with --traffic: the end of the window, an ISO time (default: now)')
    .option('--resolution <duration>', 'with --traffic and Prometheus: the finest query step (default 1m)')
    .option('--fail-on-break', 'with --traffic: exit 1 when an observed call would break')
    .action(async (paths: string[], options: DiffOptions) => {
      if (options.json && options.markdown) throw new InputError('give at most one of --json and --markdown');
      let before: string;
      let after: string;
      let tmp: string | undefined;
      try {
        if (options.git !== undefined) {
          const revs = options.git.split('..');
          if (revs.length !== 2 || !revs[0] || !revs[1]) throw new InputError(`--git ${options.git}: write <rev1>..<rev2>, e.g. origin/main..HEAD`);
          if (paths.length !== 1) throw new InputError(`--git takes one folder, got ${paths.length} paths`);
          tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cellplane-diff-'));
          before = checkoutFolder(paths[0], revs[0], path.join(tmp, 'before'));
          after = checkoutFolder(paths[0], revs[1], path.join(tmp, 'after'));
        } else {
          if (paths.length !== 2) throw new InputError(`give two paths, <before> <after> (got ${paths.length}), or one folder with --git <rev1>..<rev2>`);
          [before, after] = paths;
        }
        let sides: [AccessInput, AccessInput];
        if (options.catalog) {
          // Manifests judged as they are, with the catalog's components as the callers and callees.
          const { model, settings } = loadCatalog(options.catalog, options.config);
          sides = [
            { model, settings, objects: readManifests(before) },
            { model, settings, objects: readManifests(after) },
          ];
        } else {
          const [was, now] = [before, after].map(p => loadCatalog([p], options.config));
          sides = [
            { model: was.model, settings: was.settings },
            { model: now.model, settings: now.settings },
          ];
        }
        const [environment] = environmentsToCheck(sides[1].settings, options.env);
        const diff = diffAccess(sides[0], sides[1], { environment });
        const traffic = options.traffic ? await observedBreaks(options.traffic, sides, environment, options) : undefined;
        if (options.json) output.stdout(`${JSON.stringify(traffic ? { ...diff, traffic: traffic.json } : diff, null, 2)}\n`);
        else if (options.markdown) output.stdout(accessDiffMarkdown(diff, { title: `Access changes (${environment})` }) + (traffic?.markdown ?? ''));
        else output.stdout(text(diff, environment) + (traffic?.text ?? ''));
        if (options.failOnBreak && traffic && traffic.json.wouldBreak.length > 0) {
          output.stderr(`cellplane: ${traffic.json.wouldBreak.length} observed calls would break (--fail-on-break)\n`);
          process.exitCode = 1;
        }
        if (options.failOnWiden && diff.added.length > 0) {
          output.stderr(`cellplane: access widens: ${requests(diff.added.length)} newly allowed (--fail-on-widen)\n`);
          process.exitCode = 1;
        }
      } finally {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
      }
    });
}
