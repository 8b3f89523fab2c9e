/**
 * Three-valued matching, and what an AuthorizationPolicy reads from a
 * request's token: request principals (`iss/sub`), `request.auth.principal`,
 * `request.auth.audiences` and `request.auth.claims[<name>]`.
 */
import { claimValues, RequestToken } from './token';

export type Tri = 'yes' | 'no' | 'unknown';

export const and3 = (a: Tri, b: Tri): Tri => {
  if (a === 'no' || b === 'no') return 'no';
  return a === 'unknown' || b === 'unknown' ? 'unknown' : 'yes';
};
export const or3 = (a: Tri, b: Tri): Tri => {
  if (a === 'yes' || b === 'yes') return 'yes';
  return a === 'unknown' || b === 'unknown' ? 'unknown' : 'no';
};
export const tri = (b: boolean): Tri => (b ? 'yes' : 'no');

/** A token attribute's values: null when the request does not describe its token, none when it has none. */
function tokenAttribute(token: RequestToken | null | undefined, read: (token: RequestToken) => string[]): string[] | null {
  if (token === undefined) return null;
  return token === null ? [] : read(token);
}

const principalOf = (t: RequestToken) => (t.issuer !== undefined ? [`${t.issuer}/${t.subject ?? ''}`] : []);

/** The request principal Istio derives from the token, `iss/sub`. */
export function requestPrincipals(token: RequestToken | null | undefined): string[] | null {
  return tokenAttribute(token, principalOf);
}

/** The values a condition key reads from the token; undefined when the key is not about the token (or names a nested claim). */
export function tokenConditionValues(key: string, token: RequestToken | null | undefined): string[] | null | undefined {
  if (key === 'request.auth.principal') return tokenAttribute(token, principalOf);
  if (key === 'request.auth.audiences') return tokenAttribute(token, t => t.audiences);
  const claim = /^request\.auth\.claims\[([^\][]+)\]$/.exec(key);
  return claim ? tokenAttribute(token, t => claimValues(t, claim[1])) : undefined;
}

/** A field over a list attribute (audiences, a list claim): it matches when any element matches any value. */
export function listMatch(values: string[] | undefined, attrs: string[] | null, negate: boolean, match: (p: string, v: string) => boolean): Tri {
  if (!values) return 'yes';
  if (attrs === null) return 'unknown';
  const any = attrs.some(a => values.some(p => match(p, a)));
  return tri(negate ? !any : any);
}
