import { Entity } from '@backstage/catalog-model';
import { compareText } from '../order';
import { ProblemList, isRecord } from './fields';

/**
 * The keys of every object Cellplane owns, one table per object, by the field
 * path of the object (`[]` for each entry of a list). Cellplane reads exactly
 * these keys; any other key in such an object is an error, so a misspelled
 * field (`metod`, `visiblity`) fails loudly instead of being ignored (an
 * ignored `methods` would mean "every method"). A new field is added here and
 * in the parser that reads it.
 */
export const CELL_OBJECT_KEYS = {
  'spec.cell': ['environments', 'members', 'egress', 'enforcement'],
  'spec.cell.members[]': ['namespace', 'owner'],
  'spec.cell.egress': ['hosts', 'cidrs', 'platform'],
  'spec.egress[]': ['host', 'cidr', 'platform', 'except', 'port', 'ports', 'protocol', 'methods', 'paths', 'reason'],
  'spec.endpoints[]': ['name', 'port', 'protocol', 'visibility', 'operations', 'auth', 'rateLimit'],
  'spec.endpoints[].auth': ['provider', 'audiences', 'claims'],
  'spec.endpoints[].rateLimit': ['requests', 'per', 'by'],
  'spec.connections[]': ['to', 'endpoint', 'methods', 'paths', 'operations', 'reason'],
  'spec.allowFrom[]': ['component', 'system', 'endpoint', 'methods', 'paths', 'reason'],
  'spec.metrics': ['port', 'path', 'scrapedBy'],
} satisfies Record<string, readonly string[]>;

export type CellObject = keyof typeof CELL_OBJECT_KEYS;

/**
 * The top-level `spec` keys Cellplane reads, by entity kind (lower case).
 * A spec is open (other plugins add their own keys), so an unknown top-level
 * key is an error only when it is a near miss of one of these.
 */
export const CELLPLANE_SPEC_KEYS: Record<string, readonly string[]> = {
  component: ['endpoints', 'connections', 'allowFrom', 'egress', 'metrics', 'system', 'owner'],
  system: ['cell', 'owner'],
  // Cellplane reads no field of an API; a typo of `system` or `owner` detaches
  // it from its cell's System and team just as silently. Not `endpoints`:
  // `spec.endpoint` is a plausible key of another plugin on an API, and a false
  // alarm would keep the API out of the catalog.
  api: ['system', 'owner'],
};

/**
 * Spec keys of Backstage's own kinds (catalog-model's descriptors, all kinds
 * together): a key here is never a typo, however close to one of Cellplane's.
 */
export const BACKSTAGE_SPEC_KEYS: readonly string[] = [
  'type',
  'lifecycle',
  'owner',
  'system',
  'domain',
  'subcomponentOf',
  'subdomainOf',
  'providesApis',
  'consumesApis',
  'dependsOn',
  'dependencyOf',
  'definition',
  'profile',
  'parent',
  'children',
  'members',
  'memberOf',
  'target',
  'targets',
  'presence',
  'parameters',
  'steps',
  'output',
];

/** How far a key may be from a known one to count as its misspelling. */
export const MAX_TYPO_DISTANCE = 2;

/**
 * Known keys of at most this many letters admit one edit only: two edits of
 * `cell` reach `ceph`, `cert` or `calls`, plausible keys of other plugins.
 */
const SHORT_KEY_LENGTH = 4;

/**
 * The optimal-string-alignment (restricted Damerau-Levenshtein) distance:
 * insertions, deletions, substitutions and swaps of two adjacent characters
 * each cost one edit, so `onwer` is one edit from `owner`.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[i].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2][j - 2] + 1);
      }
      rows[i].push(best);
    }
  }
  return rows[a.length][b.length];
}

/** How many edits still make `key` a misspelling of `known`. */
function typoBudget(known: string): number {
  return known.length <= SHORT_KEY_LENGTH ? 1 : MAX_TYPO_DISTANCE;
}

/**
 * The known key that `key` most likely misspells: the nearest within its
 * budget (case differences count as edits), ties broken by text order so the
 * answer is the same everywhere. Undefined when none is near.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key, candidate);
    if (distance === 0 || distance > typoBudget(candidate)) continue;
    if (!best || distance < best.distance || (distance === best.distance && compareText(candidate, best.key) < 0)) {
      best = { key: candidate, distance };
    }
  }
  return best?.key;
}

/** A key Cellplane will not read, and the known key it probably meant. */
export interface UnknownKey {
  key: string;
  suggestion?: string;
}

/** The keys of a Cellplane-owned object that are not in its table, in the object's order. */
export function unknownKeys(keys: readonly string[], known: readonly string[]): UnknownKey[] {
  return keys
    .filter(key => !known.includes(key))
    .map(key => {
      const suggestion = closestKey(key, known);
      return suggestion ? { key, suggestion } : { key };
    });
}

/**
 * The top-level spec keys that look like a misspelling of a key Cellplane
 * reads: not Backstage's, not Cellplane's, and near one of Cellplane's. Every
 * other key is left to its own plugin.
 */
export function misspelledSpecKeys(keys: readonly string[], cellplaneKeys: readonly string[]): Required<UnknownKey>[] {
  const out: Required<UnknownKey>[] = [];
  for (const key of keys) {
    if (cellplaneKeys.includes(key) || BACKSTAGE_SPEC_KEYS.includes(key)) continue;
    const suggestion = closestKey(key, cellplaneKeys);
    if (suggestion) out.push({ key, suggestion });
  }
  return out;
}

/** The fix of an unknown key: the key it probably misspells, else every allowed key. */
function unknownKeyFix({ suggestion }: UnknownKey, known: readonly string[]): string {
  return suggestion ? `did you mean \`${suggestion}\`? Rename the field` : `use only ${known.join(', ')}`;
}

/**
 * Reports every unknown key of the Cellplane-owned object `value` found at
 * `field` (e.g. `spec.connections[1]`), checked against its table. Returns
 * whether there were any, so the caller can leave the object out.
 */
export function checkObjectKeys(list: ProblemList, field: string, value: Record<string, unknown>, object: CellObject): boolean {
  const known = CELL_OBJECT_KEYS[object];
  const unknown = unknownKeys(Object.keys(value), known);
  for (const entry of unknown) {
    list.add(`${field}.${entry.key}`, `unknown field ${JSON.stringify(entry.key)}`, unknownKeyFix(entry, known));
  }
  return unknown.length > 0;
}

/**
 * Reports the top-level spec keys of a Component, System or API that look
 * like misspellings of Cellplane's (`conections`: its calls would silently
 * vanish). Any entity may carry them, cell or not: a component whose only
 * Cellplane field is misspelled would otherwise not look like a cell
 * component at all.
 */
export function checkSpecKeys(list: ProblemList, entity: Entity): void {
  const cellplaneKeys = CELLPLANE_SPEC_KEYS[entity.kind.toLowerCase()];
  if (!cellplaneKeys || !isRecord(entity.spec)) return;
  for (const { key, suggestion } of misspelledSpecKeys(Object.keys(entity.spec), cellplaneKeys)) {
    list.add(
      `spec.${key}`,
      `unknown field ${JSON.stringify(key)} is a near miss of \`${suggestion}\` (a misspelled field would be ignored)`,
      `did you mean \`${suggestion}\`? Rename the field`,
    );
  }
}

/** Whether an entity has a top-level spec key that looks like a misspelling of Cellplane's. */
export function hasMisspelledSpecKey(entity: Entity): boolean {
  const list = new ProblemList('');
  checkSpecKeys(list, entity);
  return list.problems.length > 0;
}
