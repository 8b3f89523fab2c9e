import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  CellProblem,
  formatProblem,
  isCellComponent,
  isCellSystem,
  validateCellEntity,
  validateConnectionTargets,
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

/**
 * Validates Cellplane cells in the catalog: Systems with `spec.cell` and the
 * Components that declare `spec.endpoints`, `spec.connections` or
 * `spec.allowFrom`.
 *
 * Every problem becomes one catalog processing error (an InputError) whose
 * message names the entity, the field and the fix. The catalog then keeps the
 * entity out (or at its last valid version) until the problem is fixed, and
 * publishes the error on the `catalog.errors` topic (logged by
 * catalog-backend-module-logs).
 *
 * Checks that need other entities (the target of a connection exists, serves
 * the endpoint, and its visibility admits the caller) look the other entities
 * up with `fetchEntities`. A target that cannot be found is an error on the
 * entity until the target appears.
 */
export class CellValidationProcessor implements CatalogProcessor {
  constructor(private readonly fetchEntities: EntityFetcher) {}

  getProcessorName(): string {
    return 'CellValidationProcessor';
  }

  async postProcessEntity(
    entity: Entity,
    location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isCellSystem(entity) && !isCellComponent(entity)) {
      return entity;
    }
    const problems = await this.validate(entity);
    for (const problem of problems) {
      emit(processingResult.inputError(location, formatProblem(problem)));
    }
    return entity;
  }

  /** All problems of one entity: its own shape, then its references. */
  async validate(entity: Entity): Promise<CellProblem[]> {
    // validateConnectionTargets reports only what the shape checks did not.
    return [...validateCellEntity(entity), ...(await this.validateReferences(entity))];
  }

  private async validateReferences(entity: Entity): Promise<CellProblem[]> {
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
      const problems = validateConnectionTargets(entity, lookup);
      if (missing.size === 0 || round >= MAX_LOOKUP_ROUNDS) {
        return problems;
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
