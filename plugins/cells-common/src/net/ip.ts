/** IPv4/IPv6 addresses and CIDRs as bigints, enough for ipBlock/fromCIDR/ipBlocks matching. */

export interface Cidr {
  text: string;
  family: 4 | 6;
  network: bigint;
  bits: number;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.') && lastColon >= 0) {
    tailV4 = parseIPv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] === '' ? [] : halves[0].split(':');
  const right = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses an address; undefined when it is not one. */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (text.includes('/')) return undefined; // namespace/name, or a CIDR: not an address
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = text.includes(':') ? parseIPv6(text) : undefined;
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

export function isIp(text: string): boolean {
  return parseIp(text) !== undefined;
}

/** Parses `a.b.c.d/n` or `x::/n`; a bare address is accepted when `allowBare` (Istio ipBlocks). */
export function parseCidr(text: string, allowBare = false): Cidr | undefined {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(addressText);
  if (!ip) return undefined;
  const width = ip.family === 4 ? 32 : 128;
  let bits = width;
  if (slash >= 0) {
    const bitsText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bitsText)) return undefined;
    bits = Number(bitsText);
    if (bits > width) return undefined;
  } else if (!allowBare) {
    return undefined;
  }
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
  return { text, family: ip.family, network: ip.value & mask, bits };
}

/**
 * Bulk questions (verify, the matrix) test the same few addresses against
 * every ipBlock millions of times: each distinct address is parsed once.
 * Bounded, so a long-lived backend never grows it without limit.
 */
const parsedAddresses = new Map<string, ReturnType<typeof parseIp>>();
const PARSED_ADDRESSES_LIMIT = 4096;

function parseIpOnce(address: string): ReturnType<typeof parseIp> {
  if (parsedAddresses.has(address)) return parsedAddresses.get(address);
  const ip = parseIp(address);
  if (parsedAddresses.size >= PARSED_ADDRESSES_LIMIT) parsedAddresses.clear();
  parsedAddresses.set(address, ip);
  return ip;
}

export function cidrContains(cidr: Cidr, address: string): boolean {
  const ip = parseIpOnce(address);
  if (!ip || ip.family !== cidr.family) return false;
  const width = cidr.family === 4 ? 32 : 128;
  const mask = cidr.bits === 0 ? 0n : ((1n << BigInt(cidr.bits)) - 1n) << BigInt(width - cidr.bits);
  return (ip.value & mask) === cidr.network;
}

/** True when `inner` lies inside `outer` (used to validate ipBlock.except). */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  if (inner.family !== outer.family || inner.bits < outer.bits) return false;
  const width = outer.family === 4 ? 32 : 128;
  const mask = outer.bits === 0 ? 0n : ((1n << BigInt(outer.bits)) - 1n) << BigInt(width - outer.bits);
  return (inner.network & mask) === outer.network;
}

/**
 * An IPv4 address inside the network and outside its carve-outs, the one a
 * question about the network asks with: its first host, its middle or its
 * last host (undefined: all carved out, or IPv6).
 */
export function sampleAddress(cidr: string, except: string[] = []): string | undefined {
  const parsed = parseCidr(cidr);
  if (!parsed || parsed.family !== 4) return undefined;
  const size = 1n << BigInt(32 - parsed.bits);
  const candidates = [
    parsed.network + (size > 2n ? 1n : 0n),
    parsed.network + size / 2n + (size > 4n ? 1n : 0n),
    parsed.network + size - (size > 2n ? 2n : 1n),
  ];
  const text = (n: bigint) => [24n, 16n, 8n, 0n].map(s => String((n >> s) & 255n)).join('.');
  const carved = except.map(e => parseCidr(e)).filter((c): c is Cidr => c?.family === 4);
  return candidates.map(text).find(a => !carved.some(c => cidrContains(c, a)));
}
