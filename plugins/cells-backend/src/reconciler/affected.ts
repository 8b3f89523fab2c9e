import { Entity, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CellModel, CellProblem } from '@cellplane/cells-common';

/**
 * The cells whose compiled objects can depend on each given entity: a
 * component's own cell and every cell it calls or is called by (rules name
 * both ends), a System's cell and the cells linked to its components. Looked
 * up in the model before and after the change, so a removed call still marks
 * the cell that has to close it. One pass over each model, however many
 * entities are asked about.
 */
export function affectedCellsByEntity(entityRefs: Iterable<string>, models: (CellModel | undefined)[]): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  const refs = [...entityRefs];
  // Nothing asked (no pending change, every API request's case): skip the passes over the models.
  if (refs.length === 0) return result;
  refs.forEach(ref => result.set(ref, new Set()));
  for (const model of models) {
    if (!model) continue;
    const cellOf = new Map(model.components.map(c => [c.ref, c.cell]));
    // The cells each component is linked to by a call, in either direction.
    const linked = new Map<string, Set<string>>();
    const link = (component: string, cell: string | undefined) => {
      if (!cell) return;
      let set = linked.get(component);
      if (!set) linked.set(component, (set = new Set()));
      set.add(cell);
    };
    for (const grant of model.grants) {
      const calleeCell = cellOf.get(grant.callee);
      if (grant.caller.kind !== 'component') continue;
      const callerCell = cellOf.get(grant.caller.ref);
      link(grant.caller.ref, calleeCell);
      link(grant.callee, callerCell);
    }
    const cellByRef = new Map(model.cells.map(c => [c.ref, c]));
    for (const ref of refs) {
      const out = result.get(ref)!;
      const components: string[] = [];
      const cell = cellByRef.get(ref);
      if (cell) {
        out.add(cell.ref);
        components.push(...cell.components);
      }
      const own = cellOf.get(ref);
      if (own) {
        out.add(own);
        components.push(ref);
      }
      for (const c of components) linked.get(c)?.forEach(l => out.add(l));
    }
  }
  return result;
}

/** The union of affectedCellsByEntity over the given entities. */
export function affectedCells(entityRefs: Iterable<string>, models: (CellModel | undefined)[]): Set<string> {
  const all = new Set<string>();
  for (const cells of affectedCellsByEntity(entityRefs, models).values()) cells.forEach(c => all.add(c));
  return all;
}

/** The cell an entity with a problem belongs to: the System itself, or the Component's spec.system. */
export function cellOfProblem(problem: CellProblem, entities: Map<string, Entity>): string | undefined {
  const entity = entities.get(problem.entityRef);
  if (!entity) return undefined;
  if (entity.kind.toLowerCase() === 'system') return problem.entityRef;
  const system = (entity.spec as { system?: unknown } | undefined)?.system;
  if (typeof system !== 'string' || !system) return undefined;
  try {
    return stringifyEntityRef(parseEntityRef(system, { defaultKind: 'system', defaultNamespace: entity.metadata.namespace ?? 'default' }));
  } catch {
    return undefined;
  }
}
