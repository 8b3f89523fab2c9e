import { Cidr, cidrWithin, parseCidr, parseIp } from '../net/ip';

/*
 * Hosts and networks outside the cluster, as `spec.egress` and
 * `spec.cell.egress` name them (docs/egress.md). Pure string and number checks.
 */

const DNS_NAME_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `text` is not a network in CIDR form with its host bits zero, or undefined. */
export function cidrError(text: string): string | undefined {
  const cidr = text.includes('/') ? parseCidr(text) : undefined;
  if (!cidr) return 'is not a CIDR (write an address, "/" and a prefix length, e.g. 10.20.0.0/16)';
  if (cidrText(cidr) !== text) return `has host bits set (the network is ${cidrText(cidr)})`;
  return undefined;
}

/** The canonical text of a parsed CIDR: its network address and prefix length. */
function cidrText(cidr: Cidr): string {
  if (cidr.family === 4) {
    const n = cidr.network;
    return `${[24n, 16n, 8n, 0n].map(s => String((n >> s) & 255n)).join('.')}/${cidr.bits}`;
  }
  // IPv6 texts are compared after parsing: a text that parses is taken as written.
  return cidr.text;
}

/** Parses a CIDR known to be valid (cidrError returned undefined). */
export function cidrOf(text: string): Cidr {
  return parseCidr(text)!;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrWithin(a, b) || cidrWithin(b, a);
}

export function isWildcardHost(host: string): boolean {
  return host.startsWith('*.');
}

/** Why `host` is not an external DNS name (`*.suffix` allowed), or undefined. */
export function hostError(host: string): string | undefined {
  if (parseIp(host)) return 'is an address, not a host name (declare it as cidr: <address>/32)';
  const name = isWildcardHost(host) ? host.slice(2) : host;
  if (host.length > 253 || !name.includes('.') || !name.split('.').every(l => l.length <= 63 && DNS_NAME_LABEL.test(l))) {
    return 'is not a lower-case DNS name with a dot (or *.suffix)';
  }
  if (/(^|\.)(cluster\.local|svc|local)$/.test(name)) return 'names something inside the cluster (declare a connection to its component instead)';
  return undefined;
}

/** True when the host pattern `inner` admits only names `outer` admits too. */
export function hostWithin(inner: string, outer: string): boolean {
  if (inner === outer) return true;
  if (!isWildcardHost(outer)) return false;
  const suffix = outer.slice(1); // ".example.com"
  return (isWildcardHost(inner) ? inner.slice(2) : inner).endsWith(suffix);
}

/** True when `host` (a name a request uses, never a pattern) matches the pattern. */
export function hostMatches(pattern: string, host: string): boolean {
  return pattern === host || (isWildcardHost(pattern) && host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1);
}
