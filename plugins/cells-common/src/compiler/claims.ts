import { CellProblem } from '../model/types';
import { CellContext, KubeObject } from './context';
import { PublicRoute, publicRoutes, routeKey, shadowedRoutes } from './routes';

/**
 * What cells held before this compilation, e.g. from the last applied state:
 * of two cells that claim one namespace or one route, the one that held it
 * keeps it and the newcomer is refused. Without them every contender is refused.
 */
export interface Holders {
  /** Namespace name -> ref of the cell that holds it. */
  namespaceHolders?: ReadonlyMap<string, string>;
  /** routeKey -> ref of the cell that holds the route. */
  routeHolders?: ReadonlyMap<string, string>;
}

/** The holders a set of compiled cells imply (feed the last applied cells back into the next compilation). */
export function holdersOf(cells: Iterable<{ cell: string; environment: string; namespace: string; objects: readonly KubeObject[] }>): Required<Holders> {
  const namespaceHolders = new Map<string, string>();
  const routeHolders = new Map<string, string>();
  for (const { cell, environment, namespace, objects } of cells) {
    namespaceHolders.set(namespace, cell);
    for (const o of objects) {
      if (o.kind !== 'HTTPRoute') continue;
      const spec = o.spec as { hostnames?: string[]; rules?: { matches?: { path?: { value?: string } }[] }[] } | undefined;
      const path = spec?.rules?.[0]?.matches?.[0]?.path?.value;
      if (typeof path === 'string') routeHolders.set(routeKey({ environment, hostname: spec?.hostnames?.[0], path }), cell);
    }
  }
  return { namespaceHolders, routeHolders };
}

const contextKey = (ctx: Pick<CellContext, 'environment'> & { cell: { ref: string } }) => `${ctx.environment} ${ctx.cell.ref}`;

function add(refused: Map<string, CellProblem[]>, key: string, problem: CellProblem) {
  refused.set(key, [...(refused.get(key) ?? []), problem]);
}

/** Cells that claim a namespace another cell also claims. */
function namespaceRefusals(contexts: CellContext[], holders: ReadonlyMap<string, string>, refused: Map<string, CellProblem[]>) {
  const claimants = new Map<string, CellContext[]>();
  for (const ctx of contexts) claimants.set(ctx.namespace, [...(claimants.get(ctx.namespace) ?? []), ctx]);
  for (const [namespace, claims] of claimants) {
    const cellRefs = [...new Set(claims.map(c => c.cell.ref))];
    if (cellRefs.length < 2) continue;
    const holder = cellRefs.find(ref => holders.get(namespace) === ref);
    for (const ctx of claims) {
      if (ctx.cell.ref === holder) continue;
      const others = cellRefs.filter(ref => ref !== ctx.cell.ref);
      add(refused, contextKey(ctx), {
        entityRef: ctx.cell.ref,
        field: 'metadata.name',
        message: holder
          ? `its namespace ${namespace} in ${ctx.environment} is held by ${holder}`
          : `its namespace ${namespace} in ${ctx.environment} is also claimed by ${others.join(', ')}, and no cell held it before`,
        fix: holder ? 'rename this cell (the cell that held the namespace first keeps it)' : 'rename one of the cells, or change cells.naming',
        holds: ctx.cell.ref,
      });
    }
  }
}

/**
 * Which cells of the given contexts may not compile, by environment and cell
 * ref (`<environment> <ref>`): a namespace or a public route another cell also
 * claims. Decided over every cell, so compiling a subset gives the same answer.
 */
export function refusedCells(contexts: CellContext[], holders: Holders = {}): Map<string, CellProblem[]> {
  const refused = new Map<string, CellProblem[]>();
  namespaceRefusals(contexts, holders.namespaceHolders ?? new Map(), refused);
  const routes: PublicRoute[] = [];
  for (const ctx of contexts) {
    const own = publicRoutes(ctx);
    own.problems.forEach(p => add(refused, contextKey(ctx), p));
    routes.push(...own.routes);
  }
  for (const [route, other] of shadowedRoutes(routes, holders.routeHolders)) {
    const where = `${other.hostname ?? ''}${other.path}`;
    add(refused, `${route.environment} ${route.cell}`, {
      entityRef: route.component,
      field: route.field,
      message: `the public route ${route.hostname ?? ''}${route.path} of endpoint ${route.endpoint} in ${route.environment} would shadow ${where} of ${
        other.component
      } (${other.cell}) on the shared Gateway`,
      fix: holdersNote(route, other),
      holds: route.cell,
    });
  }
  return refused;
}

function holdersNote(route: PublicRoute, other: PublicRoute): string {
  const same = route.cell === other.cell;
  return same
    ? 'give the endpoints distinct routes: ask the platform team to include {component} and {endpoint} in cells.gateway.routes'
    : 'rename the component or endpoint, or ask the platform team to include {namespace}, {cell}, {component} and {endpoint} in cells.gateway.routes (the cell that held the route first keeps it)';
}

export { contextKey };
