/**
 * What a request's bearer token says, as the gateway reads it after checking
 * its signature. Cellplane's analysis never verifies a signature: it asks
 * what happens to a request whose token carries these claims.
 */
export interface RequestToken {
  issuer?: string;
  subject?: string;
  /** `aud`, as a list. */
  audiences: string[];
  /** Every claim of the payload, as given. */
  claims: Record<string, unknown>;
}

/** A token that cannot be read; says what is wrong with it. */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeBase64Url(part: string): string {
  if (!BASE64URL.test(part)) throw new TokenError('a JWT part is not base64url');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of part) {
    buffer = (buffer << 6) | alphabet.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
}

function claimsOf(json: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new TokenError(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TokenError(`${what} is not a JSON object of claims`);
  return value as Record<string, unknown>;
}

/** The token's claims as the analysis reads them. */
export function tokenFromClaims(claims: Record<string, unknown>): RequestToken {
  const { iss, sub, aud } = claims;
  if (iss !== undefined && typeof iss !== 'string') throw new TokenError('iss must be a string');
  if (sub !== undefined && typeof sub !== 'string') throw new TokenError('sub must be a string');
  let audiences: unknown = aud ?? [];
  if (typeof aud === 'string') audiences = [aud];
  if (!Array.isArray(audiences) || audiences.some(a => typeof a !== 'string')) throw new TokenError('aud must be a string or a list of strings');
  return { ...(iss !== undefined ? { issuer: iss } : {}), ...(sub !== undefined ? { subject: sub } : {}), audiences: audiences as string[], claims };
}

/**
 * Reads a JSON object of claims, or a compact JWT (`header.payload.signature`):
 * only the payload is decoded, the signature is not checked.
 */
export function parseToken(text: string): RequestToken {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return tokenFromClaims(claimsOf(trimmed, 'the claims'));
  const parts = trimmed.split('.');
  if (parts.length !== 3) throw new TokenError('neither a JSON object of claims nor a JWT (header.payload.signature)');
  return tokenFromClaims(claimsOf(decodeBase64Url(parts[1]), 'the JWT payload'));
}

/** The values a token's claim holds: a list's strings, a string (space-separated words for `scope` and `permission`, as Istio and OAuth read them). */
export function claimValues(token: RequestToken, name: string): string[] {
  const value = token.claims[name];
  if (typeof value === 'string') return name === 'scope' || name === 'permission' ? value.split(' ').filter(Boolean) : [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  return [];
}
