import { isDeepStrictEqual } from 'node:util';

const show = (value: unknown) =>
  value === undefined ? '(absent)' : JSON.stringify(value);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `a.b`, or `a["app.kubernetes.io/name"]` when the key is not a plain word. */
function child(at: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return at ? `${at}.${key}` : key;
  return `${at}[${JSON.stringify(key)}]`;
}

/**
 * The fields where `actual` differs from `expected`, one line each as
 * `path: expected -> actual`, e.g.
 * `spec.rules[0].to[0].operation.methods[1]: (absent) -> "DELETE"`.
 * Objects and arrays are walked down to the leaves that differ, so a hand
 * edit shows as the field it touched rather than the whole object.
 */
export function fieldDiff(
  expected: unknown,
  actual: unknown,
  at = '',
): string[] {
  if (isDeepStrictEqual(expected, actual)) return [];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const length = Math.max(expected.length, actual.length);
    const lines: string[] = [];
    for (let i = 0; i < length; i++) {
      lines.push(...fieldDiff(expected[i], actual[i], `${at}[${i}]`));
    }
    return lines;
  }
  if (isRecord(expected) && isRecord(actual)) {
    const keys = [
      ...new Set([...Object.keys(expected), ...Object.keys(actual)]),
    ].sort();
    return keys.flatMap(k => fieldDiff(expected[k], actual[k], child(at, k)));
  }
  return [`${at || '(root)'}: ${show(expected)} -> ${show(actual)}`];
}
