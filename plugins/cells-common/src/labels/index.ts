/**
 * Kubernetes label selectors, written once and used by every analyzer layer
 * (NetworkPolicy, Cilium, PeerAuthentication, AuthorizationPolicy, Services).
 *
 * A selector is validated and compiled once; matching a compiled selector is a
 * plain function call, so the matrix can run it millions of times.
 */

export * from './keys';

export type Labels = Readonly<Record<string, string>>;

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** A validated selector; `matches` is safe to call in hot loops. */
export interface CompiledSelector {
  /** The selector as written (after validation). */
  readonly source: LabelSelector;
  /** True when the selector has no requirement at all (`{}`): it selects everything. */
  readonly selectsAll: boolean;
  /** The keys the selector mentions, for callers that treat some keys specially. */
  readonly keys: readonly string[];
  matches(labels: Labels): boolean;
}

/** A problem found while reading a selector: the field path and what is wrong. */
export interface SelectorProblem {
  field: string;
  message: string;
}

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Optional key rewriting, e.g. Cilium's `k8s:` source prefix. */
export type KeyTransform = (key: string) => string;

interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: ReadonlySet<string>;
}

function requirementMatches(req: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  switch (req.operator) {
    case 'In':
      return has && req.values.has(labels[req.key]);
    case 'NotIn':
      // Kubernetes: NotIn also matches objects that do not carry the key.
      return !has || !req.values.has(labels[req.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/**
 * Validates and compiles a `metav1.LabelSelector`. Returns problems instead of
 * guessing: an unknown operator, `In` without values, a non-string label value.
 * `value === undefined` is NOT accepted here; callers decide what absence means.
 */
export function compileSelector(
  value: unknown,
  field: string,
  transformKey: KeyTransform = k => k,
): { selector?: CompiledSelector; problems: SelectorProblem[] } {
  const problems: SelectorProblem[] = [];
  if (!isPlainObject(value)) {
    return {
      problems: [{ field, message: 'must be a label selector object' }],
    };
  }
  const requirements: Requirement[] = [];
  const source: LabelSelector = {};
  const { matchLabels, matchExpressions } = value;
  for (const key of Object.keys(value)) {
    if (key !== 'matchLabels' && key !== 'matchExpressions') {
      problems.push({
        field: `${field}.${key}`,
        message: 'unknown field in a label selector (only matchLabels and matchExpressions)',
      });
    }
  }
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isPlainObject(matchLabels)) {
      problems.push({ field: `${field}.matchLabels`, message: 'must be a map of strings' });
    } else {
      source.matchLabels = {};
      for (const [key, labelValue] of Object.entries(matchLabels)) {
        if (typeof labelValue !== 'string') {
          problems.push({
            field: `${field}.matchLabels.${key}`,
            message: `label value must be a string (got ${JSON.stringify(labelValue)})`,
          });
          continue;
        }
        source.matchLabels[key] = labelValue;
        requirements.push({
          key: transformKey(key),
          operator: 'In',
          values: new Set([labelValue]),
        });
      }
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) {
      problems.push({ field: `${field}.matchExpressions`, message: 'must be a list' });
    } else {
      source.matchExpressions = [];
      matchExpressions.forEach((expr, i) => {
        const at = `${field}.matchExpressions[${i}]`;
        if (!isPlainObject(expr)) {
          problems.push({ field: at, message: 'must be an object' });
          return;
        }
        const { key, operator, values } = expr;
        if (typeof key !== 'string' || key === '') {
          problems.push({ field: `${at}.key`, message: 'must be a non-empty string' });
          return;
        }
        if (!OPERATORS.includes(operator as SelectorOperator)) {
          problems.push({
            field: `${at}.operator`,
            message: `unknown operator ${JSON.stringify(operator)} (In, NotIn, Exists, DoesNotExist)`,
          });
          return;
        }
        const op = operator as SelectorOperator;
        const list = values === undefined || values === null ? [] : values;
        if (!Array.isArray(list) || list.some(v => typeof v !== 'string')) {
          problems.push({ field: `${at}.values`, message: 'must be a list of strings' });
          return;
        }
        if ((op === 'In' || op === 'NotIn') && list.length === 0) {
          problems.push({ field: `${at}.values`, message: `${op} needs at least one value` });
          return;
        }
        if ((op === 'Exists' || op === 'DoesNotExist') && list.length > 0) {
          problems.push({ field: `${at}.values`, message: `${op} takes no values` });
          return;
        }
        source.matchExpressions!.push({ key, operator: op, values: list as string[] });
        requirements.push({ key: transformKey(key), operator: op, values: new Set(list as string[]) });
      });
    }
  }
  if (problems.length > 0) return { problems };
  return { selector: fromRequirements(source, requirements), problems };
}

function fromRequirements(source: LabelSelector, requirements: Requirement[]): CompiledSelector {
  const keys = requirements.map(r => r.key);
  if (requirements.length === 0) {
    return { source, selectsAll: true, keys, matches: () => true };
  }
  return {
    source,
    selectsAll: false,
    keys,
    matches: (labels: Labels) => {
      for (const req of requirements) {
        if (!requirementMatches(req, labels)) return false;
      }
      return true;
    },
  };
}

/** The selector `{}`: selects everything. */
export const SELECT_ALL: CompiledSelector = fromRequirements({}, []);

/**
 * A plain equality map (Service `spec.selector`, Istio `selector.matchLabels`)
 * as a compiled selector. An empty map selects everything.
 */
export function selectorFromMap(map: Record<string, string>): CompiledSelector {
  return fromRequirements(
    { matchLabels: { ...map } },
    Object.entries(map).map(([key, v]) => ({ key, operator: 'In', values: new Set([v]) })),
  );
}

/** Convenience for one-off checks (tests, tools): compiles and matches, throwing on a malformed selector. */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  const { selector: compiled, problems } = compileSelector(selector, 'selector');
  if (!compiled) {
    throw new Error(problems.map(p => `${p.field}: ${p.message}`).join('; '));
  }
  return compiled.matches(labels);
}

/** Reads a `map[string]string` (labels, Service selectors); problems for non-string values. */
export function readStringMap(value: unknown, field: string): { map: Record<string, string>; problems: SelectorProblem[] } {
  const map: Record<string, string> = {};
  const problems: SelectorProblem[] = [];
  if (value === undefined || value === null) return { map, problems };
  if (!isPlainObject(value)) {
    return { map, problems: [{ field, message: 'must be a map of strings' }] };
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') map[key] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') {
      // YAML turns `true`/`8080` into non-strings; Kubernetes rejects them.
      problems.push({
        field: `${field}.${key}`,
        message: `must be a string (write "${String(v)}" in quotes)`,
      });
    } else problems.push({ field: `${field}.${key}`, message: 'must be a string' });
  }
  return { map, problems };
}
