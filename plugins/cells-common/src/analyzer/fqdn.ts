/** Cilium `toFQDNs` entries as matchers of a host name (docs/policy-semantics.md#cilium-9). */

/**
 * A toFQDNs entry: `matchName` exactly, `matchPattern` with `*` standing for
 * characters within one DNS label (a lone `*` for every name). Names compare
 * without case and without a trailing dot (docs/policy-semantics.md#cilium-9).
 */
export function fqdnMatcher(f: Record<string, unknown>): { text: string; matches: (host: string) => boolean } | undefined {
  const name = f.matchName;
  const pattern = f.matchPattern;
  if ((name === undefined) === (pattern === undefined)) return undefined;
  const text = (name ?? pattern) as unknown;
  if (typeof text !== 'string' || !/^[-a-zA-Z0-9_.*]+$/.test(text) || (name !== undefined && text.includes('*'))) return undefined;
  const norm = (h: string) => h.toLowerCase().replace(/\.$/, '');
  if (name !== undefined) return { text, matches: host => norm(host) === norm(text) };
  if (text === '*') return { text, matches: () => true };
  const regex = new RegExp(
    `^${norm(text)
      .split('*')
      .map(part => part.replace(/[.]/g, '\\.'))
      .join('[-a-z0-9_]*')}$`,
  );
  return { text, matches: host => regex.test(norm(host)) };
}

/** A concrete name a host pattern (`*.suffix`, a toFQDNs matchPattern) stands for, to ask about: each `*` as `probe`. */
export function fqdnHost(pattern: string): string {
  return pattern.replace(/\*/g, 'probe');
}
