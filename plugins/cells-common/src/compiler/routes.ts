import { CallGrant, CellProblem } from '../model/types';
import { hostnameError, pathPrefixError, renderTemplate } from '../settings/templates';
import { CellContext } from './context';

/** Where one public endpoint is reached on the shared Gateway. */
export interface PublicRoute {
  /** The cell's ref. */
  cell: string;
  /** The component's ref and name, and the endpoint's name. */
  component: string;
  componentName: string;
  endpoint: string;
  port: number;
  /** The field that made the endpoint public, for problems. */
  field: string;
  environment: string;
  /** Absent: the route matches every hostname of the Gateway. */
  hostname?: string;
  /** The path prefix, `/` or `/a/b`. */
  path: string;
}

/** A route's identity across compilations, e.g. for the routes a cell held before (see holdersOf). */
export function routeKey(route: Pick<PublicRoute, 'environment' | 'hostname' | 'path'>): string {
  return `${route.environment} ${route.hostname ?? '*'} ${route.path}`;
}

const segments = (path: string) => path.split('/').filter(Boolean);

/**
 * Whether two routes on one Gateway would shadow each other: their hostnames
 * meet (a route without one meets every hostname) and one's path prefix equals
 * the other's or contains it element by element (Gateway API's PathPrefix: `/a`
 * matches `/a/b`, never `/ab`), so some requests could go to either.
 */
export function routesOverlap(a: Pick<PublicRoute, 'hostname' | 'path'>, b: Pick<PublicRoute, 'hostname' | 'path'>): boolean {
  if (a.hostname !== undefined && b.hostname !== undefined && a.hostname !== b.hostname) return false;
  const [short, long] = [segments(a.path), segments(b.path)].sort((x, y) => x.length - y.length);
  return short.every((part, i) => long[i] === part);
}

/** The public routes of one cell in one environment (one per public endpoint), and the endpoints whose route cannot be written. */
export function publicRoutes(ctx: CellContext): { routes: PublicRoute[]; problems: CellProblem[] } {
  const { routes: templates } = ctx.settings.gateway;
  const routes: PublicRoute[] = [];
  const problems: CellProblem[] = [];
  // An endpoint serving an OpenAPI API has one gateway grant per path: it still gets one route.
  const seen = new Set<string>();
  const gatewayGrants = ctx.inbound.filter(
    (g): g is CallGrant & { caller: { kind: 'gateway' } } =>
      g.caller.kind === 'gateway' && !seen.has(`${g.callee}|${g.endpoint}`) && !!seen.add(`${g.callee}|${g.endpoint}`),
  );
  for (const grant of gatewayGrants) {
    const component = ctx.component(grant.callee);
    const endpoint = component.endpoints.find(e => e.name === grant.endpoint)!;
    const values = {
      environment: ctx.environment,
      namespace: ctx.cell.entityNamespace.toLocaleLowerCase('en-US'),
      cell: ctx.cell.name,
      component: component.name,
      endpoint: endpoint.name,
    };
    const hostname = templates.hostname === undefined ? undefined : renderTemplate(templates.hostname, values);
    const path = renderTemplate(templates.pathPrefix, values);
    const error = (hostname !== undefined && hostnameError(hostname)) || pathPrefixError(path);
    if (error) {
      problems.push({
        entityRef: component.ref,
        field: grant.field,
        message: `the public route ${hostname ?? ''}${path} of endpoint ${endpoint.name} ${error}`,
        fix: 'shorten the cell, component or endpoint name, or ask the platform team to change cells.gateway.routes',
        holds: ctx.cell.ref,
      });
      continue;
    }
    routes.push({
      cell: ctx.cell.ref,
      component: component.ref,
      componentName: component.name,
      endpoint: endpoint.name,
      port: endpoint.port,
      field: grant.field,
      environment: ctx.environment,
      ...(hostname !== undefined ? { hostname } : {}),
      path,
    });
  }
  return { routes, problems };
}

/**
 * The routes that may not be written because they would shadow another: of
 * two overlapping routes, the one whose cell held its key before keeps it and
 * the other is refused; when neither (or both) held theirs, both are refused.
 * Each refused route maps to a route it overlaps.
 */
export function shadowedRoutes(routes: PublicRoute[], holders: ReadonlyMap<string, string> = new Map()): Map<PublicRoute, PublicRoute> {
  const refused = new Map<PublicRoute, PublicRoute>();
  // Index by environment and path: a route can only overlap the routes at its own path or its prefixes,
  // or those that have its path as a prefix (found when they look up theirs).
  const byPath = new Map<string, PublicRoute[]>();
  for (const route of routes) {
    const key = `${route.environment} ${route.path}`;
    byPath.set(key, [...(byPath.get(key) ?? []), route]);
  }
  const held = (r: PublicRoute) => holders.get(routeKey(r)) === r.cell;
  const position = new Map(routes.map((r, i) => [r, i]));
  for (const route of routes) {
    const parts = segments(route.path);
    for (let n = 0; n <= parts.length; n++) {
      const prefix = `/${parts.slice(0, n).join('/')}`;
      for (const other of byPath.get(`${route.environment} ${prefix}`) ?? []) {
        // Equal paths are met from both sides: take each pair once.
        if (other === route || (n === parts.length && position.get(other)! < position.get(route)!) || !routesOverlap(route, other)) continue;
        if (!held(other) || held(route)) refused.set(other, route);
        if (!held(route) || held(other)) refused.set(route, other);
      }
    }
  }
  return refused;
}
