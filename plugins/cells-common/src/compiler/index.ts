import { CellModel, CellProblem } from '../model/types';
import { CellsSettings } from '../settings/settings';
import { inPhase } from './applyPhase';
import { authorizationPolicies } from './authorizationPolicy';
import { ciliumNetworkPolicies } from './ciliumNetworkPolicy';
import { Holders, contextKey, refusedCells } from './claims';
import { CellContext, KubeObject, contextsFor } from './context';
import { httpRoutes } from './httpRoute';
import { ownerRbac, serviceAccounts } from './identity';
import { duplicateObjects, reservedComponentNames } from './names';
import { namespaceObject } from './namespace';
import { networkPolicies } from './networkPolicy';
import { peerAuthentication } from './peerAuthentication';
import { validateObject } from './schema';
import { services } from './service';
import { waypoint } from './waypoint';
import { istioFrontDoor, withEnforceableFrontDoor } from './frontDoor';
import { envoyGatewayFrontDoor } from './envoyGateway';
import { compileEgress, CompiledEgress } from './egress';
import { cellEnforcement, egressEnforcement, keptInEgressAudit, objectsFor } from './enforcement';

/** Every object of one cell in one environment. */
export interface CompiledCell {
  cell: string;
  cellName: string;
  environment: string;
  namespace: string;
  objects: KubeObject[];
  /** Set when the cell is in audit here: `objects` hold none that could deny a call (docs/rollout.md). */
  audit?: true;
}

export interface CompileResult {
  cells: CompiledCell[];
  /** Problems that stop a cell from compiling (e.g. two cells in one namespace). */
  problems: CellProblem[];
  /** The platform egress namespace per environment where some cell declared an external host. */
  egress: CompiledEgress[];
}

export interface CompileOptions extends Holders {
  /** Only this environment. */
  environment?: string;
  /** Validate each object against its schema (default true). */
  validate?: boolean;
  /**
   * Only these cells (refs). Cross-cell rules still see every cell, so a
   * cell's objects are the same as in a whole-catalog compile; this only
   * skips the work for the others (a backend recompiles the cells that changed).
   */
  cells?: ReadonlySet<string>;
}

/** Checks a context's component names against the names the cell's own objects take. */
function nameProblems(ctx: CellContext): CellProblem[] {
  const reserved = reservedComponentNames(ctx.settings);
  return ctx.components
    .filter(c => reserved.includes(c.name))
    .map(c => ({
      entityRef: c.ref,
      field: 'metadata.name',
      message: `the name ${c.name} is taken by the cell's own objects`,
      fix: `rename the component`,
      holds: ctx.cell.ref,
    }));
}

function compileCell(ctx: CellContext, validate: boolean): KubeObject[] {
  // Each object is tagged with its apply phase here or, where a module mixes phases, by the module.
  const objects = [
    ...inPhase('namespace', [namespaceObject(ctx)]),
    // The front door is closed before the route that opens it is applied (routes are in `allow`).
    ...inPhase('identity', [...serviceAccounts(ctx), ...ownerRbac(ctx), ...services(ctx), ...istioFrontDoor(ctx), ...envoyGatewayFrontDoor(ctx)]),
    ...inPhase('allow', ctx.flavour === 'cilium' ? ciliumNetworkPolicies(ctx) : networkPolicies(ctx)),
    ...inPhase('restrict', peerAuthentication(ctx)),
    ...inPhase('allow', [...waypoint(ctx), ...authorizationPolicies(ctx), ...httpRoutes(ctx)]),
  ];
  if (validate) objects.forEach(validateObject);
  return objects;
}

/**
 * The cell compiler: a validated model and the platform settings in, every
 * Kubernetes object of every cell and environment out. Pure and deterministic.
 */
export function compileCells(model: CellModel, settings: CellsSettings, options: CompileOptions = {}): CompileResult {
  const environments = settings.environments.map(e => e.name).filter(e => options.environment === undefined || e === options.environment);
  const cells: CompiledCell[] = [];
  const problems: CellProblem[] = [];
  const contexts = environments.flatMap(environment => contextsFor(model, settings, environment));
  const refused = refusedCells(contexts, options);
  for (const ctx of contexts) {
    const refusal = refused.get(contextKey(ctx));
    if (refusal) {
      problems.push(...refusal);
      continue;
    }
    if (options.cells && !options.cells.has(ctx.cell.ref)) continue;
    const names = nameProblems(ctx);
    if (names.length) {
      problems.push(...names);
      continue;
    }
    const audit = cellEnforcement(ctx.cell, settings, ctx.environment) === 'audit';
    const objects = objectsFor(audit ? 'audit' : 'enforce', compileCell(withEnforceableFrontDoor(ctx), options.validate ?? true));
    // Names are built not to meet (names.ts); should two ever do, the cell is not output.
    const duplicates = duplicateObjects(objects);
    if (duplicates.length) {
      problems.push({
        entityRef: ctx.cell.ref,
        field: 'metadata.name',
        message: `internal error: the compiler made two objects named ${duplicates.join(', ')}; nothing of the cell is output`,
        fix: "report this Cellplane bug with the cell's entities; rename the component whose name appears twice meanwhile",
        holds: ctx.cell.ref,
      });
      continue;
    }
    cells.push({
      cell: ctx.cell.ref,
      cellName: ctx.cell.name,
      environment: ctx.environment,
      namespace: ctx.namespace,
      objects,
      ...(audit ? { audit: true as const } : {}),
    });
  }
  const validate = options.validate ?? true;
  const egress = environments.flatMap(environment => {
    const compiled = compileEgress(model, settings, environment);
    if (compiled && validate) compiled.objects.forEach(validateObject);
    if (compiled && egressEnforcement(settings, environment) === 'audit') compiled.objects = compiled.objects.filter(keptInEgressAudit);
    return compiled ? [compiled] : [];
  });
  return { cells, problems, egress };
}

export type { KubeObject } from './context';
export { cellEnforcement, egressEnforcement, enforcedEverywhere, enforcementOf, keptInAudit, keptInEgressAudit, objectsFor } from './enforcement';
export type { CompiledEgress } from './egress';
export { FQDN_L7_ONLY_WARNING, EGRESS_OBJECT_NAMES, hostObjectName } from './egress';
export { APPLY_PHASES, applyPhaseOf } from './applyPhase';
export type { ApplyPhase } from './applyPhase';
export { SchemaViolation, validateObject, VALIDATED_KINDS } from './schema';
export { holdersOf } from './claims';
export type { Holders } from './claims';
export {
  CELL_OBJECT_NAMES,
  cellFileName,
  compiledObjectRole,
  EGRESS_FILE_NAME,
  duplicateObjects,
  reservedComponentNames,
  routeName,
  waypointOnlyName,
} from './names';
export type { CompiledObjectRole } from './names';
export { routeKey, routesOverlap } from './routes';
export type { PublicRoute } from './routes';
export { MANAGED_BY, CELL_LABEL, ENVIRONMENT_LABEL, SOURCE_ANNOTATION, WAYPOINT_POD_LABEL, HBONE_PORT, PROBE_SOURCE_CIDR } from './context';
