import { isDeepStrictEqual } from 'node:util';

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));

/**
 * The fields where `actual` differs from `expected`, as `path: expected -> actual`
 * lines (e.g. `spec.rules[0].to[0].operation.methods: ["POST"] -> ["POST","DELETE"]`).
 * Arrays of equal length are compared item by item; otherwise the whole array.
 */
export function fieldDiff(expected: unknown, actual: unknown, at = ''): string[] {
  if (isDeepStrictEqual(expected, actual)) return [];
  const bothObjects = (a: unknown, b: unknown) => typeof a === 'object' && a !== null && typeof b === 'object' && b !== null;
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    return expected.flatMap((e, i) => fieldDiff(e, actual[i], `${at}[${i}]`));
  }
  if (bothObjects(expected, actual) && !Array.isArray(expected) && !Array.isArray(actual)) {
    const keys = [...new Set([...Object.keys(expected as object), ...Object.keys(actual as object)])].sort();
    return keys.flatMap(k => fieldDiff((expected as any)[k], (actual as any)[k], at ? `${at}.${k}` : k));
  }
  return [`${at || '(root)'}: ${show(expected)} -> ${show(actual)}`];
}
