import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ANNOTATION_LOCATION, Entity, parseLocationRef } from '@backstage/catalog-model';
import { CellModel, CellsSettings, cellEnforcement, compareText } from '@cellplane/cells-common';
import type { NewAuditEvent, NewHistoryEntry } from '../storage';

const run = promisify(execFile);

/**
 * What a Cellplane template writes on the entity it changes
 * (plugins/scaffolder-backend-module-cells): who ran it, why, the change's
 * link, and the task's id, which tells a new template change from the
 * annotations an earlier one left behind.
 */
export const CHANGE_BY = 'cellplane.io/change-by';
export const CHANGE_REASON = 'cellplane.io/change-reason';
export const CHANGE_LINK = 'cellplane.io/change-link';
export const CHANGE_ID = 'cellplane.io/change-id';

/** Who made an access change, its link and why, as far as known. */
export interface Attribution {
  by?: string;
  link?: string;
  reason?: string;
}

/** The template change an entity's annotations record, if any. */
export function templateChange(entity: Entity | undefined): (Attribution & { id: string }) | undefined {
  const annotations = entity?.metadata.annotations ?? {};
  const by = annotations[CHANGE_BY];
  if (!by) return undefined;
  return {
    id: annotations[CHANGE_ID] ?? `${by}|${annotations[CHANGE_LINK] ?? ''}|${annotations[CHANGE_REASON] ?? ''}`,
    by,
    ...(annotations[CHANGE_LINK] ? { link: annotations[CHANGE_LINK] } : {}),
    ...(annotations[CHANGE_REASON] ? { reason: annotations[CHANGE_REASON] } : {}),
  };
}

/** The local file an entity was read from (a `file:` location), if any. */
function localFile(entity: Entity | undefined): string | undefined {
  const location = entity?.metadata.annotations?.[ANNOTATION_LOCATION];
  if (!location) return undefined;
  try {
    const { type, target } = parseLocationRef(location);
    return type === 'file' ? path.resolve(target) : undefined;
  } catch {
    return undefined;
  }
}

/** A commit's web page when the work tree's origin is an https repository (GitHub, GitLab, Gitea all use /commit/<sha>). */
function commitLink(origin: string, sha: string): string {
  const web = origin.trim().replace(/\.git$/, '');
  return /^https:\/\/[^\s@]+$/.test(web) ? `${web}/commit/${sha}` : sha;
}

/**
 * The author and commit of a catalog file's last commit, when the file lies
 * in a git work tree and has no uncommitted edits (an uncommitted edit is
 * nobody's commit: nothing is claimed). The commit's subject is its reason.
 */
export async function gitAttribution(file: string): Promise<Attribution | undefined> {
  const cwd = path.dirname(file);
  const git = (args: string[]) => run('git', args, { cwd, timeout: 10_000 }).then(r => r.stdout);
  try {
    if ((await git(['status', '--porcelain', '--', file])).trim() !== '') return undefined;
    const [author, sha, subject] = (await git(['log', '-1', '--format=%an <%ae>%x1f%H%x1f%s', '--', file])).trim().split('\x1f');
    if (!sha) return undefined;
    const origin = await git(['remote', 'get-url', 'origin']).catch(() => '');
    return { by: author, link: commitLink(origin, sha), ...(subject ? { reason: subject } : {}) };
  } catch {
    // Not a work tree, or git is missing: the change stays unattributed.
    return undefined;
  }
}

/**
 * Attributes the access changes of a pass (docs/evidence.md): an entity the
 * change touched that carries a template change not attributed before gives
 * who, link and reason; otherwise a touched entity read from a file in a git
 * work tree gives its last commit's author, commit and subject. Entities are
 * tried in ref order; the first that knows wins.
 */
export class ChangeAttribution {
  /**
   * The template change each entity carried at the last pass of each
   * environment (`<environment>|<entity ref>`): older annotations are not a
   * new change. Per environment, as each environment's pass runs on its own
   * (and possibly on another replica).
   */
  private readonly seen = new Map<string, string>();

  constructor(private readonly options: { git?: (file: string) => Promise<Attribution | undefined> } = {}) {}

  /** Attributes the entries of one environment's pass, then counts every entity's current template change as seen there. */
  async attribute(environment: string, entries: NewHistoryEntry[], entities: Map<string, Entity>): Promise<void> {
    const commits = new Map<string, Promise<Attribution | undefined>>();
    const lastCommit = (file: string) => {
      if (!commits.has(file)) commits.set(file, (this.options.git ?? gitAttribution)(file));
      return commits.get(file)!;
    };
    for (const entry of entries) {
      if (entry.cause.kind !== 'entity-change') continue;
      const refs = entry.cause.entities.map(e => e.entityRef).sort(compareText);
      let found: Attribution | undefined;
      for (const ref of refs) {
        const change = templateChange(entities.get(ref));
        if (change && this.seen.get(`${environment}|${ref}`) !== change.id) {
          found = change;
          break;
        }
      }
      for (const ref of found ? [] : refs) {
        const file = localFile(entities.get(ref));
        found = file ? await lastCommit(file) : undefined;
        if (found) break;
      }
      if (found) Object.assign(entry, { by: found.by, link: found.link, reason: found.reason });
      for (const key of ['by', 'link', 'reason'] as const) if (entry[key] === undefined) delete entry[key];
    }
    for (const [ref, entity] of entities) {
      const change = templateChange(entity);
      if (change) this.seen.set(`${environment}|${ref}`, change.id);
      else this.seen.delete(`${environment}|${ref}`);
    }
  }
}

/** The cells whose enforcement (audit or enforce) a pass changed, as audit events naming who changed it. */
export function enforcementEvents(
  entries: NewHistoryEntry[],
  before: CellModel | undefined,
  after: CellModel,
  settings: CellsSettings,
): Omit<NewAuditEvent, 'at'>[] {
  if (!before) return [];
  return entries.flatMap(entry => {
    const was = before.cells.find(c => c.ref === entry.entityRef);
    const now = after.cells.find(c => c.ref === entry.entityRef);
    if (!was || !now) return [];
    const from = cellEnforcement(was, settings, entry.environment);
    const to = cellEnforcement(now, settings, entry.environment);
    if (from === to) return [];
    return [
      {
        action: 'enforcement-change',
        entityRef: entry.entityRef,
        environment: entry.environment,
        actor: entry.by ?? 'catalog',
        outcome: 'succeeded' as const,
        detail: { from, to, ...(entry.link ? { link: entry.link } : {}), ...(entry.reason ? { reason: entry.reason } : {}) },
      },
    ];
  });
}
