const show = (value: unknown) =>
  value === undefined ? '(absent)' : JSON.stringify(value);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function child(at: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return at ? `${at}.${key}` : key;
  return `${at}[${JSON.stringify(key)}]`;
}

/**
 * The fields Cellplane manages where the live object differs from the
 * compiled one, as `path: expected -> actual`. Only fields the compiled object
 * sets are compared (keys the server adds as defaults, status and the other
 * metadata are not Cellplane's), but lists are compared whole: an item added
 * by hand (a method, a rule, a port) is drift.
 */
export function managedDiff(
  expected: unknown,
  actual: unknown,
  at = '',
): string[] {
  if (expected === undefined) return [];
  if (isRecord(expected) && isRecord(actual)) {
    return Object.keys(expected)
      .sort()
      .flatMap(k => managedDiff(expected[k], actual[k], child(at, k)));
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const lines: string[] = [];
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= expected.length)
        lines.push(`${at}[${i}]: (absent) -> ${show(actual[i])}`);
      else lines.push(...managedDiff(expected[i], actual[i], `${at}[${i}]`));
    }
    return lines;
  }
  // An empty object or list that the server dropped on the way in is the same.
  if (
    actual === undefined &&
    ((isRecord(expected) && !Object.keys(expected).length) ||
      (Array.isArray(expected) && !expected.length))
  ) {
    return [];
  }
  if (expected === actual) return [];
  return [`${at || '(root)'}: ${show(expected)} -> ${show(actual)}`];
}

/** The parts of a compiled object Cellplane owns: everything but status and server-set metadata. */
export function managedPart(
  object: { metadata: Record<string, unknown> } & Record<string, unknown>,
): Record<string, unknown> {
  const { status: _status, metadata, ...rest } = object;
  const { name, namespace, labels, annotations } = metadata as Record<
    string,
    unknown
  >;
  return { ...rest, metadata: { name, namespace, labels, annotations } };
}
