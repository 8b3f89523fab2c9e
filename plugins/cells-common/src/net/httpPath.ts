/**
 * The request path as a waypoint's RBAC filter sees it, and Istio's path
 * templates. Istio's default mesh config gives every waypoint's HTTP
 * connection manager `normalize_path: true` (RFC 3986 normalisation before
 * any filter), no slash merging and escaped slashes kept; the RBAC path
 * matcher then reads the path without its query string and fragment.
 * Checked against a real Envoy by the L7 differential test (tools/authz-oracle).
 */

/** RFC 3986 unreserved characters: a percent-escape of one of them is decoded. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
/** Printable ASCII that Envoy's normalisation percent-encodes in a path. */
const ESCAPED_BY_NORMALISATION = new Set([' ', '"', '<', '>', '^', '`', '{', '|', '}']);

function canonicalSegment(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(segment.slice(i + 1, i + 3))) {
      const decoded = String.fromCharCode(parseInt(segment.slice(i + 1, i + 3), 16));
      // Unreserved characters are decoded; every other escape is kept as written (its hex case too).
      out += UNRESERVED.test(decoded) ? decoded : segment.slice(i, i + 3);
      i += 2;
    } else if (ESCAPED_BY_NORMALISATION.has(c)) {
      out += `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * The path part of a request target after Envoy's `normalize_path`: the query
 * string and fragment dropped, backslashes read as slashes, escaped unreserved
 * characters decoded, `.` and `..` segments (also written `%2e`) resolved,
 * never above the root. Double slashes stay (Istio does not merge them by
 * default), and so do escaped slashes (`%2F`).
 */
export function normalizeRequestPath(target: string): string {
  const end = target.search(/[?#]/);
  const raw = (end === -1 ? target : target.slice(0, end)).replace(/\\/g, '/');
  if (!raw.startsWith('/')) return raw;
  const segments = raw.slice(1).split('/');
  const out: string[] = [];
  segments.forEach((segment, i) => {
    const s = canonicalSegment(segment);
    const last = i === segments.length - 1;
    if (s === '.') {
      if (last) out.push('');
    } else if (s === '..') {
      out.pop();
      if (last) out.push('');
    } else {
      out.push(s);
    }
  });
  return `/${out.join('/')}`;
}

// ---------------------------------------------------------------- path templates

/** Istio's path templates: `{*}` is one path segment, `{**}` any number of them (Istio security.go). */
export const MATCH_ONE_TEMPLATE = '{*}';
export const MATCH_ANY_TEMPLATE = '{**}';
/** A literal segment of a templated path (RFC 3986 pchar, as Istio and Envoy check it). */
const VALID_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;
/** The characters Envoy's `*` and `**` operators match (uri_template). */
const SEGMENT = "[a-zA-Z0-9\\-._~%!$&'()+,;:@=]+";
const SEGMENTS = "[a-zA-Z0-9\\-._~%!$&'()+,;:@=/]*";

export function containsPathTemplate(value: string): boolean {
  return value.includes(MATCH_ONE_TEMPLATE) || value.includes(MATCH_ANY_TEMPLATE);
}

/**
 * Why Istio's admission check refuses a path value (undefined when it does
 * not): braces other than whole `{*}`/`{**}` segments, a template after
 * `{**}`, or, in a templated path, a segment that is not a valid literal.
 */
export function pathTemplateProblem(value: string): string | undefined {
  const templated = containsPathTemplate(value);
  let anySeen = false;
  for (const glob of value.replace(/^\/+|\/+$/g, '').split('/')) {
    if ((glob === MATCH_ONE_TEMPLATE || glob === MATCH_ANY_TEMPLATE) && !anySeen) {
      anySeen = glob === MATCH_ANY_TEMPLATE;
      continue;
    }
    if (glob === MATCH_ONE_TEMPLATE || glob === MATCH_ANY_TEMPLATE) return `${MATCH_ANY_TEMPLATE} must be the last template in the path`;
    if (/[{}]/.test(glob)) return `"${glob}": '{' and '}' are allowed only as whole {*} or {**} segments`;
    if (templated && !VALID_LITERAL.test(glob)) return `"${glob}" is not a valid path segment next to a template`;
  }
  return undefined;
}

const templates = new Map<string, RegExp>();

/** Does a (normalised, query-free) path match an Istio path template? Envoy's uri_template, whole path. */
export function pathTemplateMatches(template: string, path: string): boolean {
  let re = templates.get(template);
  if (!re) {
    const source = template
      .split(/(\{\*\*\}|\{\*\})/)
      .map(part => {
        if (part === MATCH_ANY_TEMPLATE) return SEGMENTS;
        if (part === MATCH_ONE_TEMPLATE) return SEGMENT;
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
    re = new RegExp(`^${source}$`);
    templates.set(template, re);
  }
  return re.test(path);
}

/** docs/policy-semantics.md#authz-5: exact, `*` (present), `prefix*`, `*suffix`. */
export function istioStringMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (p === '*') return v.length > 0;
  if (p.endsWith('*')) return v.startsWith(p.slice(0, -1));
  if (p.startsWith('*')) return v.endsWith(p.slice(1));
  return p === v;
}

/** A `paths` value against the normalised path: Envoy's uri_template for `{*}`/`{**}`, else the forms of docs/policy-semantics.md#authz-5. */
export function pathMatches(pattern: string, path: string): boolean {
  return containsPathTemplate(pattern) ? pathTemplateMatches(pattern, path) : istioStringMatches(pattern, path);
}
