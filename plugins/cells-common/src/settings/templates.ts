import { ROUTE_PLACEHOLDERS, RoutePlaceholder } from './settings';

/** The values a public route's templates are filled with. All are DNS labels. */
export type RouteValues = Record<RoutePlaceholder, string>;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Why a template cannot be used (an unknown placeholder, a stray brace), or undefined. */
export function templateError(template: string): string | undefined {
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!(ROUTE_PLACEHOLDERS as readonly string[]).includes(name)) {
      return `{${name}} is not a placeholder (use ${ROUTE_PLACEHOLDERS.map(p => `{${p}}`).join(', ')})`;
    }
  }
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) return 'has a brace outside a placeholder';
  return undefined;
}

export function renderTemplate(template: string, values: RouteValues): string {
  return template.replace(PLACEHOLDER, (_m, name: RoutePlaceholder) => values[name]);
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a name cannot be an HTTPRoute hostname (RFC 1123, no wildcard), or undefined. */
export function hostnameError(hostname: string): string | undefined {
  if (!DNS_SUBDOMAIN.test(hostname)) return 'is not a DNS name (lower-case letters, digits, "-" and ".")';
  if (hostname.length > 253) return 'is longer than 253 characters';
  if (hostname.split('.').some(label => label.length > 63)) return 'has a part longer than 63 characters';
  return undefined;
}

/** Why a path cannot be a route's path prefix (`/`, or `/a/b` without a trailing `/`), or undefined. */
export function pathPrefixError(path: string): string | undefined {
  if (path === '/') return undefined;
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) return 'is not a path of /-separated parts (letters, digits, ".", "_", "~", "-") without a trailing /';
  if (path.length > 1024) return 'is longer than 1024 characters';
  return undefined;
}

/** Sample values for checking a template once, when the settings are read. */
export const SAMPLE_ROUTE_VALUES: RouteValues = { environment: 'env', namespace: 'ns', cell: 'cell', component: 'component', endpoint: 'endpoint' };

/** Patterns of cells.rbac.subjects: `group:` or `user:`, then `<namespace>/<name>`, `*` for any run of characters. */
export const SUBJECT_PATTERN = /^(group|user):[a-z0-9*._-]+\/[a-z0-9*._-]+$/;

/** Whether an owner ref (`group:ns/name`, any case) matches a subject pattern. */
export function subjectMatches(pattern: string, ref: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .toLowerCase()
      .split('*')
      .map(part => part.replace(/[.]/g, '\\.'))
      .join('.*')}$`,
  );
  return regex.test(ref.toLowerCase());
}
