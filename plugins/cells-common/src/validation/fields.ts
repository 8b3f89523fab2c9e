import { CellProblem, HTTP_METHODS } from '../model/types';

/** Collects problems for one entity; every problem names the field and a fix. */
export class ProblemList {
  readonly problems: CellProblem[] = [];
  constructor(readonly entityRef: string) {}

  add(field: string, message: string, fix: string): void {
    this.problems.push({ entityRef: this.entityRef, field, message, fix });
  }
}

/** A DNS-1123 label: what Kubernetes accepts in object names and label values we derive. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** An IANA service name: what a Service port name must be (max 15, a letter, no `--`). */
export function isPortName(value: string): boolean {
  return value.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) && /[a-z]/.test(value) && !value.includes('--');
}

/**
 * Ports the ambient mesh itself uses on every pod (HBONE, ztunnel, sidecar
 * compat, health, metrics). An app endpoint there would collide with the data
 * plane or be opened by the mesh rules, so it is refused.
 */
export const MESH_RESERVED_PORTS = [15001, 15006, 15008, 15020, 15021, 15053, 15090];

/**
 * Path patterns as Istio matches them: exact `/a`, prefix `/a/*`, suffix `*.json`.
 * Returns a reason when the pattern is not one of these, or undefined.
 */
export function pathPatternError(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    return 'is not a non-empty string';
  }
  if (/[\s?#]/.test(pattern)) {
    return 'contains whitespace, "?" or "#" (query strings and fragments are never matched)';
  }
  if (pattern === '*') {
    return 'is a lone "*"; leave `paths` out to allow every path';
  }
  const stars = pattern.split('*').length - 1;
  if (stars > 1) return 'has more than one "*"';
  if (stars === 1) {
    if (pattern.endsWith('*')) {
      return pattern.startsWith('/') ? undefined : 'is a prefix pattern that does not start with "/"';
    }
    if (pattern.startsWith('*')) return undefined;
    return 'has a "*" in the middle; only `prefix*` and `*suffix` are supported';
  }
  return pattern.startsWith('/') ? undefined : 'does not start with "/"';
}

/**
 * Checks an optional, non-empty list of strings item by item. Returns the
 * sorted, de-duplicated items, or undefined when the field is absent. A bad
 * list returns an empty one (never undefined, which would mean "all"), and
 * the problems say why.
 */
function checkList(
  list: ProblemList,
  field: string,
  value: unknown,
  what: string,
  leaveOut: string,
  itemError: (item: unknown) => { message: string; fix: string } | undefined,
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    list.add(field, `must be a non-empty list of ${what}`, leaveOut);
    return [];
  }
  let ok = true;
  value.forEach((item, i) => {
    const error = itemError(item);
    if (error) {
      ok = false;
      list.add(`${field}[${i}]`, error.message, error.fix);
    }
  });
  return ok ? [...new Set(value as string[])].sort() : [];
}

/** Checks an optional `methods` list. */
export function checkMethods(list: ProblemList, field: string, value: unknown): string[] | undefined {
  return checkList(list, field, value, 'HTTP methods', 'leave it out to allow every method, or list methods such as [GET, POST]', method =>
    typeof method === 'string' && (HTTP_METHODS as readonly string[]).includes(method)
      ? undefined
      : { message: `${JSON.stringify(method)} is not an HTTP method`, fix: `use one of ${HTTP_METHODS.join(', ')} (upper case)` },
  );
}

/** Checks an optional `paths` list. */
export function checkPaths(list: ProblemList, field: string, value: unknown): string[] | undefined {
  return checkList(list, field, value, 'path patterns', 'leave it out to allow every path, or list patterns such as [/uplink, /uplink/*]', pattern => {
    const reason = pathPatternError(pattern);
    return reason
      ? { message: `path pattern ${JSON.stringify(pattern)} ${reason}`, fix: 'write an exact path (/a), a prefix (/a/*) or a suffix (*.json)' }
      : undefined;
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
