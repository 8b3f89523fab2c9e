import { Entity, RELATION_DEPENDENCY_OF, RELATION_DEPENDS_ON, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import { CatalogProcessor, CatalogProcessorEmit, processingResult } from '@backstage/plugin-catalog-node';
import {
  CellProblem,
  Declaration,
  DeclarationRules,
  EntityCheckOptions,
  checkDeclarations,
  checkMembersAndOwner,
  formatProblem,
  hasMisspelledSpecKey,
  isCellComponent,
  isCellSystem,
  parseCellEntity,
  systemRefOf,
} from '@cellplane/cells-common';

/**
 * Finds entities by ref. Refs are full and lower case (`component:default/x`).
 * Returns the entities that were found; missing refs are simply absent.
 */
export type EntityFetcher = (refs: string[]) => Promise<Map<string, Entity>>;

/** How many rounds of look-ups one entity may trigger (own system, targets, targets' systems, ...). */
const MAX_LOOKUP_ROUNDS = 4;

function normalizeRef(ref: string): string | undefined {
  try {
    return stringifyEntityRef(parseEntityRef(ref)).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/** The result of checking one cell entity against the catalog. */
export interface CellEntityCheck {
  /** Every problem: the entity's own shape first, then its references. */
  problems: CellProblem[];
  /** The declarations that passed every check (only these become relations). */
  declarations: Declaration[];
}

/**
 * One declared call as a `dependsOn` edge: the caller depends on the callee.
 *
 * - a connection of component A to B: A dependsOn B;
 * - an allowFrom grant of component B to component A: A dependsOn B;
 * - an allowFrom grant of B to a whole cell S: the System S dependsOn B. Not
 *   one edge per component of S: that would need a catalog query for S's
 *   members on every processing round and would go stale when a component
 *   joins S, while S's `hasPart` relations already lead to its components.
 * - a public endpoint (the external gateway as caller): no edge, the gateway
 *   is not an entity.
 *
 * Pairs are unique (refs are compared in the normalized, lower-case form of
 * `stringifyEntityRef`); an entity never depends on itself.
 */
export function dependencyEdges(declarations: Declaration[]): { caller: string; callee: string }[] {
  const edges = new Map<string, { caller: string; callee: string }>();
  for (const declaration of declarations) {
    if (declaration.caller.kind === 'gateway') continue;
    const caller = stringifyEntityRef(parseEntityRef(declaration.caller.ref));
    const callee = stringifyEntityRef(parseEntityRef(declaration.callee));
    if (caller !== callee) edges.set(`${caller}|${callee}`, { caller, callee });
  }
  return [...edges.values()];
}

/**
 * Whether the processor has anything to check on an entity: a cell System, a
 * cell Component, a Component, System or API with a top-level spec key that
 * looks like a misspelling of Cellplane's (`conections`), any Component of a
 * System that consumes APIs (`consumesApis`), or any Component
 * that names a System of another catalog namespace (it may only join a cell
 * that admits it) or takes a name a cell's own objects reserve. Everything
 * else is left alone without a look-up.
 */
export function concernsCells(entity: Entity, options: EntityCheckOptions): boolean {
  if (isCellSystem(entity) || isCellComponent(entity)) return true;
  // `conections:` alone does not make a cell component, and must not pass unseen.
  if (hasMisspelledSpecKey(entity)) return true;
  if (entity.kind.toLowerCase() !== 'component') return false;
  const system = systemRefOf(entity);
  if (!system) return false;
  // `consumesApis` of a cell's member declares calls to the APIs' providers (docs/front-door.md).
  const consumes = (entity.spec as { consumesApis?: unknown } | undefined)?.consumesApis;
  if (Array.isArray(consumes) && consumes.length > 0) return true;
  const namespace = (entity.metadata.namespace ?? 'default').toLocaleLowerCase('en-US');
  return parseEntityRef(system).namespace !== namespace || (options.reservedComponentNames ?? ['default']).includes(entity.metadata.name);
}

/**
 * Validates Cellplane cells in the catalog: Systems with `spec.cell` and the
 * Components that declare `spec.endpoints`, `spec.connections` or
 * `spec.allowFrom` or that name a cell as their system.
 *
 * Every problem becomes one catalog processing error (an InputError) whose
 * message names the entity, the field and the fix. The catalog then keeps the
 * entity out (or at its last valid version) until the problem is fixed, and
 * publishes the error on the `catalog.errors` topic (logged by
 * catalog-backend-module-logs).
 *
 * Checks that need other entities (the target of a connection exists, serves
 * the endpoint, and its visibility admits the caller; the cell a component
 * names admits it; a cell's owner is a Group or User the platform allows as an
 * RBAC subject) look the other entities up with `fetchEntities`. A target that
 * cannot be found is an error on the entity until the target appears. The
 * settings-dependent checks (reserved names, allowed owners) use the same
 * `cells:` settings as the compiler.
 *
 * Every valid connection and allowFrom grant also becomes a `dependsOn` /
 * `dependencyOf` relation pair (see {@link dependencyEdges}), so the catalog's
 * dependency cards and graph show the declared calls. An invalid declaration
 * emits no relation.
 */
export class CellValidationProcessor implements CatalogProcessor {
  constructor(
    private readonly fetchEntities: EntityFetcher,
    /** Platform settings the checks need: reserved names, owners that may be bound, `cells.compliance.requireReasons`, the front door's rules (see modelOptions). */
    private readonly options: EntityCheckOptions & DeclarationRules = {},
  ) {}

  getProcessorName(): string {
    return 'CellValidationProcessor';
  }

  async postProcessEntity(entity: Entity, location: LocationSpec, emit: CatalogProcessorEmit): Promise<Entity> {
    if (!concernsCells(entity, this.options)) {
      return entity;
    }
    const { problems, declarations } = await this.check(entity);
    for (const problem of problems) {
      emit(processingResult.inputError(location, formatProblem(problem)));
    }
    for (const { caller, callee } of dependencyEdges(declarations)) {
      const source = parseEntityRef(caller);
      const target = parseEntityRef(callee);
      emit(
        processingResult.relation({
          source,
          target,
          type: RELATION_DEPENDS_ON,
        }),
      );
      emit(
        processingResult.relation({
          source: target,
          target: source,
          type: RELATION_DEPENDENCY_OF,
        }),
      );
    }
    return entity;
  }

  /** All problems of one entity: its own shape, then its references. */
  async validate(entity: Entity): Promise<CellProblem[]> {
    return (await this.check(entity)).problems;
  }

  /** The problems of one entity and its declarations that passed every check. */
  async check(entity: Entity): Promise<CellEntityCheck> {
    const selfRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
    const known = new Map<string, Entity>([[selfRef, entity]]);
    const asked = new Set<string>([selfRef]);

    // The pure check asks for what it needs through a synchronous lookup. We
    // answer from what we have fetched, note what was missing, fetch that and
    // run it again, until it asks for nothing new.
    for (let round = 0; ; round++) {
      const missing = new Set<string>();
      const lookup = (ref: string): Entity | undefined => {
        const key = normalizeRef(ref);
        if (!key) return undefined;
        const found = known.get(key);
        if (!found && !asked.has(key)) missing.add(key);
        return found;
      };
      // checkDeclarations appends the reference problems to the shape
      // problems of the parse, and returns only declarations that passed.
      const parsed = parseCellEntity(entity, {
        requireReasons: this.options.requireReasons,
        frontDoor: this.options.frontDoor,
      });
      const declarations = checkDeclarations(entity, parsed, lookup);
      const problems = [...parsed.problems.problems, ...checkMembersAndOwner(entity, lookup, this.options)];
      if (missing.size === 0 || round >= MAX_LOOKUP_ROUNDS) {
        return { problems, declarations };
      }
      const refs = [...missing];
      refs.forEach(r => asked.add(r));
      const fetched = await this.fetchEntities(refs);
      for (const [ref, e] of fetched) {
        known.set(ref.toLocaleLowerCase('en-US'), e);
      }
    }
  }
}
